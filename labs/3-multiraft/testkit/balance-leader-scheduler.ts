/**
 * A balance-leader scheduler for the end-to-end test (provided; TinyKV provides one beside the
 * balance-region scheduler you write).
 *
 * @module
 */
import type { ClusterState } from '../src/cluster-state';
import type { Operator } from '../src/operator';
import { createTransferLeaderOperator } from '../src/operator-builder';
import type { Scheduler } from '../src/scheduler';

/**
 * Evens out leadership: each run hands the leadership of one region from the store that leads
 * the most regions to the follower store that leads the fewest, when they differ by more than
 * one (so it comes to rest). Split regions inherit their parent's leader, so without it one store
 * would lead nearly everything — and balance-region, which tries a store's followers before its
 * leaders, would find little there it is willing to move.
 *
 * @example
 * ```ts
 * new SchedulerServer(runtime, config, { schedulers: [new BalanceRegionScheduler(rng), new BalanceLeaderScheduler()] });
 * ```
 */
export class BalanceLeaderScheduler implements Scheduler {
  /** The scheduler's name, also its operators' description. */
  readonly name = 'balance-leader';

  /** One leader transfer, or undefined when leadership is even (no two stores differ by more than one). */
  schedule(cluster: ClusterState): Operator | undefined {
    const now = cluster.now();
    const suitable = cluster.getStores().filter((store) => store.isUp() && store.downTimeMs(now) < cluster.config.maxStoreDownTimeMs);
    const leaders = new Map(suitable.map((store) => [store.id, store.statistics.leaderCount]));
    const source = suitable.reduce<(typeof suitable)[number] | undefined>((best, store) => (best === undefined || store.statistics.leaderCount > best.statistics.leaderCount ? store : best), undefined);
    if (source === undefined) return undefined;
    let best: { regionIndex: number; storeId: number; leaderCount: number } | undefined;
    const led = cluster.leaderRegionsOn(source.id);
    led.forEach((info, regionIndex) => {
      for (const peer of info.followers()) {
        const leaderCount = leaders.get(peer.storeId);
        if (leaderCount === undefined || info.isPendingPeer(peer.id)) continue;
        if (best === undefined || leaderCount < best.leaderCount) best = { regionIndex, storeId: peer.storeId, leaderCount };
      }
    });
    if (best === undefined || source.statistics.leaderCount - best.leaderCount <= 1) return undefined;
    return createTransferLeaderOperator(this.name, led[best.regionIndex], best.storeId, now);
  }
}
