/**
 * The write batch: a list of mutations an `Engine` applies atomically.
 *
 * A batch checks what it can at call time (column family, buffer types) so that a mistake
 * shows up at the line that made it rather than later inside `Engine.write`. Limits that
 * depend on the backend (key length) are checked by `Engine.write`, before anything is
 * written.
 *
 * @module
 */
import { EngineError } from './engine';
import type { BatchOp, ColumnFamily } from './engine';
import { assertColumnFamily, assertKey, assertValue } from './engine-checks';

/**
 * An ordered list of mutations to apply atomically with `Engine.write`.
 *
 * The batch copies every buffer it is given, so a caller may reuse or mutate its buffers
 * afterwards. Ops apply in the order they were added: a later put of the same key wins, a
 * delete after a put removes it.
 *
 * A safe point marks a position in the batch: {@link WriteBatch.rollbackToSafePoint} drops
 * every op added after it. A raftstore that puts several entries in one batch can use this to
 * undo the writes of one entry that failed half-way while keeping the earlier entries; the
 * kit's raftstore writes one batch per entry and does not need it (nor does stage 2B).
 *
 * @example
 * ```ts
 * const batch = new WriteBatch();
 * batch.put(CF_DEFAULT, Buffer.from('a'), Buffer.from('1'));
 * batch.delete(CF_LOCK, Buffer.from('a'));
 * engine.write(batch);
 * ```
 */
export class WriteBatch {
  private readonly operations: BatchOp[] = [];
  /** The op count at the last {@link setSafePoint}, or `undefined` when none was set. */
  private safePoint: number | undefined = undefined;

  /** The ops in the order they will be applied. Do not mutate. */
  get ops(): readonly BatchOp[] {
    return this.operations;
  }

  /** The number of ops in the batch. */
  get length(): number {
    return this.operations.length;
  }

  /** True when the batch holds no op (writing it is a no-op). */
  isEmpty(): boolean {
    return this.operations.length === 0;
  }

  /**
   * Adds "set `key` to `value` in `cf`".
   *
   * @param cf - the column family.
   * @param key - the key (copied; may be empty).
   * @param value - the value (copied; an empty value is a present value, not a delete).
   * @returns this batch, for chaining.
   * @throws EngineError `unknown-column-family`, `invalid-key` or `invalid-value`.
   */
  put(cf: ColumnFamily, key: Buffer, value: Buffer): this {
    assertColumnFamily(cf, 'WriteBatch.put');
    assertKey(key, 'WriteBatch.put');
    assertValue(value, 'WriteBatch.put');
    this.operations.push({ kind: 'put', cf, key: Buffer.from(key), value: Buffer.from(value) });
    return this;
  }

  /**
   * Adds "remove `key` from `cf`". Deleting an absent key is allowed and does nothing.
   *
   * @param cf - the column family.
   * @param key - the key (copied).
   * @returns this batch, for chaining.
   * @throws EngineError `unknown-column-family` or `invalid-key`.
   */
  delete(cf: ColumnFamily, key: Buffer): this {
    assertColumnFamily(cf, 'WriteBatch.delete');
    assertKey(key, 'WriteBatch.delete');
    this.operations.push({ kind: 'delete', cf, key: Buffer.from(key) });
    return this;
  }

  /**
   * Adds "remove every key `k` of `cf` with `start <= k < end`".
   *
   * An empty `end` means "to the end of the column family", the convention TinyKV uses for
   * a region's end key (no key sorts before the empty key, so nothing is lost by it).
   * `start === end` is an empty range.
   *
   * @param cf - the column family.
   * @param start - first key removed (inclusive; copied).
   * @param end - first key kept (exclusive; copied); empty for "no upper bound".
   * @returns this batch, for chaining.
   * @throws EngineError `unknown-column-family` or `invalid-key` (also when `start > end`).
   */
  deleteRange(cf: ColumnFamily, start: Buffer, end: Buffer): this {
    assertColumnFamily(cf, 'WriteBatch.deleteRange');
    assertKey(start, 'WriteBatch.deleteRange', 'start key');
    assertKey(end, 'WriteBatch.deleteRange', 'end key');
    if (end.length > 0 && Buffer.compare(start, end) > 0) {
      throw new EngineError(
        'invalid-key',
        `WriteBatch.deleteRange was given start ${start.toString('hex')} after end ${end.toString('hex')} (hex); ` +
          `pass start <= end, or an empty end to delete to the end of the column family.`,
      );
    }
    this.operations.push({ kind: 'deleteRange', cf, start: Buffer.from(start), end: Buffer.from(end) });
    return this;
  }

  /** Marks the current end of the batch; a later {@link rollbackToSafePoint} returns here. Replaces any earlier safe point. */
  setSafePoint(): void {
    this.safePoint = this.operations.length;
  }

  /**
   * Drops every op added since the last {@link setSafePoint}. The safe point stays set, so
   * the batch can roll back to it again.
   *
   * @throws EngineError `no-safe-point` when no safe point was set (or the batch was cleared since).
   */
  rollbackToSafePoint(): void {
    if (this.safePoint === undefined) {
      throw new EngineError(
        'no-safe-point',
        'WriteBatch.rollbackToSafePoint was called but no safe point is set; call setSafePoint() before the ops you may want to undo.',
      );
    }
    this.operations.length = this.safePoint;
  }

  /** Removes every op and the safe point, so the batch can be reused. */
  clear(): void {
    this.operations.length = 0;
    this.safePoint = undefined;
  }
}
