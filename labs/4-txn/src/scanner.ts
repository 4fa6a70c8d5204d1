/**
 * Stage 4C: the MVCC scanner — YOU write this file.
 *
 * Walks `CF_WRITE` in key order from a start key and yields, for each user key, the value
 * visible at the transaction's start ts; deleted keys and keys with no visible version are
 * skipped. Read labs/4-txn/README.md#the-scanner first.
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import type { MvccTxn } from './mvcc-txn';

const HANDOUT = 'labs/4-txn/README.md#the-scanner';

/** A key and the value visible to the scanning transaction. */
export interface ScannedPair {
  readonly key: Buffer;
  readonly value: Buffer;
}

/** An iterator over the latest visible value of each key, in key order, from a start key. */
export class Scanner {
  /**
   * @param startKey - the first user key to consider (inclusive).
   * @param txn - the transaction whose start ts and reader the scan uses.
   */
  constructor(startKey: Buffer, txn: MvccTxn) {
    // TODO(4C): keep `txn`, open `txn.reader.iterCF(CF_WRITE)` and seek it to
    // `encodeKey(startKey, txn.startTs)`.
    throw new NotImplementedError('4C', 'Scanner.constructor', HANDOUT);
  }

  /**
   * The next key with a visible value, and that value.
   *
   * @returns the pair, or `undefined` when the scan has passed the last key.
   */
  next(): ScannedPair | undefined {
    // TODO(4C): loop: decode the user key and commit ts at the iterator. A version newer than
    // the start ts is invisible: seek to `encodeKey(userKey, startTs)`. A Rollback record:
    // step to the next (older) record. Otherwise this record decides the key: move the
    // iterator past EVERY remaining record of this user key first (else the next call returns
    // the same key again), then skip the key if it is a Delete (keep looping — do not return
    // undefined, later keys may follow), or return the value from CF_DEFAULT at the record's
    // start ts.
    throw new NotImplementedError('4C', 'Scanner.next', HANDOUT);
  }

  /** Releases the iterator. */
  close(): void {
    // TODO(4C): close the iterator.
    throw new NotImplementedError('4C', 'Scanner.close', HANDOUT);
  }
}
