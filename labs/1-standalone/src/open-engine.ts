/**
 * Provided code (do not edit): how a {@link StandaloneStorageConfig} becomes an open engine.
 *
 * `StandaloneStorage.start` calls {@link openEngine}; this file exists so that the student
 * file holds only the storage logic, not backend plumbing.
 *
 * @module
 */
import { LmdbEngine, MemoryEngine } from '../../common/engine';
import type { Engine } from '../../common/engine/engine';

/**
 * Which engine a `StandaloneStorage` runs on.
 *
 * - `{ engine: 'memory' }`: an in-memory engine. Nothing survives `stop()`: a later
 *   `start()` begins empty. The default in tests.
 * - `{ engine: 'lmdb', path }`: an on-disk LMDB engine stored under `path`. Everything
 *   written survives `stop()` and a later `start()` (or a new storage on the same path).
 *   `noSync: true` skips the fsync on commit (faster tests; data survives a process exit,
 *   not a power cut).
 */
export type StandaloneStorageConfig =
  | { readonly engine: 'memory' }
  | { readonly engine: 'lmdb'; readonly path: string; readonly noSync?: boolean };

/**
 * Opens the engine `config` describes.
 *
 * @param config - which backend, and for LMDB where its files live.
 * @returns an open engine; the caller closes it.
 * @throws Error when the config names no known backend, or LMDB cannot open `path`.
 */
export function openEngine(config: StandaloneStorageConfig): Engine {
  switch (config.engine) {
    case 'memory':
      return new MemoryEngine();
    case 'lmdb':
      return LmdbEngine.open(config.path, { noSync: config.noSync ?? false });
    default: {
      const unknown: never = config;
      throw new Error(
        `Cannot open an engine for config ${JSON.stringify(unknown)}: use { engine: 'memory' } or { engine: 'lmdb', path }.`,
      );
    }
  }
}
