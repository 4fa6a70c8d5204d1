/**
 * The record stored in `CF_LOCK`: a transaction has prewritten this key and not yet
 * committed or rolled it back.
 *
 * A lock lives at the raw user key (at most one lock per key). It names the transaction's
 * primary key, whose fate decides the fate of every lock of the transaction, its start ts,
 * how long (in physical milliseconds, see `timestamp.ts`) it may be left alone before anyone
 * may roll it back, and what the transaction will do to the key.
 *
 * Byte layout (fixed; tests check it), P = primary key length:
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 1 | kind: 1 = put, 2 = delete (the {@link WriteKind} numbers) |
 * | 1 | 4 | P, unsigned big-endian |
 * | 5 | P | primary key |
 * | 5 + P | 8 | start ts, unsigned big-endian |
 * | 13 + P | 8 | ttl, unsigned big-endian |
 *
 * @module
 */
import type { LockInfo } from '../../common/proto/txn';
import { assertTimestamp, type Timestamp } from './timestamp';
import { WriteKind } from './write-record';

/** A decoded `CF_LOCK` value. */
export class Lock {
  /**
   * @param primary - the primary key of the transaction that holds the lock.
   * @param ts - its start ts.
   * @param ttl - physical milliseconds after `physicalOf(ts)` during which the lock is alive.
   * @param kind - `WriteKind.Put` or `WriteKind.Delete`.
   */
  constructor(
    readonly primary: Buffer,
    readonly ts: Timestamp,
    readonly ttl: number,
    readonly kind: WriteKind,
  ) {
    assertTimestamp(ts, 'start ts of a lock');
    if (!Number.isSafeInteger(ttl) || ttl < 0) throw new RangeError(`A lock's ttl must be a non-negative safe integer, got ${ttl}.`);
    if (kind === WriteKind.Rollback) throw new RangeError('A lock cannot have kind Rollback: only put and delete are prewritten.');
  }

  /** The encoding described in the module comment. */
  toBytes(): Buffer {
    const bytes = Buffer.alloc(21 + this.primary.length);
    bytes[0] = this.kind;
    bytes.writeUInt32BE(this.primary.length, 1);
    this.primary.copy(bytes, 5);
    bytes.writeBigUInt64BE(BigInt(this.ts), 5 + this.primary.length);
    bytes.writeBigUInt64BE(BigInt(this.ttl), 13 + this.primary.length);
    return bytes;
  }

  /**
   * The lock as the `LockInfo` of a `KeyError.locked`.
   *
   * @param key - the key the lock is on.
   */
  info(key: Buffer): LockInfo {
    return { primaryLock: Buffer.from(this.primary), lockVersion: this.ts, key: Buffer.from(key), lockTtl: this.ttl };
  }

  /**
   * Decodes a lock record.
   *
   * @param bytes - a `CF_LOCK` value.
   * @returns the lock.
   * @throws Error when the bytes do not follow the layout.
   */
  static fromBytes(bytes: Buffer): Lock {
    if (bytes.length < 21) throw new Error(`Cannot decode a lock record: ${bytes.length} bytes is shorter than the 21-byte minimum.`);
    const primaryLength = bytes.readUInt32BE(1);
    if (bytes.length !== 21 + primaryLength) {
      throw new Error(`Cannot decode a lock record: a ${primaryLength}-byte primary needs ${21 + primaryLength} bytes, got ${bytes.length}.`);
    }
    const kind = bytes[0];
    if (kind !== WriteKind.Put && kind !== WriteKind.Delete) {
      throw new Error(`Cannot decode a lock record: kind byte ${kind} is not 1 (put) or 2 (delete).`);
    }
    const primary = Buffer.from(bytes.subarray(5, 5 + primaryLength));
    const ts = Number(bytes.readBigUInt64BE(5 + primaryLength));
    const ttl = Number(bytes.readBigUInt64BE(13 + primaryLength));
    return new Lock(primary, ts, ttl, kind);
  }
}
