/**
 * The set of operations a linearizability search has linearized so far, with a short exact
 * key for its memo.
 *
 * @module
 */

/** The undo token of an {@link LinearizedSet.add} that filled a hole below the highest member. */
const FILLED_HOLE = -2;

/**
 * A set of operation indexes that changes in stack order (add, add, remove the last added...),
 * as the depth-first search does, and whose {@link key} costs what the set's holes cost, not
 * what the history's length costs.
 *
 * Operations are indexed in invocation order, and the search can only linearize an operation
 * once everything that returned before it was invoked is linearized. So the set is almost
 * always a prefix `0..highest` with a few holes: operations that overlap the latest linearized
 * one, and operations with unknown outcome it has not placed. The key writes the highest
 * member and the holes; it is exact (two sets have the same key only when they are equal),
 * unlike a hash, so the memo can never prune a branch it has not seen.
 *
 * @example
 * ```ts
 * const set = new LinearizedSet();
 * const undo = set.add(3); // {3}: holes 0, 1, 2
 * set.key(); // '3/0,1,2'
 * set.remove(3, undo); // {}
 * ```
 */
export class LinearizedSet {
  private highest = -1;
  /** The indexes below `highest` that are not members, ascending. */
  private readonly holes: number[] = [];

  /**
   * Adds `operation`, which must not be a member.
   *
   * @returns the token to pass to {@link remove} when this add is undone.
   * @throws Error when `operation` is already a member.
   */
  add(operation: number): number {
    if (operation > this.highest) {
      const previousHighest = this.highest;
      for (let hole = previousHighest + 1; hole < operation; hole++) this.holes.push(hole);
      this.highest = operation;
      return previousHighest;
    }
    const at = this.holeIndex(operation);
    if (this.holes[at] !== operation) throw new Error(`LinearizedSet.add: operation ${operation} is already linearized; the search linearizes each operation once per branch.`);
    this.holes.splice(at, 1);
    return FILLED_HOLE;
  }

  /**
   * Undoes the latest {@link add} that is not yet undone.
   *
   * @param operation - the operation that add added.
   * @param undo - the token that add returned.
   * @throws Error when the adds are not undone in reverse order.
   */
  remove(operation: number, undo: number): void {
    if (undo === FILLED_HOLE) {
      this.holes.splice(this.holeIndex(operation), 0, operation);
      return;
    }
    if (operation !== this.highest || this.holes.length < operation - undo - 1) {
      throw new Error(`LinearizedSet.remove: operation ${operation} is not the latest addition (highest is ${this.highest}); undo adds in reverse order.`);
    }
    this.holes.length -= operation - undo - 1;
    this.highest = undo;
  }

  /** How many operations are linearized. */
  get size(): number {
    return this.highest + 1 - this.holes.length;
  }

  /** A string equal for two sets exactly when they are equal: `highest/hole,hole,...`. */
  key(): string {
    return this.holes.length === 0 ? String(this.highest) : `${this.highest}/${this.holes.join(',')}`;
  }

  /** Where `operation` is, or would go, in `holes` (binary search). */
  private holeIndex(operation: number): number {
    let low = 0;
    let high = this.holes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.holes[middle] < operation) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
