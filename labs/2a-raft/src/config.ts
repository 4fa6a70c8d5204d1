/**
 * How to start a Raft node (provided).
 *
 * @module
 */
import type { Rng } from '../../common/runtime/rng';
import type { Storage } from './storage';

/** Everything a Raft node needs to start. */
export interface Config {
  /** This node's id; ids start at 1 (0 means "none"). */
  id: number;
  /**
   * The ids of every member, this node included. When empty, the members come from
   * `storage.initialState().confState` (a node restarting from a snapshot, 2C).
   */
  peers: number[];
  /**
   * Ticks without hearing from a leader before a follower starts an election. The actual
   * timeout is drawn from `rng` in `[electionTick, 2 * electionTick)` each time the timer
   * resets, so that two nodes rarely time out together.
   */
  electionTick: number;
  /** Ticks between a leader's heartbeats; must be smaller than `electionTick`. */
  heartbeatTick: number;
  /** Where the node's log, hard state and snapshot are kept. The node reads it; its owner writes it. */
  storage: Storage;
  /** The last index the owner applied before a restart (0 for a new node); committed entries after it are handed out again. */
  applied: number;
  /** The node's random source: draws the randomised election timeout. Never a global random source: the same seed must give the same timeouts. */
  rng: Rng;
}

/**
 * Checks a config and throws a `RangeError` that says what to fix.
 *
 * @param config - the config to check.
 * @throws RangeError when the id is 0, the ticks are not positive, or heartbeatTick >= electionTick.
 */
export function validateConfig(config: Config): void {
  if (!Number.isInteger(config.id) || config.id <= 0) {
    throw new RangeError(`Invalid raft config: id must be a positive integer (0 means "none"), got ${config.id}.`);
  }
  if (!(config.heartbeatTick > 0)) {
    throw new RangeError(`Invalid raft config: heartbeatTick must be positive, got ${config.heartbeatTick}.`);
  }
  if (!(config.electionTick > config.heartbeatTick)) {
    throw new RangeError(
      `Invalid raft config: electionTick (${config.electionTick}) must be greater than heartbeatTick (${config.heartbeatTick}), or followers time out between heartbeats.`,
    );
  }
  if (config.applied < 0) {
    throw new RangeError(`Invalid raft config: applied must be >= 0, got ${config.applied}.`);
  }
}
