/**
 * Stage 4A: the MVCC transaction layer (reference solution).
 *
 * An {@link MvccTxn} reads through one storage reader at one start ts and buffers its writes;
 * the command that owns it hands {@link MvccTxn.writes} to `Storage.write` once, so that all of
 * a command's changes land atomically. See labs/4-txn/README.md#stage-4a.
 *
 * @module
 */
import { CF_DEFAULT, CF_LOCK, CF_WRITE } from '../../common/engine/engine';
import type { Modify, StorageReader } from '../../common/storage/storage';
import { decodeTimestamp, decodeUserKey, encodeKey } from './codec';
import { Lock } from './lock-record';
import { TS_MAX, type Timestamp } from './timestamp';
import { Write, WriteKind } from './write-record';

/** A write record together with the commit ts it is stored under. */
export interface WriteAt {
  /** The decoded record. */
  readonly write: Write;
  /** The timestamp in its `CF_WRITE` key (equal to `write.startTs` for a rollback record). */
  readonly commitTs: Timestamp;
}

/** One transaction's view of the MVCC column families, plus its buffered writes. */
export class MvccTxn {
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
    this.pending.push({ kind: 'put', cf: CF_WRITE, key: encodeKey(key, commitTs), value: write.toBytes() });
  }

  /**
   * The lock on `key`, whoever holds it.
   *
   * @returns the lock, or `undefined` when the key is not locked.
   */
  getLock(key: Buffer): Lock | undefined {
    const bytes = this.reader.getCF(CF_LOCK, key);
    return bytes === undefined ? undefined : Lock.fromBytes(bytes);
  }

  /** Buffers `lock` on `key` in `CF_LOCK` (replacing any lock there). */
  putLock(key: Buffer, lock: Lock): void {
    this.pending.push({ kind: 'put', cf: CF_LOCK, key: Buffer.from(key), value: lock.toBytes() });
  }

  /** Buffers the removal of the lock on `key`. */
  deleteLock(key: Buffer): void {
    this.pending.push({ kind: 'delete', cf: CF_LOCK, key: Buffer.from(key) });
  }

  /**
   * The value of `key` this transaction sees: the one written by the put committed last at or
   * before the start ts. Rollback records are skipped; a delete hides older values.
   *
   * @returns the value, or `undefined` when there is none (never written, deleted, or only newer).
   */
  getValue(key: Buffer): Buffer | undefined {
    const iterator = this.reader.iterCF(CF_WRITE);
    try {
      for (iterator.seek(encodeKey(key, this.startTs)); iterator.valid(); iterator.next()) {
        if (!decodeUserKey(iterator.key()).equals(key)) return undefined;
        const write = Write.fromBytes(iterator.value());
        if (write.kind === WriteKind.Rollback) continue;
        if (write.kind === WriteKind.Delete) return undefined;
        return this.reader.getCF(CF_DEFAULT, encodeKey(key, write.startTs));
      }
      return undefined;
    } finally {
      iterator.close();
    }
  }

  /** Buffers `value` for `key` in `CF_DEFAULT` at this transaction's start ts. */
  putValue(key: Buffer, value: Buffer): void {
    this.pending.push({ kind: 'put', cf: CF_DEFAULT, key: encodeKey(key, this.startTs), value: Buffer.from(value) });
  }

  /** Buffers the removal of this transaction's value of `key` from `CF_DEFAULT`. */
  deleteValue(key: Buffer): void {
    this.pending.push({ kind: 'delete', cf: CF_DEFAULT, key: encodeKey(key, this.startTs) });
  }

  /**
   * This transaction's write record of `key`: the one whose `startTs` is this start ts.
   *
   * @returns the record and its commit ts, or `undefined` when this transaction has none.
   */
  currentWrite(key: Buffer): WriteAt | undefined {
    const iterator = this.reader.iterCF(CF_WRITE);
    try {
      for (iterator.seek(encodeKey(key, TS_MAX)); iterator.valid(); iterator.next()) {
        if (!decodeUserKey(iterator.key()).equals(key)) return undefined;
        const commitTs = decodeTimestamp(iterator.key());
        // Records are newest first and a commit ts is never below its start ts: past this point none can match.
        if (commitTs < this.startTs) return undefined;
        const write = Write.fromBytes(iterator.value());
        if (write.startTs === this.startTs) return { write, commitTs };
      }
      return undefined;
    } finally {
      iterator.close();
    }
  }

  /**
   * The newest write record of `key`, whatever its transaction or timestamp.
   *
   * @returns the record and its commit ts, or `undefined` when the key has none.
   */
  mostRecentWrite(key: Buffer): WriteAt | undefined {
    const iterator = this.reader.iterCF(CF_WRITE);
    try {
      iterator.seek(encodeKey(key, TS_MAX));
      if (!iterator.valid() || !decodeUserKey(iterator.key()).equals(key)) return undefined;
      return { write: Write.fromBytes(iterator.value()), commitTs: decodeTimestamp(iterator.key()) };
    } finally {
      iterator.close();
    }
  }
}
