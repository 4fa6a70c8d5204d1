/**
 * Everything the scheduler knows about the cluster (provided; TinyKV's `RaftCluster` with its
 * `BasicCluster`): stores, regions, and each store's share of the regions.
 *
 * @module
 */
import type { Runtime } from '../../common/runtime/runtime';
import type { PeerMeta, Region } from '../../common/raftstore/region';
import { IdAllocator } from './id-allocator';
import type { RegionInfo } from './region-info';
import { RegionTree } from './region-tree';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from './scheduler-config';
import { StoreInfo, type StoreState, type StoreStatistics } from './store-info';
import { StoreRegionIndex } from './store-region-index';

/**
 * The scheduler's picture of the cluster. Region heartbeats change it through
 * `processRegionHeartbeat` (you write it, stage 3C), which calls {@link ClusterState.putRegion}
 * and {@link ClusterState.updateStoreStatus}; schedulers read it.
 *
 * Two views of a store's share exist on purpose, as in TinyKV: the live counts from the region
 * index (`getStoreRegionCount`, ...) and the {@link StoreInfo.statistics} snapshot that
 * `updateStoreStatus` copies from them. Schedulers read the snapshot, so a store whose status
 * is never updated looks frozen to them.
 *
 * @example
 * ```ts
 * const cluster = new ClusterState(runtime, { ...DEFAULT_SCHEDULER_CONFIG, maxReplicas: 1 });
 * cluster.putStore(1);
 * cluster.getRegionByKey(Buffer.from('k'));   // RegionInfo | undefined
 * cluster.getStore(1)!.statistics;           // as of the last updateStoreStatus(1)
 * ```
 */
export class ClusterState {
  private readonly tree = new RegionTree();
  private readonly index = new StoreRegionIndex();
  private readonly stores = new Map<number, StoreInfo>();

  /**
   * @param runtime - where the clock comes from (virtual time in tests).
   * @param config - the scheduler's settings.
   * @param ids - the id allocator shared with the rest of the scheduler.
   */
  constructor(
    private readonly runtime: Runtime,
    readonly config: SchedulerConfig = DEFAULT_SCHEDULER_CONFIG,
    readonly ids: IdAllocator = new IdAllocator(),
  ) {}

  /** The current time of the runtime, in ms. */
  now(): number {
    return this.runtime.now();
  }

  // ---- stores ----

  /** Registers store `storeId` (Up, heard from now) or returns it if known; its statistics are computed at once. */
  putStore(storeId: number): StoreInfo {
    let store = this.stores.get(storeId);
    if (!store) {
      store = new StoreInfo(storeId, this.now());
      this.stores.set(storeId, store);
      store.setStatistics(this.liveStatistics(storeId));
    }
    return store;
  }

  /** The store with id `storeId`, or undefined when it never registered. */
  getStore(storeId: number): StoreInfo | undefined {
    return this.stores.get(storeId);
  }

  /** Every registered store, by id. */
  getStores(): StoreInfo[] {
    return [...this.stores.values()].sort((a, b) => a.id - b.id);
  }

  /** Sets a store's administrative state. @throws Error when the store is unknown. */
  setStoreState(storeId: number, state: StoreState): void {
    const store = this.stores.get(storeId);
    if (!store) throw new Error(`Cannot set the state of store ${storeId}: the scheduler knows no such store.`);
    store.setState(state);
  }

  /**
   * Recomputes store `storeId`'s {@link StoreInfo.statistics} from the region index: region,
   * leader and pending-peer counts and sizes. Call it for every store a region change touched,
   * including stores that just lost a replica. A store that never registered is skipped (its
   * statistics are computed when it registers).
   */
  updateStoreStatus(storeId: number): void {
    this.stores.get(storeId)?.setStatistics(this.liveStatistics(storeId));
  }

  // ---- regions ----

  /** The region with id `regionId`, or undefined. */
  getRegion(regionId: number): RegionInfo | undefined {
    return this.tree.getById(regionId);
  }

  /** The region holding `key`, or undefined when no known region holds it. */
  getRegionByKey(key: Buffer): RegionInfo | undefined {
    return this.tree.getByKey(key);
  }

  /** The known regions sharing a key with `region`'s range, in key order (including its own old copy, if it overlaps). */
  getOverlaps(region: Region): RegionInfo[] {
    return this.tree.overlaps(region);
  }

  /** Every known region, in key order. */
  getRegions(): RegionInfo[] {
    return this.tree.all();
  }

  /** How many regions are known. */
  get regionCount(): number {
    return this.tree.size;
  }

  /**
   * Stores `info` as the truth about its region: replaces the old copy of the same region and
   * every region whose range it overlaps, and re-indexes the stores. Judges nothing: call it only
   * for a region you checked is not stale. Store statistics are *not* updated here: call
   * {@link ClusterState.updateStoreStatus} for every store involved.
   *
   * @returns the regions it replaced (the old copy first, when there was one).
   */
  putRegion(info: RegionInfo): RegionInfo[] {
    const replaced = this.tree.put(info);
    for (const old of replaced) this.index.remove(old);
    this.index.add(info);
    return replaced;
  }

  // ---- each store's share, live from the region index ----

  /** Regions with a replica on `storeId`. */
  getStoreRegionCount(storeId: number): number {
    return this.index.allRegions(storeId).length;
  }

  /** Regions led from `storeId`. */
  getStoreLeaderCount(storeId: number): number {
    return this.index.leaderRegions(storeId).length;
  }

  /** Regions with a follower on `storeId`. */
  getStoreFollowerCount(storeId: number): number {
    return this.index.followerRegions(storeId).length;
  }

  /** Pending replicas on `storeId`. */
  getStorePendingPeerCount(storeId: number): number {
    return this.index.pendingRegions(storeId).length;
  }

  /** Total size of the regions with a replica on `storeId`. */
  getStoreRegionSize(storeId: number): number {
    return this.index.allRegions(storeId).reduce((sum, info) => sum + info.approximateSizeBytes, 0);
  }

  /** Total size of the regions led from `storeId`. */
  getStoreLeaderSize(storeId: number): number {
    return this.index.leaderRegions(storeId).reduce((sum, info) => sum + info.approximateSizeBytes, 0);
  }

  /** Regions whose replica on `storeId` is pending, by id. */
  pendingRegionsOn(storeId: number): RegionInfo[] {
    return this.index.pendingRegions(storeId);
  }

  /** Regions with a follower on `storeId`, by id. */
  followerRegionsOn(storeId: number): RegionInfo[] {
    return this.index.followerRegions(storeId);
  }

  /** Regions led from `storeId`, by id. */
  leaderRegionsOn(storeId: number): RegionInfo[] {
    return this.index.leaderRegions(storeId);
  }

  /** The registered stores holding a replica of the region, by id. */
  getRegionStores(info: RegionInfo): StoreInfo[] {
    return this.getStores().filter((store) => info.peerOnStore(store.id) !== undefined);
  }

  /** The registered stores holding a follower of the region, by id. */
  getFollowerStores(info: RegionInfo): StoreInfo[] {
    return this.getRegionStores(info).filter((store) => !info.isLeaderOn(store.id));
  }

  // ---- ids ----

  /** A new peer on `storeId`, with a freshly allocated id. */
  allocPeer(storeId: number): PeerMeta {
    return { id: this.ids.alloc(), storeId };
  }

  private liveStatistics(storeId: number): StoreStatistics {
    return {
      regionCount: this.getStoreRegionCount(storeId),
      leaderCount: this.getStoreLeaderCount(storeId),
      pendingPeerCount: this.getStorePendingPeerCount(storeId),
      regionSizeBytes: this.getStoreRegionSize(storeId),
      leaderSizeBytes: this.getStoreLeaderSize(storeId),
    };
  }
}
