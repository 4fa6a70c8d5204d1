/**
 * Stage 4A: the MVCC transaction layer — YOU write this file.
 *
 * An {@link MvccTxn} reads through one storage reader at one start ts and buffers its writes;
 * the command that owns it hands {@link MvccTxn.writes} to `Storage.write` once, so that all of
 * a command's changes land atomically. Read labs/4-txn/README.md#stage-4a first.
 *
 * Where things live (see codec.ts, write-record.ts, lock-record.ts):
 * - `CF_DEFAULT`: `encodeKey(key, startTs)` → the value a transaction wrote;
 * - `CF_WRITE`: `encodeKey(key, commitTs)` → `Write(startTs, kind).toBytes()`;
 * - `CF_LOCK`: the raw `key` → `Lock(...).toBytes()`.
 *
 * @module
 */
import type { Modify, StorageReader } from '../../common/storage/storage';
import { NotImplementedError } from '../../common/not-implemented';
import type { Lock } from './lock-record';
import type { Timestamp } from './timestamp';
import type { Write } from './write-record';

const HANDOUT = 'labs/4-txn/README.md#stage-4a';

/** A write record together with the commit ts it is stored under. */
export interface WriteAt {
  /** The decoded record. */
  readonly write: Write;
  /** The timestamp in its `CF_WRITE` key (equal to `write.startTs` for a rollback record). */
  readonly commitTs: Timestamp;
}

/** One transaction's view of the MVCC column families, plus its buffered writes. */
export class MvccTxn {
  /** Buffered modifications: every put and delete method appends here, nothing is written directly. */
  private readonly pending: Modify[] = [];

  /**
   * @param reader - a consistent reader of the storage; the caller closes it.
   * @param startTs - the transaction's start ts: what it reads as of, and the ts its values are stored at.
   */
  constructor(
    readonly reader: StorageReader,
    readonly startTs: Timestamp,
  ) {}

  /** The buffered modifications, in the order they were made, for one `Storage.write`. */
  writes(): readonly Modify[] {
    return this.pending;
  }

  /**
   * Buffers a write record for `key` at `commitTs` in `CF_WRITE`.
   *
   * @param key - the user key.
   * @param commitTs - the commit ts (the start ts for a rollback record).
   * @param write - the record.
   */
  putWrite(key: Buffer, commitTs: Timestamp, write: Write): void {
    // TODO(4A): push a put of `write.toBytes()` at `encodeKey(key, commitTs)` in CF_WRITE.
    // The engine key carries the COMMIT ts; the record inside carries the START ts.
    throw new NotImplementedError('4A', 'MvccTxn.putWrite', HANDOUT);
  }

  /**
   * The lock on `key`, whoever holds it.
   *
   * @returns the lock, or `undefined` when the key is not locked.
   */
  getLock(key: Buffer): Lock | undefined {
    // TODO(4A): read CF_LOCK at the raw key and decode with Lock.fromBytes. A missing key is
    // `undefined` from the reader, not an error: return undefined then.
    throw new NotImplementedError('4A', 'MvccTxn.getLock', HANDOUT);
  }

  /** Buffers `lock` on `key` in `CF_LOCK` (replacing any lock there). */
  putLock(key: Buffer, lock: Lock): void {
    // TODO(4A): push a put of `lock.toBytes()` at the raw key in CF_LOCK.
    throw new NotImplementedError('4A', 'MvccTxn.putLock', HANDOUT);
  }

  /** Buffers the removal of the lock on `key`. */
  deleteLock(key: Buffer): void {
    // TODO(4A): push a delete of the raw key in CF_LOCK.
    throw new NotImplementedError('4A', 'MvccTxn.deleteLock', HANDOUT);
  }

  /**
   * The value of `key` this transaction sees: the one written by the put committed last at or
   * before the start ts. Rollback records are skipped; a delete hides older values.
   *
   * @returns the value, or `undefined` when there is none (never written, deleted, or only newer).
   */
  getValue(key: Buffer): Buffer | undefined {
    // TODO(4A): iterate CF_WRITE from `encodeKey(key, this.startTs)` (newest visible version
    // first). Stop as soon as the decoded user key is a different key — the iterator runs on
    // into the next key. Skip Rollback records; a Delete means "no value"; a Put names the
    // start ts under which CF_DEFAULT holds the value. Close the iterator (try/finally).
    throw new NotImplementedError('4A', 'MvccTxn.getValue', HANDOUT);
  }

  /** Buffers `value` for `key` in `CF_DEFAULT` at this transaction's start ts. */
  putValue(key: Buffer, value: Buffer): void {
    // TODO(4A): push a put at `encodeKey(key, this.startTs)` in CF_DEFAULT.
    throw new NotImplementedError('4A', 'MvccTxn.putValue', HANDOUT);
  }

  /** Buffers the removal of this transaction's value of `key` from `CF_DEFAULT`. */
  deleteValue(key: Buffer): void {
    // TODO(4A): push a delete of `encodeKey(key, this.startTs)` in CF_DEFAULT.
    throw new NotImplementedError('4A', 'MvccTxn.deleteValue', HANDOUT);
  }

  /**
   * This transaction's write record of `key`: the one whose `startTs` is this start ts.
   *
   * @returns the record and its commit ts, or `undefined` when this transaction has none.
   */
  currentWrite(key: Buffer): WriteAt | undefined {
    // TODO(4A): iterate CF_WRITE from `encodeKey(key, TS_MAX)` over the records of `key`
    // (newest first) and return the one whose decoded `startTs` equals `this.startTs`, with
    // the commit ts decoded from its engine key. You may stop once the commit ts drops below
    // the start ts. Do not confuse the two timestamps.
    throw new NotImplementedError('4A', 'MvccTxn.currentWrite', HANDOUT);
  }

  /**
   * The newest write record of `key`, whatever its transaction or timestamp.
   *
   * @returns the record and its commit ts, or `undefined` when the key has none.
   */
  mostRecentWrite(key: Buffer): WriteAt | undefined {
    // TODO(4A): seek CF_WRITE to `encodeKey(key, TS_MAX)`; the entry there is the newest record
    // of `key` — if its user key really is `key` (it may be the next key, or nothing).
    throw new NotImplementedError('4A', 'MvccTxn.mostRecentWrite', HANDOUT);
  }
}
