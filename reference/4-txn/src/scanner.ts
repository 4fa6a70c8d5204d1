/**
 * Stage 4C: the MVCC scanner (reference solution).
 *
 * Walks `CF_WRITE` in key order from a start key and yields, for each user key, the value
 * visible at the transaction's start ts; deleted keys and keys with no visible version are
 * skipped. See labs/4-txn/README.md#the-scanner.
 *
 * @module
 */
import { CF_DEFAULT, CF_WRITE, type EngineIterator } from '../../common/engine/engine';
import { decodeTimestamp, decodeUserKey, encodeKey } from './codec';
import type { MvccTxn } from './mvcc-txn';
import { Write, WriteKind } from './write-record';

/** A key and the value visible to the scanning transaction. */
export interface ScannedPair {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** An iterator over the latest visible value of each key, in key order, from a start key. */
export class Scanner {
  private readonly iterator: EngineIterator;

  /**
   * @param startKey - the first user key to consider (inclusive).
   * @param txn - the transaction whose start ts and reader the scan uses.
   */
  constructor(
    startKey: Buffer,
    private readonly txn: MvccTxn,
  ) {
    this.iterator = txn.reader.iterCF(CF_WRITE);
    this.iterator.seek(encodeKey(startKey, txn.startTs));
  }

  /**
   * The next key with a visible value, and that value.
   *
   * @returns the pair, or `undefined` when the scan has passed the last key.
   */
  next(): ScannedPair | undefined {
    const iterator = this.iterator;
    while (iterator.valid()) {
      const userKey = decodeUserKey(iterator.key());
      if (decodeTimestamp(iterator.key()) > this.txn.startTs) {
        // Only versions newer than the snapshot so far: jump to this key's newest visible version.
        iterator.seek(encodeKey(userKey, this.txn.startTs));
        continue;
      }
      const write = Write.fromBytes(iterator.value());
      if (write.kind === WriteKind.Rollback) {
        iterator.next(); // An older version of the same key may still be visible.
        continue;
      }
      this.skipPast(userKey);
      if (write.kind === WriteKind.Delete) continue;
      const value = this.txn.reader.getCF(CF_DEFAULT, encodeKey(userKey, write.startTs));
      if (value === undefined) {
        throw new Error(`The write record of key ${userKey.toString('hex')} (hex) names start ts ${write.startTs}, but CF_DEFAULT has no value there.`);
      }
      return { key: userKey, value };
    }
    return undefined;
  }

  /** Releases the iterator. */
  close(): void {
    this.iterator.close();
  }

  /** Moves the iterator to the first record of the next user key. */
  private skipPast(userKey: Buffer): void {
    while (this.iterator.valid() && decodeUserKey(this.iterator.key()).equals(userKey)) this.iterator.next();
  }
}
