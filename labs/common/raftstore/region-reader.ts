/**
 * Reading user data of a region out of a kv-engine read view.
 *
 * @module
 */
import type { ColumnFamily, ReadView } from '../engine/engine';
import type { KvPair } from '../proto/raw';
import { dataEndKey, dataKey, userKeyOf } from './meta-keys';
import type { Region } from './region';

/**
 * The value of user key `key` in `cf`, read from a kv-engine view.
 *
 * @returns the value, or undefined when absent.
 */
export function getUserValue(view: ReadView, cf: ColumnFamily, key: Buffer): Buffer | undefined {
  return view.get(cf, dataKey(key));
}

/**
 * The user pairs of `cf` with `startKey <= key < endKey` inside `region`, in key order.
 *
 * @param view - a kv-engine read view (from a `snap` response).
 * @param region - bounds the scan: keys outside the region are not returned.
 * @param cf - the column family.
 * @param startKey - the first key wanted (clamped to the region's start).
 * @param endKey - the first key not wanted; empty for "to the region's end".
 * @param limit - the most pairs to return.
 * @returns the pairs, with user keys (the `z` prefix removed).
 */
export function scanUserPairs(view: ReadView, region: Region, cf: ColumnFamily, startKey: Buffer, endKey: Buffer, limit: number): KvPair[] {
  const start = Buffer.compare(startKey, region.startKey) < 0 ? region.startKey : startKey;
  let end = region.endKey;
  if (endKey.length > 0 && (end.length === 0 || Buffer.compare(endKey, end) < 0)) end = endKey;
  const stopAt = dataEndKey(end);
  const pairs: KvPair[] = [];
  const iterator = view.iterator(cf);
  try {
    for (iterator.seek(dataKey(start)); iterator.valid() && pairs.length < limit; iterator.next()) {
      const key = iterator.key();
      if (Buffer.compare(key, stopAt) >= 0) break;
      pairs.push({ key: Buffer.from(userKeyOf(key)), value: iterator.value() });
    }
  } finally {
    iterator.close();
  }
  return pairs;
}
