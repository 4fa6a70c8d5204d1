/**
 * Splitting a key/value history into parts that can be checked for linearizability one by one.
 *
 * @module
 */
import type { KvOperation } from './linearizability-kv-model';

/** A scan's keys, as a range of indexes into the sorted list of the history's keys. */
interface KeyInterval {
  /** First index covered. */
  readonly low: number;
  /** One past the last index covered. */
  readonly high: number;
}

function text(bytes: Buffer): string {
  return bytes.toString('latin1');
}

/** Latin1 strings compare with < exactly as their bytes compare with memcmp. */
function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** The first index of `keys` (sorted) that is `>= key`. */
function lowerBound(keys: readonly string[], key: string): number {
  let low = 0;
  let high = keys.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (keys[middle] < key) low = middle + 1;
    else high = middle;
  }
  return low;
}

function intervalOf(keys: readonly string[], operation: KvOperation): KeyInterval {
  const input = operation.input as Extract<KvOperation['input'], { kind: 'scan' }>;
  const low = lowerBound(keys, text(input.startKey));
  const high = input.endKey !== undefined && input.endKey.length > 0 ? lowerBound(keys, text(input.endKey)) : keys.length;
  return { low, high: Math.max(low, high) };
}

/**
 * Splits a key/value history into independent parts (P-compositionality): the connected
 * components of keys, where a scan connects every key of its range.
 *
 * A single-key operation touches its key. A scan touches every key in its range that any
 * operation of the history names (a key nobody wrote cannot be in a correct answer, and an
 * answer that shows one is refuted within the scan's own part), and a limit does not shrink
 * that: whether a key is among the first `limit` depends on the others. Keys touched by one
 * scan, or by scans whose ranges share a key, form one part with every operation on them. A
 * scan whose range holds no key of the history goes in a part of such scans, checked against
 * the empty store.
 *
 * A history without scans is split by key; a history with a whole-range scan is one part.
 *
 * @param operations - the history (unknown-outcome reads may already be left out).
 * @returns the parts, ordered by their smallest key (scans over no key last), each in
 *   history order.
 *
 * @example
 * ```ts
 * partitionKvHistory(operations).length; // 3 for gets and puts on keys a, b and c, no scan
 * ```
 */
export function partitionKvHistory(operations: readonly KvOperation[]): KvOperation[][] {
  const keys = [...new Set(operations.filter((operation) => operation.input.kind !== 'scan').map((operation) => text((operation.input as { key: Buffer }).key)))].sort(compareText);
  const scans = operations.filter((operation) => operation.input.kind === 'scan');
  const intervals = new Map(scans.map((scan) => [scan, intervalOf(keys, scan)] as const));

  // Each key's component: its own index, unless scans join it to a run of neighbours.
  const componentOfKey = keys.map((_, index) => index);
  const covering = [...intervals.values()].filter((interval) => interval.high > interval.low).sort((left, right) => left.low - right.low);
  let runStart = -1;
  let runEnd = -1;
  for (const interval of covering) {
    // Intervals sharing a key (low < runEnd) join one run; the run's first key names it.
    // Keys below runEnd are already in the run, so each key is assigned once.
    if (interval.low >= runEnd) {
      runStart = interval.low;
      runEnd = interval.low;
    }
    for (let index = runEnd; index < interval.high; index++) componentOfKey[index] = runStart;
    runEnd = Math.max(runEnd, interval.high);
  }

  const keyIndex = new Map(keys.map((key, index) => [key, index] as const));
  const parts = new Map<number, KvOperation[]>();
  const keyless: KvOperation[] = [];
  for (const operation of operations) {
    let component: number;
    if (operation.input.kind === 'scan') {
      const interval = intervals.get(operation) as KeyInterval;
      if (interval.high === interval.low) {
        keyless.push(operation);
        continue;
      }
      component = componentOfKey[interval.low];
    } else component = componentOfKey[keyIndex.get(text(operation.input.key)) as number];
    const part = parts.get(component);
    if (part === undefined) parts.set(component, [operation]);
    else part.push(operation);
  }
  const ordered = [...parts.entries()].sort(([left], [right]) => left - right).map(([, part]) => part);
  return keyless.length > 0 ? [...ordered, keyless] : ordered;
}
