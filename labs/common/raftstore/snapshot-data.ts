/**
 * What a region snapshot carries (stage 2C): the region and every user pair it holds, as bytes
 * in the `data` field of a Raft `Snapshot` (TinyKV's `RaftSnapshotData` plus the files it
 * points to, in one buffer).
 *
 * @module
 */
import { COLUMN_FAMILIES, type ColumnFamily, type ReadView } from '../engine/engine';
import { readU64, writeU64 } from './byte-layout';
import { dataEndKey, dataKey } from './meta-keys';
import { decodeRegion, encodeRegion, type Region } from './region';

/** One user pair of a snapshot: its column family, its user key (no `z` prefix) and value. */
export interface SnapshotPair {
  readonly cf: ColumnFamily;
  readonly key: Buffer;
  readonly value: Buffer;
}

/** The decoded contents of a region snapshot. */
export interface SnapshotData {
  /** The region as it was at the snapshot's index (its range, epoch and peers). */
  readonly region: Region;
  /** Every user pair of the region, column family by column family, in key order. */
  readonly pairs: readonly SnapshotPair[];
}

const MAGIC = Buffer.from('TKVSNAP1');

/**
 * Reads every user pair of `region` out of a kv-engine view, in column-family then key order.
 *
 * @returns the pairs with user keys (the `z` prefix removed).
 */
export function regionPairs(view: ReadView, region: Region): SnapshotPair[] {
  const pairs: SnapshotPair[] = [];
  const start = dataKey(region.startKey);
  const end = dataEndKey(region.endKey);
  for (const cf of COLUMN_FAMILIES) {
    const iterator = view.iterator(cf);
    try {
      for (iterator.seek(start); iterator.valid(); iterator.next()) {
        const key = iterator.key();
        if (Buffer.compare(key, end) >= 0) break;
        pairs.push({ cf, key: key.subarray(1), value: iterator.value() });
      }
    } finally {
      iterator.close();
    }
  }
  return pairs;
}

/**
 * Serialises a snapshot. Byte layout: `"TKVSNAP1" | regionLength(u64) | region (JSON, see
 * encodeRegion) | pairCount(u64) | pairs`, each pair `cfIndex(u8) | keyLength(u64) | key |
 * valueLength(u64) | value`, where cfIndex is the column family's position in COLUMN_FAMILIES.
 */
export function encodeSnapshotData(data: SnapshotData): Buffer {
  const region = encodeRegion(data.region);
  let size = MAGIC.length + 8 + region.length + 8;
  for (const pair of data.pairs) size += 1 + 8 + pair.key.length + 8 + pair.value.length;
  const bytes = Buffer.alloc(size);
  let offset = MAGIC.copy(bytes, 0);
  writeU64(bytes, offset, region.length);
  offset += 8;
  offset += region.copy(bytes, offset);
  writeU64(bytes, offset, data.pairs.length);
  offset += 8;
  for (const pair of data.pairs) {
    bytes[offset++] = COLUMN_FAMILIES.indexOf(pair.cf);
    writeU64(bytes, offset, pair.key.length);
    offset += 8;
    offset += pair.key.copy(bytes, offset);
    writeU64(bytes, offset, pair.value.length);
    offset += 8;
    offset += pair.value.copy(bytes, offset);
  }
  return bytes;
}

/**
 * Reads back a snapshot written by {@link encodeSnapshotData}.
 *
 * @throws RangeError when the bytes are not a region snapshot (wrong magic, truncated, unknown column family).
 */
export function decodeSnapshotData(bytes: Buffer): SnapshotData {
  const corrupt = (why: string): RangeError => new RangeError(`The snapshot data is not a region snapshot: ${why}.`);
  if (bytes.length < MAGIC.length + 16 || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt('it does not start with TKVSNAP1');
  let offset = MAGIC.length;
  const take = (length: number): Buffer => {
    if (offset + length > bytes.length) throw corrupt(`it ends at byte ${bytes.length}, inside a record`);
    const slice = Buffer.from(bytes.subarray(offset, offset + length));
    offset += length;
    return slice;
  };
  const readLength = (): number => readU64(take(8), 0);
  const region = decodeRegion(take(readLength()));
  const count = readLength();
  const pairs: SnapshotPair[] = [];
  for (let i = 0; i < count; i++) {
    const cf = COLUMN_FAMILIES[take(1)[0]];
    if (cf === undefined) throw corrupt(`pair ${i} names an unknown column family`);
    const key = take(readLength());
    const value = take(readLength());
    pairs.push({ cf, key, value });
  }
  return { region, pairs };
}
