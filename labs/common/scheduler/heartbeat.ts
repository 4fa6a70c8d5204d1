/**
 * What stores tell the scheduler, and what the scheduler answers (TinyKV's `schedulerpb`
 * heartbeat messages). The raftstore sends these from stage 3B on; the scheduler of stage 3C
 * receives them.
 *
 * @module
 */
import type { ConfChangeType } from '../raft/conf-change';
import type { PeerMeta, Region, RegionEpoch } from '../raftstore/region';

/**
 * What a region's leader reports about its region (TinyKV's `RegionHeartbeatRequest`). Only the
 * leader reports, after every change of the region and periodically.
 */
export interface RegionHeartbeat {
  /** The region as the leader knows it: range, epoch and peers. */
  readonly region: Region;
  /** The peer that sends the report: the region's leader. */
  readonly leader: PeerMeta;
  /**
   * Peers the leader sees as behind: their log is far from the leader's (or they still wait for
   * a snapshot). A newly added peer stays pending until it has caught up.
   */
  readonly pendingPeers: readonly PeerMeta[];
  /** The region's approximate data size in bytes (the split checker's estimate). */
  readonly approximateSizeBytes: number;
}

/** Adds or removes one peer: the step of an operator the raftstore turns into a `changePeer` command. */
export interface ChangePeerStep {
  /** Add or remove. */
  readonly changeType: ConfChangeType;
  /** The peer to add (with the id the scheduler allocated) or to remove. */
  readonly peer: PeerMeta;
}

/** Hands leadership to one peer: the step the raftstore turns into a `transferLeader` command. */
export interface TransferLeaderStep {
  /** The peer that should become leader. */
  readonly peer: PeerMeta;
}

/**
 * The scheduler's answer to a region heartbeat (TinyKV's `RegionHeartbeatResponse`): at most one
 * step for that region. The scheduler repeats the same step on every heartbeat until the
 * region's reports show it done, so the raftstore must treat a repeated step as harmless.
 */
export interface RegionHeartbeatResponse {
  /** The region the step is for. */
  readonly regionId: number;
  /** The region's epoch as the scheduler knew it when it answered; a command built from the step carries it. */
  readonly regionEpoch: RegionEpoch;
  /** Set when the step adds or removes a peer. */
  readonly changePeer?: ChangePeerStep;
  /** Set when the step transfers leadership. */
  readonly transferLeader?: TransferLeaderStep;
}

/**
 * What a store reports about itself (TinyKV's `StoreHeartbeat` with its `StoreStats`). Its
 * arrival is what tells the scheduler the store is alive; the numbers are informative (the
 * scheduler computes region counts and sizes from region heartbeats).
 */
export interface StoreHeartbeat {
  /** The reporting store. */
  readonly storeId: number;
  /** How many regions the store holds a peer of, as the store counts them. */
  readonly regionCount?: number;
  /** The store's disk capacity in bytes. */
  readonly capacityBytes?: number;
  /** Bytes still free. */
  readonly availableBytes?: number;
  /** Bytes used by the store's data. */
  readonly usedBytes?: number;
}
