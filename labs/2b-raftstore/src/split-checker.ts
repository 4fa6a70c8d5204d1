/**
 * The size-based split checker (provided, stage 3B): how big a region is, and where to cut it.
 *
 * @module
 */
import { COLUMN_FAMILIES, type ReadView } from '../../common/engine/engine';
import { dataEndKey, dataKey, userKeyOf } from '../../common/raftstore/meta-keys';
import type { Region } from '../../common/raftstore/region';

/** What a scan of a region found. */
export interface SplitCheck {
  /** The region's approximate size: the bytes of its keys and values, every column family. */
  readonly sizeBytes: number;
  /** Where to split (a user key strictly inside the region), or undefined when it need not split. */
  readonly splitKey?: Buffer;
}

/**
 * Measures a region and, when it is larger than `maxSizeBytes`, picks the split key: the first
 * key (of the default column family, in key order) before which at least `splitSizeBytes` of
 * data lies, as TinyKV's size checker does. The left half is therefore never empty and the split
 * key is never the region's start key.
 *
 * @param view - a view of the store's kv engine.
 * @param region - the region to measure.
 * @param maxSizeBytes - a region larger than this splits.
 * @param splitSizeBytes - the size of the left half.
 */
export function checkSplit(view: ReadView, region: Region, maxSizeBytes: number, splitSizeBytes: number): SplitCheck {
  const start = dataKey(region.startKey);
  const end = dataEndKey(region.endKey);
  let sizeBytes = 0;
  let splitKey: Buffer | undefined;
  for (const cf of COLUMN_FAMILIES) {
    const iterator = view.iterator(cf);
    try {
      for (iterator.seek(start); iterator.valid(); iterator.next()) {
        const key = iterator.key();
        if (Buffer.compare(key, end) >= 0) break;
        if (cf === 'default' && splitKey === undefined && sizeBytes >= splitSizeBytes) splitKey = Buffer.from(userKeyOf(key));
        sizeBytes += key.length - 1 + iterator.value().length;
      }
    } finally {
      iterator.close();
    }
  }
  return sizeBytes > maxSizeBytes && splitKey !== undefined ? { sizeBytes, splitKey } : { sizeBytes };
}
