/**
 * Stage 3C: the balance-region scheduler (reference solution). See
 * labs/3-multiraft/README.md#balance-region-3c.
 *
 * @module
 */
import type { Rng } from '../../common/runtime/rng';
import type { ClusterState } from './cluster-state';
import type { Operator } from './operator';
import { createMovePeerOperator } from './operator-builder';
import type { RegionInfo } from './region-info';
import type { Scheduler } from './scheduler';
import type { StoreInfo } from './store-info';

/**
 * Moves replicas from the store with the most region data to the one with the least, one
 * region per run, when the move is worth it.
 */
export class BalanceRegionScheduler implements Scheduler {
  /** The scheduler's name, also its operators' description. */
  readonly name = 'balance-region';

  /** @param rng - picks one region among equally good candidates. */
  constructor(private readonly rng: Rng) {}

  /**
   * Proposes moving one replica from the fullest suitable store to the emptiest suitable store
   * that has none of that region.
   *
   * @returns a move-peer operator, or undefined when no move is worth making.
   */
  schedule(cluster: ClusterState): Operator | undefined {
    const now = cluster.now();
    const suitable = cluster
      .getStores()
      .filter((store) => store.isUp() && store.downTimeMs(now) < cluster.config.maxStoreDownTimeMs)
      .sort((a, b) => b.statistics.regionSizeBytes - a.statistics.regionSizeBytes || a.id - b.id);
    if (suitable.length < 2) return undefined;
    for (const source of suitable) {
      const region = this.pickRegion(cluster, source);
      if (!region) continue;
      return this.moveIfWorthIt(cluster, region, source, suitable);
    }
    return undefined;
  }

  /** A movable region with a replica on `source`: pending replicas first, then followers, then leaders. */
  private pickRegion(cluster: ClusterState, source: StoreInfo): RegionInfo | undefined {
    const hasAllReplicas = (info: RegionInfo) => info.region.peers.length === cluster.config.maxReplicas;
    for (const regions of [cluster.pendingRegionsOn(source.id), cluster.followerRegionsOn(source.id), cluster.leaderRegionsOn(source.id)]) {
      const candidates = regions.filter(hasAllReplicas);
      if (candidates.length > 0) return this.rng.pick(candidates);
    }
    return undefined;
  }

  private moveIfWorthIt(cluster: ClusterState, region: RegionInfo, source: StoreInfo, suitable: readonly StoreInfo[]): Operator | undefined {
    const holders = region.storeIds();
    const target = suitable
      .filter((store) => !holders.has(store.id))
      .reduce<StoreInfo | undefined>((best, store) => (best === undefined || store.statistics.regionSizeBytes < best.statistics.regionSizeBytes ? store : best), undefined);
    if (!target) return undefined;
    // After the move the source has shrunk by the region and the target grown by it; unless the
    // gap exceeds twice the region, the target would end up the larger and the next run would
    // move it straight back.
    const gap = source.statistics.regionSizeBytes - target.statistics.regionSizeBytes;
    if (gap <= 2 * region.approximateSizeBytes) return undefined;
    const newPeer = cluster.allocPeer(target.id);
    return createMovePeerOperator(this.name, region, source.id, target.id, newPeer.id, cluster.now());
  }
}
