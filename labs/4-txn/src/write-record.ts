/**
 * The record stored in `CF_WRITE`: which transaction a committed (or rolled back) version
 * belongs to.
 *
 * A write record lives at `encodeKey(userKey, commitTs)`; its value says what the
 * transaction with `startTs` did to the key. The value itself, for a put, lives in
 * `CF_DEFAULT` at `encodeKey(userKey, startTs)`. A rollback record is written at
 * `encodeKey(userKey, startTs)` (commit ts = start ts) so that a late prewrite of the rolled
 * back transaction meets it and fails.
 *
 * Byte layout (9 bytes, fixed; tests check it):
 *
 * | offset | size | field |
 * |---|---|---|
 * | 0 | 1 | kind: 1 = put, 2 = delete, 3 = rollback |
 * | 1 | 8 | start ts, unsigned big-endian |
 *
 * @module
 */
import { assertTimestamp, type Timestamp } from './timestamp';

/** What a transaction did to a key. The numbers are the byte stored in the record. */
export enum WriteKind {
  /** The transaction wrote a value (in `CF_DEFAULT` at its start ts). */
  Put = 1,
  /** The transaction deleted the key. */
  Delete = 2,
  /** The transaction was rolled back: this record only blocks it and carries no data. */
  Rollback = 3,
}

/** Size of an encoded write record in bytes. */
export const WRITE_RECORD_BYTES = 9;

/** A decoded `CF_WRITE` value. */
export class Write {
  /**
   * @param startTs - the start ts of the transaction that made this record.
   * @param kind - what it did.
   */
  constructor(
    readonly startTs: Timestamp,
    readonly kind: WriteKind,
  ) {
    assertTimestamp(startTs, 'start ts of a write record');
  }

  /** The 9-byte encoding described in the module comment. */
  toBytes(): Buffer {
    const bytes = Buffer.alloc(WRITE_RECORD_BYTES);
    bytes[0] = this.kind;
    bytes.writeBigUInt64BE(BigInt(this.startTs), 1);
    return bytes;
  }

  /**
   * Decodes a write record.
   *
   * @param bytes - a `CF_WRITE` value.
   * @returns the record.
   * @throws Error when the length or the kind byte is wrong.
   */
  static fromBytes(bytes: Buffer): Write {
    if (bytes.length !== WRITE_RECORD_BYTES) {
      throw new Error(`Cannot decode a write record: expected ${WRITE_RECORD_BYTES} bytes, got ${bytes.length}.`);
    }
    const kind = bytes[0];
    if (kind !== WriteKind.Put && kind !== WriteKind.Delete && kind !== WriteKind.Rollback) {
      throw new Error(`Cannot decode a write record: kind byte ${kind} is not 1 (put), 2 (delete) or 3 (rollback).`);
    }
    return new Write(Number(bytes.readBigUInt64BE(1)), kind);
  }
}
