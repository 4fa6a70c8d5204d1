/**
 * Stage 3C test helpers: regions and heartbeats built in one line, a cluster state on a virtual
 * clock, and the checks every heartbeat test ends with.
 *
 * The checks compare the scheduler's cluster state with the list of regions the test expects
 * it to hold, computing every per-store number from that list (never from the scheduler's own
 * index), so a wrong index or a store whose statistics were not refreshed shows up by name.
 */
import { isDeepStrictEqual, inspect } from 'node:util';
import { SimulatedRuntime } from '../../common/runtime/simulated-runtime';
import { describeRegion, type PeerMeta, type Region, type RegionEpoch } from '../../common/raftstore/region';
import type { RegionHeartbeat } from '../../common/scheduler/heartbeat';
import { ClusterState } from '../src/cluster-state';
import { processRegionHeartbeat } from '../src/process-region-heartbeat';
import { RegionInfo } from '../src/region-info';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '../src/scheduler-config';
import { StaleRegionError } from '../src/stale-region-error';
import type { StoreStatistics } from '../src/store-info';

/** Where to read about heartbeats, for failure messages. */
export const HEARTBEAT_HANDOUT = 'labs/3-multiraft/README.md#region-heartbeats-3c';
/** Where to read about balance-region, for failure messages. */
export const BALANCE_HANDOUT = 'labs/3-multiraft/README.md#balance-region-3c';

/** A key from a string. */
export function key(text: string): Buffer {
  return Buffer.from(text, 'latin1');
}

/** Options of {@link makeRegion}. */
export interface RegionShape {
  readonly id: number;
  /** Start key; '' for the beginning of the key space. */
  readonly start: string;
  /** End key; '' for the end of the key space. */
  readonly end: string;
  /** Peers as `[peerId, storeId]`. */
  readonly peers: ReadonlyArray<readonly [number, number]>;
  readonly epoch?: RegionEpoch;
}

/** A region from a compact description (epoch 1/1 unless given). */
export function makeRegion(shape: RegionShape): Region {
  return {
    id: shape.id,
    startKey: key(shape.start),
    endKey: key(shape.end),
    epoch: shape.epoch ?? { confVer: 1, version: 1 },
    peers: shape.peers.map(([id, storeId]) => ({ id, storeId })),
  };
}

/** Options of {@link report}: who leads, who is pending, how big. */
export interface ReportShape {
  /** Store of the leader (default: the first peer's store). */
  readonly leaderStore?: number;
  /** Stores whose replica is pending. */
  readonly pendingStores?: readonly number[];
  /** Approximate size (default 10). */
  readonly size?: number;
}

/** What the region's leader would report. */
export function report(region: Region, shape: ReportShape = {}): RegionInfo {
  const onStore = (storeId: number): PeerMeta => {
    const peer = region.peers.find((p) => p.storeId === storeId);
    if (!peer) throw new Error(`Test bug: ${describeRegion(region)} has no peer on store ${storeId}.`);
    return peer;
  };
  const leader = shape.leaderStore === undefined ? region.peers[0] : onStore(shape.leaderStore);
  return new RegionInfo(region, leader, (shape.pendingStores ?? []).map(onStore), shape.size ?? 10);
}

/** The heartbeat a leader would send for `info`. */
export function toHeartbeat(info: RegionInfo): RegionHeartbeat {
  if (!info.leader) throw new Error(`Test bug: ${info.describe()} has no leader to send its heartbeat.`);
  return { region: info.region, leader: info.leader, pendingPeers: info.pendingPeers, approximateSizeBytes: info.approximateSizeBytes };
}

/** A copy of `info`'s region with changes. */
export function withRegion(info: RegionInfo, change: Partial<Region>, shape?: ReportShape): RegionInfo {
  const region = { ...info.region, ...change };
  return report(region, {
    leaderStore: shape?.leaderStore ?? (region.peers.some((p) => p.id === info.leader?.id) ? info.leader?.storeId : undefined),
    pendingStores: shape?.pendingStores ?? info.pendingPeers.filter((p) => region.peers.some((q) => q.id === p.id)).map((p) => p.storeId),
    size: shape?.size ?? info.approximateSizeBytes,
  });
}

/** `epoch` with the given increments. */
export function bump(epoch: RegionEpoch, confVer: number, version: number): RegionEpoch {
  return { confVer: epoch.confVer + confVer, version: epoch.version + version };
}

/**
 * TinyKV's starting point for heartbeat tests: `count` regions side by side (region i holds
 * [`k<i>`, `k<i+1>`), the first starts at '' and the last ends at ''), each with a peer on
 * every one of `stores` stores (peer id = 100·i + store), leader on store 1, epoch 1/1, size 10·i.
 */
export function sideBySideRegions(count: number, stores: number): RegionInfo[] {
  return Array.from({ length: count }, (_, index) => {
    const id = index + 1;
    const region = makeRegion({
      id,
      start: index === 0 ? '' : `k${id}`,
      end: index === count - 1 ? '' : `k${id + 1}`,
      peers: Array.from({ length: stores }, (_, s) => [100 * id + s + 1, s + 1] as const),
    });
    return report(region, { size: 10 * id });
  });
}

/** A cluster state on a virtual clock, with the checks heartbeat tests need. */
export class SchedulerFixture {
  readonly runtime: SimulatedRuntime;
  readonly cluster: ClusterState;

  /**
   * @param stores - store ids to register.
   * @param config - changes to the default scheduler config.
   * @param seed - the runtime's seed.
   */
  constructor(stores: readonly number[], config: Partial<SchedulerConfig> = {}, seed = 1) {
    this.runtime = new SimulatedRuntime({ seed });
    this.cluster = new ClusterState(this.runtime, { ...DEFAULT_SCHEDULER_CONFIG, ...config });
    for (const storeId of stores) this.cluster.putStore(storeId);
  }

  /** Hands a report to the student's `processRegionHeartbeat`; it must be accepted. */
  accept(info: RegionInfo): void {
    try {
      processRegionHeartbeat(this.cluster, info);
    } catch (error) {
      if (error instanceof StaleRegionError) {
        throw new Error(`processRegionHeartbeat rejected ${info.describe()} as stale, but it is not: ${error.message} (see ${HEARTBEAT_HANDOUT})`);
      }
      throw error;
    }
  }

  /**
   * Hands a report to `processRegionHeartbeat` when either outcome is right (in a shuffled
   * stream, whether a report is stale depends on what came before).
   *
   * @returns whether it was accepted or rejected as stale.
   */
  offer(info: RegionInfo): 'accepted' | 'stale' {
    try {
      processRegionHeartbeat(this.cluster, info);
      return 'accepted';
    } catch (error) {
      if (error instanceof StaleRegionError) return 'stale';
      throw error;
    }
  }

  /** Hands a stale report to `processRegionHeartbeat`: it must throw StaleRegionError and change nothing. */
  reject(info: RegionInfo): void {
    const before = this.snapshot();
    let thrown: unknown;
    try {
      processRegionHeartbeat(this.cluster, info);
    } catch (error) {
      thrown = error;
    }
    if (thrown === undefined) throw new Error(`processRegionHeartbeat accepted the stale ${info.describe()}; expected a StaleRegionError (see ${HEARTBEAT_HANDOUT}).`);
    if (!(thrown instanceof StaleRegionError)) throw thrown;
    same(this.snapshot(), before, `Rejecting ${info.describe()} must change nothing: check for staleness before putRegion (see ${HEARTBEAT_HANDOUT}).`);
  }

  /** Everything observable about the cluster state, for before/after comparisons. */
  snapshot(): { regions: string[]; statistics: Record<number, StoreStatistics> } {
    return {
      regions: this.cluster.getRegions().map((info) => info.describe()),
      statistics: Object.fromEntries(this.cluster.getStores().map((store) => [store.id, store.statistics])),
    };
  }

  /**
   * Checks that the cluster holds exactly `expected` (by id, by key, in key order) and that every
   * registered store's counts — from the region index and from its statistics — are what
   * `expected` implies.
   */
  expectRegions(expected: readonly RegionInfo[]): void {
    expectClusterRegions(this.cluster, expected);
  }
}

/**
 * Checks that `cluster` holds exactly `expected` (by id, by key, in key order) and that every
 * registered store's counts — from the region index and from its statistics — are what
 * `expected` implies.
 */
export function expectClusterRegions(cluster: ClusterState, expected: readonly RegionInfo[]): void {
  const inKeyOrder = [...expected].sort((a, b) => Buffer.compare(a.region.startKey, b.region.startKey));
  same(
    cluster.getRegions().map((info) => info.describe()),
    inKeyOrder.map((info) => info.describe()),
    `The region tree should hold exactly these regions, in key order (see ${HEARTBEAT_HANDOUT}).`,
  );
  for (const info of expected) {
    same(cluster.getRegion(info.id)?.describe(), info.describe(), `getRegion(${info.id}) should return the latest accepted report.`);
    same(cluster.getRegionByKey(info.region.startKey)?.describe(), info.describe(), `getRegionByKey(${JSON.stringify(info.region.startKey.toString('latin1'))}) should find region ${info.id}.`);
  }
  for (const store of cluster.getStores()) {
    const wanted = expectedStatistics(expected, store.id);
    const live: StoreStatistics = {
      regionCount: cluster.getStoreRegionCount(store.id),
      leaderCount: cluster.getStoreLeaderCount(store.id),
      pendingPeerCount: cluster.getStorePendingPeerCount(store.id),
      regionSizeBytes: cluster.getStoreRegionSize(store.id),
      leaderSizeBytes: cluster.getStoreLeaderSize(store.id),
    };
    same(live, wanted, `Store ${store.id}'s share of the region tree is wrong: a region was stored that should not have been, or one is missing.`);
    // Statistics change only through updateStoreStatus: stale ones mean this store was not updated.
    same(
      store.statistics,
      wanted,
      `Store ${store.id}'s statistics are out of date: call cluster.updateStoreStatus for every store of the new region and of every region it replaced (see ${HEARTBEAT_HANDOUT}).`,
    );
  }
}

/** A store's counts and sizes as the list of regions implies them. */
export function expectedStatistics(regions: readonly RegionInfo[], storeId: number): StoreStatistics {
  const onStore = regions.filter((info) => info.peerOnStore(storeId));
  const led = onStore.filter((info) => info.isLeaderOn(storeId));
  return {
    regionCount: onStore.length,
    leaderCount: led.length,
    pendingPeerCount: onStore.filter((info) => info.isPendingOn(storeId)).length,
    regionSizeBytes: onStore.reduce((sum, info) => sum + info.approximateSizeBytes, 0),
    leaderSizeBytes: led.reduce((sum, info) => sum + info.approximateSizeBytes, 0),
  };
}

/** Fails with `message` and both values when `actual` and `expected` differ. */
export function same<T>(actual: T, expected: T, message: string): void {
  if (isDeepStrictEqual(actual, expected)) return;
  const show = (value: unknown) => inspect(value, { depth: 6, breakLength: 120 });
  throw new Error(`${message}\n  expected: ${show(expected)}\n  received: ${show(actual)}`);
}
