/**
 * Stage 3C: taking in a region heartbeat (reference solution). See
 * labs/3-multiraft/README.md#region-heartbeats-3c.
 *
 * @module
 */
import type { RegionEpoch } from '../../common/raftstore/region';
import type { ClusterState } from './cluster-state';
import type { RegionInfo } from './region-info';
import { StaleRegionError } from './stale-region-error';

/** Same region, two reports: the one with a smaller version or conf version is older. */
function isOlderEpoch(epoch: RegionEpoch, than: RegionEpoch): boolean {
  return epoch.version < than.version || epoch.confVer < than.confVer;
}

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
  const known = cluster.getRegion(info.id);
  if (known && isOlderEpoch(info.epoch, known.epoch)) throw new StaleRegionError(info.region, known.region);
  // Versions order the regions that ever held a key, whatever their ids; conf versions of two
  // different regions are unrelated counters. Checked for known regions too: after a merge and
  // a split, a late report of a known region can cover a newer neighbour.
  for (const overlap of cluster.getOverlaps(info.region)) {
    if (overlap.id !== info.id && overlap.epoch.version > info.epoch.version) throw new StaleRegionError(info.region, overlap.region);
  }
  const replaced = cluster.putRegion(info);
  const touched = new Set(info.storeIds());
  for (const old of replaced) for (const storeId of old.storeIds()) touched.add(storeId);
  for (const storeId of touched) cluster.updateStoreStatus(storeId);
}
