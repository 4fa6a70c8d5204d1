/**
 * Which regions each store leads, follows and lags in (provided; TinyKV keeps the same three
 * maps beside its region tree).
 *
 * @module
 */
import type { RegionInfo } from './region-info';

/** The regions of one store, by role, keyed by region id. */
interface StoreRegions {
  readonly leaders: Map<number, RegionInfo>;
  readonly followers: Map<number, RegionInfo>;
  readonly pending: Map<number, RegionInfo>;
}

function byId(regions: Map<number, RegionInfo>): RegionInfo[] {
  return [...regions.values()].sort((a, b) => a.id - b.id);
}

/**
 * For every store: the regions whose leader it holds, the regions it holds a follower of, and
 * the regions whose replica on it is pending. Kept in step with the region tree by
 * `ClusterState.putRegion`; every region in the tree is indexed under each of its stores, and
 * nothing else is.
 */
export class StoreRegionIndex {
  private readonly stores = new Map<number, StoreRegions>();

  /** Indexes `info` under every store it has a replica on. */
  add(info: RegionInfo): void {
    for (const peer of info.region.peers) {
      const regions = this.regionsOf(peer.storeId);
      (info.isLeaderOn(peer.storeId) ? regions.leaders : regions.followers).set(info.id, info);
      if (info.isPendingPeer(peer.id)) regions.pending.set(info.id, info);
    }
  }

  /** Removes `info` (the copy that was indexed) from every store it was indexed under. */
  remove(info: RegionInfo): void {
    for (const peer of info.region.peers) {
      const regions = this.stores.get(peer.storeId);
      if (!regions) continue;
      regions.leaders.delete(info.id);
      regions.followers.delete(info.id);
      regions.pending.delete(info.id);
    }
  }

  /** Regions led from `storeId`, by id. */
  leaderRegions(storeId: number): RegionInfo[] {
    return byId(this.regionsOf(storeId).leaders);
  }

  /** Regions with a follower on `storeId`, by id. */
  followerRegions(storeId: number): RegionInfo[] {
    return byId(this.regionsOf(storeId).followers);
  }

  /** Regions whose replica on `storeId` is pending, by id. */
  pendingRegions(storeId: number): RegionInfo[] {
    return byId(this.regionsOf(storeId).pending);
  }

  /** Every region with a replica on `storeId`, by id. */
  allRegions(storeId: number): RegionInfo[] {
    const regions = this.regionsOf(storeId);
    return byId(new Map([...regions.leaders, ...regions.followers]));
  }

  private regionsOf(storeId: number): StoreRegions {
    let regions = this.stores.get(storeId);
    if (!regions) {
      regions = { leaders: new Map(), followers: new Map(), pending: new Map() };
      this.stores.set(storeId, regions);
    }
    return regions;
  }
}
