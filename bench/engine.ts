/**
 * Benchmark section `engine`: the kit's engines against the raw libraries they wrap.
 *
 * For each backend it measures batch writes, point reads and an ordered full scan, and next
 * to each the same work done directly with the library (sorted-btree, lmdb) in the same run,
 * as `baseline`. Target: the wrapper costs at most 1.3x the raw library. The raw baselines
 * do the minimum a real caller would also have to do with Buffer keys and values (convert
 * keys for the tree, copy values out), so the ratio shows the cost of the wrapper itself:
 * validation, column family prefixes, view and iterator objects.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { open } from 'lmdb';
import BTree from 'sorted-btree';
import { CF_DEFAULT } from '../labs/common/engine/engine';
import type { Engine } from '../labs/common/engine/engine';
import { LmdbEngine } from '../labs/common/engine/lmdb-engine';
import { MemoryEngine } from '../labs/common/engine/memory-engine';
import { WriteBatch } from '../labs/common/engine/write-batch';
import { bestOfMs } from './bench-row';
import type { BenchRow } from './bench-row';

/** Keys per workload. */
const KEY_COUNT = 100_000;
/** Puts per write batch. */
const BATCH_SIZE = 100;
/** Timed repetitions per workload (after one warm-up); the best is kept. */
const REPETITIONS = 3;
/** Bytes per value. */
const VALUE_BYTES = 32;

/** 100k keys `key00000000`.., in a scrambled (but fixed) order so writes are not appends. */
function makeKeys(): Buffer[] {
  return Array.from({ length: KEY_COUNT }, (_, index) =>
    Buffer.from(`key${String((index * 7919) % KEY_COUNT).padStart(8, '0')}`),
  );
}

function rate(count: number, milliseconds: number): number {
  return Math.round((count / milliseconds) * 1000);
}

/** The three workloads on one engine, each returned as a duration in ms. */
function measureEngine(openEngine: () => Engine, keys: readonly Buffer[], value: Buffer): { writeMs: number; readMs: number; scanMs: number } {
  let engine = openEngine();
  const writeMs = bestOfMs(REPETITIONS, () => {
    engine.close();
    engine = openEngine();
    const batch = new WriteBatch();
    for (let start = 0; start < keys.length; start += BATCH_SIZE) {
      batch.clear();
      for (let index = start; index < start + BATCH_SIZE; index++) batch.put(CF_DEFAULT, keys[index], value);
      engine.write(batch);
    }
  });
  let sink = 0;
  const readMs = bestOfMs(REPETITIONS, () => {
    for (const key of keys) sink += engine.get(CF_DEFAULT, key)!.length;
  });
  const scanMs = bestOfMs(REPETITIONS, () => {
    const view = engine.view();
    const iterator = view.iterator(CF_DEFAULT);
    for (iterator.seekToFirst(); iterator.valid(); iterator.next()) sink += iterator.key().length + iterator.value().length;
    iterator.close();
    view.close();
  });
  engine.close();
  if (sink === 0) throw new Error('The engine benchmark read nothing; the workload is broken.');
  return { writeMs, readMs, scanMs };
}

/** The same workloads on a raw sorted-btree of latin1 strings (what MemoryEngine uses inside). */
function measureRawBTree(keys: readonly Buffer[], value: Buffer): { writeMs: number; readMs: number; scanMs: number } {
  const compare = (left: string, right: string): number => (left < right ? -1 : left > right ? 1 : 0);
  let tree = new BTree<string, string>(undefined, compare);
  const writeMs = bestOfMs(REPETITIONS, () => {
    tree = new BTree<string, string>(undefined, compare);
    for (let start = 0; start < keys.length; start += BATCH_SIZE) {
      for (let index = start; index < start + BATCH_SIZE; index++) {
        // The batch's copies, then the tree's conversion: the raw cost of a Buffer put.
        tree.set(Buffer.from(keys[index]).toString('latin1'), Buffer.from(value).toString('latin1'));
      }
    }
  });
  let sink = 0;
  const readMs = bestOfMs(REPETITIONS, () => {
    for (const key of keys) sink += Buffer.from(tree.get(key.toString('latin1'))!, 'latin1').length;
  });
  const scanMs = bestOfMs(REPETITIONS, () => {
    const snapshot = tree.clone();
    for (const [key, stored] of snapshot.entries()) sink += Buffer.from(key, 'latin1').length + Buffer.from(stored, 'latin1').length;
  });
  if (sink === 0) throw new Error('The raw sorted-btree benchmark read nothing; the workload is broken.');
  return { writeMs, readMs, scanMs };
}

/** The same workloads on a raw lmdb database (binary keys and values, noSync, no prefix). */
function measureRawLmdb(directory: string, keys: readonly Buffer[], value: Buffer): { writeMs: number; readMs: number; scanMs: number } {
  const root = open(directory, { noSync: true, compression: false, keyEncoding: 'binary', encoding: 'binary', maxDbs: 4 });
  const db = root.openDB<Buffer, Buffer>('raw', { keyEncoding: 'binary', encoding: 'binary', compression: false });
  const writeMs = bestOfMs(REPETITIONS, () => {
    for (let start = 0; start < keys.length; start += BATCH_SIZE) {
      db.transactionSync(() => {
        for (let index = start; index < start + BATCH_SIZE; index++) db.putSync(keys[index], value);
      });
    }
  });
  let sink = 0;
  const readMs = bestOfMs(REPETITIONS, () => {
    for (const key of keys) sink += db.get(key)!.length;
  });
  const scanMs = bestOfMs(REPETITIONS, () => {
    const transaction = db.useReadTransaction();
    for (const { key, value: stored } of db.getRange({ transaction })) sink += key.length + stored.length;
    transaction.done();
  });
  void db.close();
  void root.close();
  if (sink === 0) throw new Error('The raw lmdb benchmark read nothing; the workload is broken.');
  return { writeMs, readMs, scanMs };
}

function rows(section: string, ours: { writeMs: number; readMs: number; scanMs: number }, raw: { writeMs: number; readMs: number; scanMs: number }, baselineName: string): BenchRow[] {
  const workload = `${KEY_COUNT} keys of 11 bytes, ${VALUE_BYTES}-byte values`;
  return [
    {
      section,
      name: 'batch writes',
      value: rate(KEY_COUNT, ours.writeMs),
      unit: 'ops/s',
      baseline: rate(KEY_COUNT, raw.writeMs),
      note: `${workload}, batches of ${BATCH_SIZE}; baseline: raw ${baselineName}; target <= 1.3x slower`,
    },
    {
      section,
      name: 'point reads',
      value: rate(KEY_COUNT, ours.readMs),
      unit: 'ops/s',
      baseline: rate(KEY_COUNT, raw.readMs),
      note: `${workload}, every key read once; baseline: raw ${baselineName}; target <= 1.3x slower`,
    },
    {
      section,
      name: 'ordered scan',
      value: rate(KEY_COUNT, ours.scanMs),
      unit: 'rows/s',
      baseline: rate(KEY_COUNT, raw.scanMs),
      note: `${workload}, full scan through a snapshot; baseline: raw ${baselineName}; target <= 1.3x slower`,
    },
  ];
}

/**
 * Runs the engine benchmarks.
 *
 * @returns six rows per backend pair: batch writes, point reads, ordered scan for `engine/memory`
 *   and `engine/lmdb`, each with its raw-library baseline.
 */
export async function run(): Promise<BenchRow[]> {
  const keys = makeKeys();
  const value = Buffer.alloc(VALUE_BYTES, 0x5a);
  const result: BenchRow[] = [];
  result.push(...rows('engine/memory', measureEngine(() => new MemoryEngine(), keys, value), measureRawBTree(keys, value), 'sorted-btree'));
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-bench-engine-'));
  try {
    const enginePath = path.join(directory, 'engine');
    // Reopening the same path keeps the data, so writes after the warm-up are overwrites, as in the baseline.
    const lmdbRows = rows(
      'engine/lmdb',
      measureEngine(() => LmdbEngine.open(enginePath, { noSync: true }), keys, value),
      measureRawLmdb(path.join(directory, 'raw'), keys, value),
      'lmdb (noSync)',
    );
    result.push(...lmdbRows);
  } finally {
    fs.rmSync(directory, { recursive: true, force: true });
  }
  return result;
}
