// Goal: the event queue's heap pops in exactly the order a full sort would give, and
// `retain` keeps that order. Method: seeded random inputs compared with Array.sort.
import { BinaryHeap } from '../binary-heap';
import { createRng } from '../rng';

describe('BinaryHeap', () => {
  test('pops items in ascending order for random pushes', () => {
    const rng = createRng(7);
    const heap = new BinaryHeap<number>((a, b) => a - b);
    const values = Array.from({ length: 500 }, () => rng.int(-1000, 1000));
    values.forEach((value) => heap.push(value));
    expect(heap.size).toBe(500);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop() as number);
    expect(popped).toEqual(values.slice().sort((a, b) => a - b));
    expect(heap.pop()).toBeUndefined();
  });

  test('peek shows the next item without removing it', () => {
    const heap = new BinaryHeap<number>((a, b) => a - b);
    expect(heap.peek()).toBeUndefined();
    heap.push(5);
    heap.push(2);
    expect(heap.peek()).toBe(2);
    expect(heap.size).toBe(2);
  });

  test('retain drops filtered items and keeps heap order', () => {
    const rng = createRng(11);
    const heap = new BinaryHeap<number>((a, b) => a - b);
    const values = Array.from({ length: 300 }, () => rng.int(0, 10_000));
    values.forEach((value) => heap.push(value));
    heap.retain((value) => value % 3 !== 0);
    const popped: number[] = [];
    while (heap.size > 0) popped.push(heap.pop() as number);
    expect(popped).toEqual(values.filter((value) => value % 3 !== 0).sort((a, b) => a - b));
  });
});
