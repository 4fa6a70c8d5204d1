/**
 * The raftstore's timing knobs (provided).
 *
 * @module
 */

/** How often a store ticks its peers, and how many ticks make an election timeout and a heartbeat. */
export interface RaftstoreConfig {
  /** Milliseconds (virtual under the simulator) between two ticks of every peer. */
  readonly baseTickMs: number;
  /** Ticks without a leader before a follower campaigns (randomised in [n, 2n) by Raft). */
  readonly electionTicks: number;
  /** Ticks between a leader's heartbeats. */
  readonly heartbeatTicks: number;
}

/** 10 ms ticks, elections after 100–200 ms, heartbeats every 20 ms. */
export const DEFAULT_RAFTSTORE_CONFIG: RaftstoreConfig = Object.freeze({ baseTickMs: 10, electionTicks: 10, heartbeatTicks: 2 });

/** The election timeout in milliseconds (its lower bound): what "one election timeout" means to tests. */
export function electionTimeoutMs(config: RaftstoreConfig): number {
  return config.baseTickMs * config.electionTicks;
}
