/**
 * The scheduler's map of the key space (provided; TinyKV's `core.RegionsInfo` tree): regions by
 * id and by key range, with overlap lookup.
 *
 * @module
 */
import BTree from 'sorted-btree';
import { describeRegion, type Region } from '../../common/raftstore/region';
import type { RegionInfo } from './region-info';

/** Tree keys are start keys as latin1 strings: one char per byte, so string order is byte order. */
function treeKey(key: Buffer): string {
  return key.toString('latin1');
}

/** True when `key` is below the region's end (an empty end key is "no upper bound"). */
function beforeEnd(key: Buffer, region: Region): boolean {
  return region.endKey.length === 0 || Buffer.compare(key, region.endKey) < 0;
}

/** True when the two ranges share at least one key. */
export function rangesOverlap(a: Region, b: Region): boolean {
  return beforeEnd(b.startKey, a) && beforeEnd(a.startKey, b);
}

/**
 * Regions indexed by id and by start key. Invariant: the regions in the tree never overlap, and
 * both indexes hold the same regions. {@link RegionTree.put} keeps it by removing every region
 * the new one overlaps — the tree does not judge which is newer; that is the caller's job
 * (`processRegionHeartbeat`).
 *
 * A key no region covers is a *gap*: it happens while a split or merge is only half reported.
 *
 * @example
 * ```ts
 * const tree = new RegionTree();
 * tree.put(info);                         // returns the regions it replaced
 * tree.getByKey(Buffer.from('k1'));       // the region holding k1, or undefined
 * tree.overlaps(otherRegion);             // regions sharing a key with it, in key order
 * ```
 */
export class RegionTree {
  private readonly byStartKey = new BTree<string, RegionInfo>();
  private readonly byId = new Map<number, RegionInfo>();

  /** How many regions the tree holds. */
  get size(): number {
    return this.byId.size;
  }

  /** The region with id `regionId`, or undefined. */
  getById(regionId: number): RegionInfo | undefined {
    return this.byId.get(regionId);
  }

  /** The region whose range holds `key`, or undefined when the key falls in a gap. */
  getByKey(key: Buffer): RegionInfo | undefined {
    const pair = this.byStartKey.getPairOrNextLower(treeKey(key));
    if (!pair) return undefined;
    return beforeEnd(key, pair[1].region) ? pair[1] : undefined;
  }

  /** The regions sharing at least one key with `region`'s range, in key order (its own old copy included). */
  overlaps(region: Region): RegionInfo[] {
    const found: RegionInfo[] = [];
    // The region that starts at or before our start may reach into our range; every later one
    // overlaps as long as it starts before our end.
    const before = this.byStartKey.getPairOrNextLower(treeKey(region.startKey));
    if (before && rangesOverlap(before[1].region, region)) found.push(before[1]);
    for (const [start, info] of this.byStartKey.entries(treeKey(region.startKey))) {
      if (before && start === before[0]) continue;
      if (!beforeEnd(info.region.startKey, region)) break;
      found.push(info);
    }
    return found;
  }

  /**
   * Stores `info`, replacing the old copy of the same region and every region it overlaps.
   *
   * @returns the regions removed to make room (the old copy first, when there was one).
   */
  put(info: RegionInfo): RegionInfo[] {
    const removed: RegionInfo[] = [];
    const old = this.byId.get(info.id);
    if (old) removed.push(this.remove(old.id)!);
    for (const overlapped of this.overlaps(info.region)) removed.push(this.remove(overlapped.id)!);
    this.byId.set(info.id, info);
    this.byStartKey.set(treeKey(info.region.startKey), info);
    return removed;
  }

  /**
   * Removes the region with id `regionId`.
   *
   * @returns what was removed, or undefined when the tree did not hold it.
   */
  remove(regionId: number): RegionInfo | undefined {
    const info = this.byId.get(regionId);
    if (!info) return undefined;
    this.byId.delete(regionId);
    const key = treeKey(info.region.startKey);
    if (this.byStartKey.get(key) !== info) {
      throw new Error(`The region tree is corrupt: ${describeRegion(info.region)} is indexed by id but not by its start key.`);
    }
    this.byStartKey.delete(key);
    return info;
  }

  /** Every region in key order. */
  all(): RegionInfo[] {
    return [...this.byStartKey.values()];
  }
}
