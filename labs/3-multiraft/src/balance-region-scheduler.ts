/**
 * Stage 3C: the balance-region scheduler — YOU write this file.
 *
 * It keeps the stores' region data even: each run it proposes moving one replica from the
 * store with the most region data to the store with the least, if the move is worth it.
 * Read labs/3-multiraft/README.md#balance-region-3c first.
 *
 * Provided, read them: cluster-state.ts (`getStores`, `pendingRegionsOn`, `followerRegionsOn`,
 * `leaderRegionsOn`, `allocPeer`, `config`, `now`), store-info.ts (`isUp`, `downTimeMs`,
 * `statistics.regionSizeBytes`), operator-builder.ts (`createMovePeerOperator`).
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import type { Rng } from '../../common/runtime/rng';
import type { ClusterState } from './cluster-state';
import type { Operator } from './operator';
// Imported for you: it builds the move once you have chosen it.
import { createMovePeerOperator } from './operator-builder';
import type { Scheduler } from './scheduler';

const HANDOUT = 'labs/3-multiraft/README.md#balance-region-3c';

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
    // TODO(3C):
    // 1. Suitable stores: `isUp()` and `downTimeMs(cluster.now())` below
    //    `cluster.config.maxStoreDownTimeMs`. Sort them by `statistics.regionSizeBytes`,
    //    largest first. Fewer than two: nothing to balance.
    // 2. Source: go through the suitable stores, largest first, and pick a region with a replica
    //    on that store — a pending one if there is any (`pendingRegionsOn`), else a follower
    //    (`followerRegionsOn`), else a leader (`leaderRegionsOn`) — considering only regions
    //    with exactly `cluster.config.maxReplicas` peers. Choose among candidates of one kind
    //    with `this.rng.pick(...)`. The first store that yields a region is the source.
    // 3. Target: the suitable store with the smallest region size that holds no replica of the
    //    region. None: return undefined.
    // 4. Worth it? Only if source size − target size > 2 × the region's approximate size.
    // 5. `cluster.allocPeer(target.id)` for the new peer, then return
    //    `createMovePeerOperator(this.name, region, source.id, target.id, newPeer.id, cluster.now())`.
    throw new NotImplementedError('3C', 'BalanceRegionScheduler.schedule', HANDOUT);
  }
}
