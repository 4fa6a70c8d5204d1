/**
 * One call to open either backend, for code that takes the backend as a setting.
 *
 * @module
 */
import type { Engine } from './engine';
import { LmdbEngine } from './lmdb-engine';
import type { LmdbEngineOptions } from './lmdb-engine';
import { MemoryEngine } from './memory-engine';

/** The backends {@link createEngine} can open. */
export type EngineKind = 'memory' | 'lmdb';

/**
 * Opens an engine of `kind`.
 *
 * @param kind - `memory` (fresh and empty) or `lmdb` (stored under `path`).
 * @param path - the LMDB directory; required for `lmdb`, ignored for `memory`.
 * @param options - LMDB options (e.g. `noSync`).
 * @returns the open engine; the caller closes it.
 * @throws Error when `kind` is unknown, or `lmdb` is asked for without a path.
 */
export function createEngine(kind: EngineKind, path?: string, options: LmdbEngineOptions = {}): Engine {
  if (kind === 'memory') return new MemoryEngine();
  if (kind === 'lmdb') {
    if (path === undefined || path === '') {
      throw new Error("createEngine('lmdb') needs a directory path: pass createEngine('lmdb', '/some/dir').");
    }
    return LmdbEngine.open(path, options);
  }
  throw new Error(`createEngine was given the unknown engine kind ${JSON.stringify(kind)}; use 'memory' or 'lmdb'.`);
}
