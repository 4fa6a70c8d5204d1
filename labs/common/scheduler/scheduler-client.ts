/**
 * What a store asks of the scheduler (TinyKV's `SchedulerClient`), from stage 3B on: ids,
 * split ids, and the heartbeats through which the scheduler learns the cluster and answers
 * with operator steps.
 *
 * @module
 */
import type { Region } from '../raftstore/region';
import type { RegionHeartbeat, StoreHeartbeat } from './heartbeat';

/** The ids a split needs (TinyKV's `AskSplitResponse`). */
export interface SplitIds {
  /** The id of the new region (the right half). */
  readonly newRegionId: number;
  /** One new peer id per peer of the region being split, in the order of `region.peers`. */
  readonly newPeerIds: readonly number[];
}

/**
 * A store's handle on the scheduler. Heartbeats are fire and forget: the answer to a region
 * heartbeat (an operator step) reaches the store later, through the store's own handler, as in
 * TinyKV where it travels on a stream.
 */
export interface SchedulerClient {
  /** A new id, unique in the cluster (regions and peers share the sequence). */
  allocId(): number;
  /** New ids for splitting `region`. */
  askSplit(region: Region): SplitIds;
  /** Reports a region, from its leader. */
  regionHeartbeat(heartbeat: RegionHeartbeat): void;
  /** Reports the store itself (this is how the scheduler knows the store is alive). */
  storeHeartbeat(heartbeat: StoreHeartbeat): void;
}
