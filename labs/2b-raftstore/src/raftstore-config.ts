/**
 * The raftstore's timing knobs (provided).
 *
 * @module
 */

/**
 * How often a store ticks its peers, how many ticks make an election timeout and a heartbeat,
 * and (2C) when the log is compacted and what snapshots cost. Durations are milliseconds (virtual
 * under the simulator).
 */
export interface RaftstoreConfig {
  /** Milliseconds between two ticks of every peer. */
  readonly baseTickMs: number;
  /** Ticks without a leader before a follower campaigns (randomised in [n, 2n) by Raft). */
  readonly electionTicks: number;
  /** Ticks between a leader's heartbeats. */
  readonly heartbeatTicks: number;
  /**
   * 2C: a leader proposes `CompactLog` once its applied index is this many entries past its
   * first log index (TinyKV's `RaftLogGcCountLimit`); `Infinity` never compacts (stage 2B).
   */
  readonly raftLogGcCountLimit: number;
  /** 2C: how often a leader checks whether its log should be compacted. */
  readonly raftLogGcTickMs: number;
  /** 2C: how long the raft-log GC worker takes to delete compacted entries once asked. */
  readonly raftLogGcDelayMs: number;
  /** 2C: the fixed part of the time to build a snapshot. */
  readonly snapshotBaseMs: number;
  /** 2C: the time to build a snapshot grows by this much per 1000 keys of the region. */
  readonly snapshotMsPerThousandKeys: number;
  /** 3B: how often every leader sends its region's heartbeat to the scheduler (and the store its own). */
  readonly schedulerHeartbeatTickMs: number;
  /** 3B: how often the split checker looks at the regions whose size hint grew enough. */
  readonly splitCheckTickMs: number;
  /** 3B: a region larger than this (bytes of keys and values) is split; `Infinity` never splits (2B, 2C). */
  readonly regionMaxSizeBytes: number;
  /** 3B: the size of the left half of a split (TinyKV's `RegionSplitSize`). */
  readonly regionSplitSizeBytes: number;
}

/**
 * 10 ms ticks, elections after 100–200 ms, heartbeats every 20 ms; no log compaction (2B); when
 * compaction is on (2C), the GC check every 100 ms and snapshots that take 5 ms plus 2 ms per
 * 1000 keys to build; scheduler heartbeats and split checks every 100 ms, no splits unless a
 * size limit is set (3B).
 */
export const DEFAULT_RAFTSTORE_CONFIG: RaftstoreConfig = Object.freeze({
  baseTickMs: 10,
  electionTicks: 10,
  heartbeatTicks: 2,
  raftLogGcCountLimit: Number.POSITIVE_INFINITY,
  raftLogGcTickMs: 100,
  raftLogGcDelayMs: 10,
  snapshotBaseMs: 5,
  snapshotMsPerThousandKeys: 2,
  schedulerHeartbeatTickMs: 100,
  splitCheckTickMs: 100,
  regionMaxSizeBytes: Number.POSITIVE_INFINITY,
  regionSplitSizeBytes: Number.POSITIVE_INFINITY,
});

/** The election timeout in milliseconds (its lower bound): what "one election timeout" means to tests. */
export function electionTimeoutMs(config: RaftstoreConfig): number {
  return config.baseTickMs * config.electionTicks;
}
