/**
 * Stage 3C: taking in a region heartbeat — YOU write this file.
 *
 * Every region's leader reports its region to the scheduler after each change and
 * periodically. Reports travel separately, so they arrive late and out of order: a report may
 * describe the region as it was before a split or a conf change the scheduler already knows
 * about. Read labs/3-multiraft/README.md#region-heartbeats-3c first.
 *
 * Provided, read them: cluster-state.ts (`getRegion`, `getOverlaps`, `putRegion`,
 * `updateStoreStatus`), region-info.ts, stale-region-error.ts.
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import type { ClusterState } from './cluster-state';
import type { RegionInfo } from './region-info';
// Imported for you: throw it for a stale report.
import { StaleRegionError } from './stale-region-error';

const HANDOUT = 'labs/3-multiraft/README.md#region-heartbeats-3c';

/**
 * Checks a region leader's report against what the scheduler knows, and stores it unless it is
 * stale; then refreshes the statistics of every store the change touched.
 *
 * @param cluster - the scheduler's cluster state.
 * @param info - the reported region.
 * @throws StaleRegionError when the report is older than the known copy of the region or than a
 *   known region overlapping it; nothing is changed then.
 */
export function processRegionHeartbeat(cluster: ClusterState, info: RegionInfo): void {
  // TODO(3C): 1. Reject a stale report with `throw new StaleRegionError(info.region, newer.region)`:
  //   - the scheduler knows this region (`cluster.getRegion(info.id)`) with a larger version or a
  //     larger conf version;
  //   - or a known region overlapping it (`cluster.getOverlaps(info.region)`), other than itself,
  //     has a larger version. Check this for known regions too (the handout shows why), and
  //     compare versions only: conf versions of two different regions are unrelated.
  // 2. Otherwise store it: `cluster.putRegion(info)` replaces the old copy and every overlapped
  //    region, and returns what it replaced.
  // 3. Call `cluster.updateStoreStatus(storeId)` for every store of the new region AND of every
  //    replaced region: a store that just lost a replica must see its counts drop too.
  throw new NotImplementedError('3C', 'processRegionHeartbeat', HANDOUT);
}
