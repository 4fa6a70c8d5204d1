/**
 * Shared set-up of the stage 4 tests (not a test file): a {@link TxnServer} over in-memory
 * storage wrapped in a {@link LatchCheckingStorage}, and helpers that place raw MVCC records
 * in the engine and read them back, so a test can state the exact bytes it expects.
 *
 * Records are placed with the provided codec and record classes, never with student code, so
 * that a test's starting state is right even when the code under test is not.
 *
 * @module
 */
import { CF_DEFAULT, CF_LOCK, CF_WRITE, type ColumnFamily } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import { NotImplementedError } from '../../common/not-implemented';
import { MemoryKvStorage } from '../../common/storage/memory-kv-storage';
import type { Mutation } from '../../common/proto/txn';
import type { StorageReader } from '../../common/storage/storage';
import { encodeKey } from '../src/codec';
import { LatchCheckingStorage } from '../src/latch-checking-storage';
import { Latches } from '../src/latches';
import { Lock } from '../src/lock-record';
import { MvccTxn } from '../src/mvcc-txn';
import { TxnServer } from '../src/txn-server';
import { Write, WriteKind } from '../src/write-record';

/** Shorthand for a key or value made of the given bytes. */
export function bytes(...values: number[]): Buffer {
  return Buffer.from(values);
}

/** Shorthand for a key or value from a string. */
export function text(value: string): Buffer {
  return Buffer.from(value, 'utf8');
}

/** One raw engine entry. */
export interface RawEntry {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** A server, its storage and latches, and helpers to arrange and inspect raw records. */
export class TxnFixture {
  readonly memory = new MemoryKvStorage();
  readonly latches = new Latches();
  readonly storage = new LatchCheckingStorage(this.memory, this.latches);
  readonly server = new TxnServer(this.storage, this.latches);

  /** Places a raw entry, bypassing the latch check (this is test set-up, not a command). */
  putRaw(cf: ColumnFamily, key: Buffer, value: Buffer): this {
    this.memory.engine.write(new WriteBatch().put(cf, key, value));
    return this;
  }

  /** Places a value written by the transaction `startTs` and its write record at `commitTs`. */
  committed(key: Buffer, value: Buffer | undefined, startTs: number, commitTs: number): this {
    if (value !== undefined) this.putRaw(CF_DEFAULT, encodeKey(key, startTs), value);
    const kind = value === undefined ? WriteKind.Delete : WriteKind.Put;
    return this.putRaw(CF_WRITE, encodeKey(key, commitTs), new Write(startTs, kind).toBytes());
  }

  /** Places a rollback record of the transaction `startTs`. */
  rolledBack(key: Buffer, startTs: number): this {
    return this.putRaw(CF_WRITE, encodeKey(key, startTs), new Write(startTs, WriteKind.Rollback).toBytes());
  }

  /** Places a prewrite: a lock (and, for a put, the value at `startTs`). */
  prewritten(key: Buffer, value: Buffer | undefined, primary: Buffer, startTs: number, ttl = 100): this {
    const kind = value === undefined ? WriteKind.Delete : WriteKind.Put;
    if (value !== undefined) this.putRaw(CF_DEFAULT, encodeKey(key, startTs), value);
    return this.putRaw(CF_LOCK, key, new Lock(primary, startTs, ttl, kind).toBytes());
  }

  /** Every entry of `cf` in engine order. */
  entries(cf: ColumnFamily): RawEntry[] {
    const view = this.memory.engine.view();
    const iterator = view.iterator(cf);
    const out: RawEntry[] = [];
    try {
      for (iterator.seekToFirst(); iterator.valid(); iterator.next()) out.push({ key: iterator.key(), value: iterator.value() });
    } finally {
      iterator.close();
      view.close();
    }
    return out;
  }

  /** How many entries `[CF_DEFAULT, CF_LOCK, CF_WRITE]` hold. */
  counts(): [number, number, number] {
    return [this.entries(CF_DEFAULT).length, this.entries(CF_LOCK).length, this.entries(CF_WRITE).length];
  }

  /** The raw value at `key` in `cf`, or `undefined`. */
  raw(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    return this.memory.engine.get(cf, key);
  }

  /** A reader of the current data (close it). */
  reader(): Promise<StorageReader> {
    return this.memory.reader({});
  }

  /** Runs `body` with an {@link MvccTxn} at `startTs` over a fresh reader, closing the reader after. */
  async withTxn<T>(startTs: number, body: (txn: MvccTxn) => T): Promise<T> {
    const reader = await this.reader();
    try {
      return body(new MvccTxn(reader, startTs));
    } finally {
      reader.close();
    }
  }

  /** Applies a transaction's buffered writes, as a command would (latching its keys first). */
  async apply(txn: MvccTxn): Promise<void> {
    await this.memory.write({}, txn.writes());
  }

  /** Throws when a command wrote an unlatched key or left a latch held. */
  assertLatchesClean(): void {
    if (this.storage.violations.length > 0) throw new Error(`Latch violations: ${this.storage.violations.join(' | ')}`);
    if (this.latches.latchedCount !== 0) {
      throw new Error(`${this.latches.latchedCount} latches are still held after the command returned; release them in a finally block.`);
    }
  }
}

/** Lets every pending promise callback run (a bounded number of microtask turns), without timers. */
export async function settle(turns = 50): Promise<void> {
  for (let i = 0; i < turns; i++) await Promise.resolve();
}

/**
 * The error `promise` rejects with, or undefined when it resolves. A stub's NotImplementedError
 * is thrown on, so that a test expecting a rejection fails with it alone.
 */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
    return undefined;
  } catch (error) {
    if (error instanceof NotImplementedError) throw error;
    return error;
  }
}

/** A one-key put mutation. */
export function put(key: Buffer, value: Buffer): Mutation {
  return { op: 'put', key, value };
}

/** A one-key delete mutation. */
export function del(key: Buffer): Mutation {
  return { op: 'delete', key, value: Buffer.alloc(0) };
}
