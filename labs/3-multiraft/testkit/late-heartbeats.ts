/**
 * Late heartbeats: the network between the stores and the scheduler delays and duplicates
 * region heartbeats, so a report can reach the scheduler after newer ones (3C).
 *
 * @module
 */
import type { Region } from '../../common/raftstore/region';
import type { Rng } from '../../common/runtime/rng';
import type { Runtime } from '../../common/runtime/runtime';
import type { RegionHeartbeat } from '../../common/scheduler/heartbeat';

/** How often a region heartbeat also arrives late, and how late. Durations are virtual ms. */
export interface LateHeartbeatOptions {
  /** Probability that a heartbeat, besides arriving on time, arrives once more later. */
  readonly probability: number;
  /** The shortest delay of the late copy. */
  readonly delayMsMin: number;
  /** The longest delay of the late copy. */
  readonly delayMsMax: number;
}

/**
 * About one report in five arrives again 100–600 ms later: long enough that a split, a conf
 * change or a leader transfer has usually been reported in between, so the late copy is stale.
 */
export const DEFAULT_LATE_HEARTBEATS: LateHeartbeatOptions = Object.freeze({ probability: 0.2, delayMsMin: 100, delayMsMax: 600 });

/** A copy of a heartbeat that no later change of the store's objects can reach. */
function copyHeartbeat(heartbeat: RegionHeartbeat): RegionHeartbeat {
  const region: Region = { ...heartbeat.region, epoch: { ...heartbeat.region.epoch }, peers: heartbeat.region.peers.map((peer) => ({ ...peer })) };
  return { ...heartbeat, region, leader: { ...heartbeat.leader }, pendingPeers: heartbeat.pendingPeers.map((peer) => ({ ...peer })) };
}

/**
 * Draws whether `heartbeat` also arrives late and, if so, delivers a copy of it through
 * `deliver` after a drawn delay. What the scheduler answers to the late copy is lost on the way
 * back, as a real answer to a leader that has moved on would be; the scheduler repeats its step
 * on the next heartbeat anyway.
 *
 * @returns true when a late copy was scheduled.
 */
export function maybeDeliverLate(runtime: Runtime, rng: Rng, options: LateHeartbeatOptions, heartbeat: RegionHeartbeat, deliver: (late: RegionHeartbeat) => void): boolean {
  if (!rng.chance(options.probability)) return false;
  const late = copyHeartbeat(heartbeat);
  runtime.setTimer(rng.int(options.delayMsMin, options.delayMsMax), () => deliver(late), 'scheduler/late-heartbeat');
  return true;
}
