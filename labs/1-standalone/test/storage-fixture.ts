/**
 * Test helpers for stage 1: start a storage on a chosen backend, talk to it, clean up.
 *
 * Not a test file itself; the public and hidden stage-1 tests import it.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { ColumnFamily } from '../../common/engine/engine';
import type { KvPair } from '../../common/proto/raw';
import type { Modify } from '../../common/storage/storage';
import type { StandaloneStorageConfig } from '../src/open-engine';
import { RawApi } from '../src/raw-api';
import { StandaloneStorage } from '../src/standalone-storage';

/** The two backends a standalone storage runs on. */
export type Backend = 'memory' | 'lmdb';

/** Both backends, for `describe.each`. */
export const BACKENDS: readonly Backend[] = ['memory', 'lmdb'];

/** A started storage, the raw API over it, and how to tear both down. */
export interface StorageFixture {
  /** The config the storage was made from (reuse it to reopen the same data). */
  readonly config: StandaloneStorageConfig;
  /** The started storage. */
  readonly storage: StandaloneStorage;
  /** The raw API server over {@link storage}. */
  readonly api: RawApi;
  /** Stops the storage (if still running) and deletes its files. Safe to call more than once. */
  cleanup(): Promise<void>;
}

/** A fresh temporary directory under the OS temp dir, for one LMDB store. */
export function makeTempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-stage1-'));
}

/** The config of a fresh store on `backend` (LMDB in a new temp dir, without fsync). */
export function freshConfig(backend: Backend): StandaloneStorageConfig {
  return backend === 'memory' ? { engine: 'memory' } : { engine: 'lmdb', path: makeTempDir(), noSync: true };
}

/** Creates and starts a storage on a fresh store of `backend`, with a {@link RawApi} over it. */
export async function startFixture(backend: Backend): Promise<StorageFixture> {
  const config = freshConfig(backend);
  const storage = new StandaloneStorage(config);
  const cleanup = async (): Promise<void> => {
    // A stub or a broken stop() must not hide the test's own failure behind a cleanup error.
    await storage.stop().catch(() => undefined);
    if (config.engine === 'lmdb') fs.rmSync(config.path, { recursive: true, force: true });
  };
  try {
    await storage.start();
  } catch (failure) {
    await cleanup();
    throw failure;
  }
  return { config, storage, api: new RawApi(storage), cleanup };
}

/** Shorthand for `Buffer.from(text)`. */
export function b(text: string): Buffer {
  return Buffer.from(text);
}

/** A put modification. */
export function put(cf: ColumnFamily, key: string | Buffer, value: string | Buffer): Modify {
  return { kind: 'put', cf, key: Buffer.from(key), value: Buffer.from(value) };
}

/** A delete modification. */
export function del(cf: ColumnFamily, key: string | Buffer): Modify {
  return { kind: 'delete', cf, key: Buffer.from(key) };
}

/** Scan results as `[key, value]` text pairs, so failures print readably. */
export function asText(kvs: readonly KvPair[]): [string, string][] {
  return kvs.map((pair) => [pair.key.toString(), pair.value.toString()]);
}

/** Scan results as `[key, value]` hex pairs, for binary keys. */
export function asHex(kvs: readonly KvPair[]): [string, string][] {
  return kvs.map((pair) => [pair.key.toString('hex'), pair.value.toString('hex')]);
}
