/**
 * What a scheduler is (provided; TinyKV's `schedule.Scheduler`).
 *
 * @module
 */
import type { ClusterState } from './cluster-state';
import type { Operator } from './operator';

/**
 * A policy that looks at the cluster and proposes at most one operator per run. The server runs
 * every scheduler periodically (`SchedulerServer.runSchedulers`); the operator controller
 * drops a proposal for a region that already has an operator.
 */
export interface Scheduler {
  /** A short name for reports, also the operators' description (`balance-region`). */
  readonly name: string;
  /**
   * Looks at `cluster` and proposes one operator, or undefined when nothing is worth doing.
   * Must not change the cluster except to allocate ids.
   */
  schedule(cluster: ClusterState): Operator | undefined;
}
