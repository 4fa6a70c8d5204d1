/**
 * Unique ids for regions and peers (provided; TinyKV's scheduler `AllocID`).
 *
 * @module
 */

/**
 * Hands out increasing ids, never the same twice. Regions and peers share one id space, as in
 * TinyKV, so an id names one thing in the whole cluster.
 *
 * @example
 * ```ts
 * const ids = new IdAllocator();
 * ids.alloc(); // 1
 * ids.alloc(); // 2
 * ```
 */
export class IdAllocator {
  private next: number;

  /**
   * @param firstId - the first id handed out (ids start at 1 by default: 0 means "none" in Raft).
   * @throws RangeError when `firstId` is not a positive integer.
   */
  constructor(firstId = 1) {
    if (!Number.isSafeInteger(firstId) || firstId < 1) throw new RangeError(`IdAllocator needs a positive integer first id, got ${firstId}.`);
    this.next = firstId;
  }

  /** A new id, larger than every id handed out before. */
  alloc(): number {
    return this.next++;
  }

  /** The id the next {@link IdAllocator.alloc} will return (for reports; allocates nothing). */
  peek(): number {
    return this.next;
  }
}
