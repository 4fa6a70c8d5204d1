/**
 * A binary min-heap: the simulator's event queue.
 *
 * @module
 */

/**
 * A min-heap ordered by `compare` (negative when the first argument comes first). Push and
 * pop are O(log n); peek is O(1). Iterative sift, no recursion.
 *
 * @example
 * ```ts
 * const heap = new BinaryHeap<number>((a, b) => a - b);
 * heap.push(3); heap.push(1); heap.push(2);
 * heap.pop(); // 1
 * ```
 */
export class BinaryHeap<T> {
  private readonly items: T[] = [];

  /**
   * @param compare - the order: negative when `left` must come out before `right`. It must
   *   be a total order for the pop order to be deterministic (break ties with a sequence number).
   */
  constructor(private readonly compare: (left: T, right: T) => number) {}

  /** How many items the heap holds. */
  get size(): number {
    return this.items.length;
  }

  /** The item that {@link pop} would return, without removing it; `undefined` when empty. */
  peek(): T | undefined {
    return this.items[0];
  }

  /** Adds `item`. */
  push(item: T): void {
    const items = this.items;
    items.push(item);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (this.compare(items[index], items[parent]) >= 0) break;
      [items[index], items[parent]] = [items[parent], items[index]];
      index = parent;
    }
  }

  /** Removes and returns the first item in `compare` order; `undefined` when empty. */
  pop(): T | undefined {
    const items = this.items;
    if (items.length === 0) return undefined;
    const first = items[0];
    const last = items.pop() as T;
    if (items.length > 0) {
      items[0] = last;
      this.siftDown(0);
    }
    return first;
  }

  /**
   * Keeps only the items for which `keep` returns true and restores the heap order in O(n).
   * The simulator uses it to shed cancelled timers so the heap stays bounded by live work.
   */
  retain(keep: (item: T) => boolean): void {
    const kept = this.items.filter(keep);
    this.items.length = 0;
    this.items.push(...kept);
    for (let index = (this.items.length >> 1) - 1; index >= 0; index--) this.siftDown(index);
  }

  /** Every item, in no particular order (for reports). */
  toArray(): T[] {
    return this.items.slice();
  }

  private siftDown(start: number): void {
    const items = this.items;
    const length = items.length;
    let index = start;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < length && this.compare(items[left], items[smallest]) < 0) smallest = left;
      if (right < length && this.compare(items[right], items[smallest]) < 0) smallest = right;
      if (smallest === index) return;
      [items[index], items[smallest]] = [items[smallest], items[index]];
      index = smallest;
    }
  }
}
