/**
 * What the cluster test kit needs from a scheduler (3B): the mock of this kit, or the 3C
 * scheduler of `labs/3-multiraft` behind a small adapter.
 *
 * @module
 */
import type { Region } from '../../common/raftstore/region';
import type { RegionHeartbeat, RegionHeartbeatResponse, StoreHeartbeat } from '../../common/scheduler/heartbeat';
import type { SplitIds } from '../../common/scheduler/scheduler-client';

/** The scheduler as the cluster drives it: heartbeats in, operator steps out, region lookups for clients. */
export interface SchedulerService {
  /** Creates the first region: every key, one peer per store, epoch 1/1. */
  bootstrap(storeIds: readonly number[]): Region;
  /** A new unique id (regions and peers). */
  allocId(): number;
  /** Ids for splitting `region`. */
  askSplit(region: Region): SplitIds;
  /** A leader's report; the answer is the step for that region, if any. */
  handleRegionHeartbeat(heartbeat: RegionHeartbeat): RegionHeartbeatResponse | undefined;
  /** A store's report. */
  handleStoreHeartbeat(heartbeat: StoreHeartbeat): void;
  /** The region holding `key`, as the scheduler knows it (clients route with it). */
  regionByKey(key: Buffer): Region | undefined;
  /** The region with this id, as the scheduler knows it. */
  regionById(regionId: number): Region | undefined;
  /** Every region the scheduler knows, in key order. */
  regions(): Region[];
  /** Called about every scheduler heartbeat interval: a real scheduler runs its schedulers here. */
  tick?(): void;
  /** Problems the scheduler saw in what stores reported (the mock checks the student); empty when none. */
  readonly violations?: readonly string[];
}
