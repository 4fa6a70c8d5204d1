/**
 * The error a stale region heartbeat is rejected with (provided; TinyKV's `ErrRegionIsStale`).
 *
 * @module
 */
import { describeRegion, type Region } from '../../common/raftstore/region';

/**
 * Thrown by `processRegionHeartbeat` when a report describes a region older than what the
 * scheduler already knows. It is an expected outcome, not a crash: heartbeats travel separately
 * and a late one must simply be ignored. `SchedulerServer` tells it apart by class.
 */
export class StaleRegionError extends Error {
  /**
   * @param region - the region the stale heartbeat reported.
   * @param newer - the known region that shows it is stale (its own newer copy, or a newer region overlapping it).
   */
  constructor(
    readonly region: Region,
    readonly newer: Region,
  ) {
    super(`Rejected a stale heartbeat: ${describeRegion(region)} is older than the known ${describeRegion(newer)}.`);
    this.name = 'StaleRegionError';
  }
}
