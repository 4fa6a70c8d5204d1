/**
 * The read view and iterator of `LmdbEngine`: everything reads one LMDB read
 * transaction, which is what makes the view a snapshot across column families.
 *
 * lmdb-js's `getRange({ snapshot: true })` alone would not do: it is lazy, and only pins a
 * snapshot once iteration starts, so writes made between taking the view and the first
 * `seek` would leak in. The transaction is taken when the view is, and released by `close`.
 *
 * @module
 */
import type { Transaction } from 'lmdb';
import type { ColumnFamily, EngineIterator, ReadView } from './engine';
import { assertColumnFamily, assertKey, closedError, invalidIteratorError } from './engine-checks';
import { lmdbEndOfColumnFamily, lmdbKey } from './lmdb-engine';
import type { LmdbStore } from './lmdb-engine';

/** A snapshot of an `LmdbEngine`, holding one read transaction until closed. */
export class LmdbReadView implements ReadView {
  private transaction: Transaction | undefined;

  /**
   * @param store - the engine's database.
   * @param transaction - a read transaction already marked in use; this view calls `done()` on it.
   * @param maxKeyBytes - the engine's key limit (longer keys cannot exist).
   * @param onClose - told once when the view closes, so the engine stops tracking it.
   */
  constructor(
    private readonly store: LmdbStore,
    transaction: Transaction,
    private readonly maxKeyBytes: number,
    private readonly onClose: (view: LmdbReadView) => void,
  ) {
    this.transaction = transaction;
  }

  /** True once the view (or its engine) was closed. */
  get closed(): boolean {
    return this.transaction === undefined;
  }

  /**
   * The value at `key` in `cf` as of the snapshot (a fresh copy), or `undefined`.
   *
   * @throws EngineError `closed`, `unknown-column-family` or `invalid-key`.
   */
  get(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    const transaction = this.openTransaction('ReadView.get');
    assertColumnFamily(cf, 'ReadView.get');
    assertKey(key, 'ReadView.get');
    if (key.length > this.maxKeyBytes) return undefined;
    return this.store.get(lmdbKey(cf, key), { transaction });
  }

  /**
   * A new, unpositioned iterator over `cf` as of the snapshot.
   *
   * @throws EngineError `closed` or `unknown-column-family`.
   */
  iterator(cf: ColumnFamily): EngineIterator {
    this.openTransaction('ReadView.iterator');
    assertColumnFamily(cf, 'ReadView.iterator');
    return new LmdbIterator(this, cf, this.maxKeyBytes);
  }

  /** Releases the read transaction; iterators of this view become unusable. Idempotent. */
  close(): void {
    const transaction = this.transaction;
    if (transaction === undefined) return;
    this.transaction = undefined;
    transaction.done();
    this.onClose(this);
  }

  /**
   * Opens an LMDB range cursor over `[start, end)` in the snapshot (for this view's iterators).
   *
   * @throws EngineError `closed` when the view is closed.
   */
  range(start: Buffer, end: Buffer, operation: string): Iterator<{ key: Buffer; value: Buffer }> {
    const transaction = this.openTransaction(operation);
    return this.store.getRange({ start, end, transaction })[Symbol.iterator]();
  }

  private openTransaction(operation: string): Transaction {
    if (this.transaction === undefined) throw closedError(operation, 'view');
    return this.transaction;
  }
}

/** An ordered cursor over one column family of an {@link LmdbReadView}. */
class LmdbIterator implements EngineIterator {
  private cursor: Iterator<{ key: Buffer; value: Buffer }> | undefined;
  private current: { key: Buffer; value: Buffer } | undefined;
  private isClosed = false;
  private readonly end: Buffer;

  constructor(
    private readonly view: LmdbReadView,
    private readonly cf: ColumnFamily,
    private readonly maxKeyBytes: number,
  ) {
    this.end = lmdbEndOfColumnFamily(cf);
  }

  seek(key: Buffer): void {
    this.assertOpen('EngineIterator.seek');
    assertKey(key, 'EngineIterator.seek');
    if (key.length <= this.maxKeyBytes) {
      this.reposition(lmdbKey(this.cf, key), 'EngineIterator.seek');
      return;
    }
    // LMDB rejects a range start over its key limit. No stored key can be that long, so the
    // first key >= `key` is the first key >= its longest allowed prefix, skipping that prefix itself.
    const prefix = key.subarray(0, this.maxKeyBytes);
    this.reposition(lmdbKey(this.cf, prefix), 'EngineIterator.seek');
    if (this.current !== undefined && this.current.key.length - 1 === prefix.length) this.step();
  }

  seekToFirst(): void {
    this.assertOpen('EngineIterator.seekToFirst');
    this.reposition(lmdbKey(this.cf, Buffer.alloc(0)), 'EngineIterator.seekToFirst');
  }

  valid(): boolean {
    this.assertOpen('EngineIterator.valid');
    return this.current !== undefined;
  }

  key(): Buffer {
    // A fresh copy without the column family prefix, which the caller owns. (Lending lmdb's
    // own buffer on the first call would save a copy, but then a second call could not
    // return the pristine bytes if the caller had changed the first.)
    return Buffer.from(this.positioned('EngineIterator.key').key.subarray(1));
  }

  value(): Buffer {
    return Buffer.from(this.positioned('EngineIterator.value').value);
  }

  next(): void {
    this.positioned('EngineIterator.next');
    this.step();
  }

  close(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.releaseCursor();
  }

  private reposition(start: Buffer, operation: string): void {
    this.releaseCursor();
    this.cursor = this.view.range(start, this.end, operation);
    this.step();
  }

  private step(): void {
    const result = this.cursor!.next();
    this.current = result.done ? undefined : result.value;
  }

  /** Ends the LMDB cursor early (iterator `return`), so it does not outlive this iterator. */
  private releaseCursor(): void {
    const cursor = this.cursor;
    this.cursor = undefined;
    this.current = undefined;
    if (cursor !== undefined && cursor.return !== undefined && !this.view.closed) cursor.return();
  }

  private assertOpen(operation: string): void {
    if (this.isClosed || this.view.closed) throw closedError(operation, 'iterator');
  }

  private positioned(operation: string): { key: Buffer; value: Buffer } {
    this.assertOpen(operation);
    if (this.current === undefined) throw invalidIteratorError(operation);
    return this.current;
  }
}
