/**
 * The scheduler's knobs (provided). Times are virtual milliseconds of the runtime the
 * scheduler is handed.
 *
 * @module
 */

/** Settings of one scheduler; see {@link DEFAULT_SCHEDULER_CONFIG}. */
export interface SchedulerConfig {
  /** How many replicas every region should have (TinyKV's `MaxReplicas`). */
  readonly maxReplicas: number;
  /**
   * A store whose last heartbeat is at least this old is *down*: it takes no part in balancing
   * (TinyKV's `MaxStoreDownTime`).
   */
  readonly maxStoreDownTimeMs: number;
  /** An operator not finished after this long is given up (its store may be down, its step lost). */
  readonly operatorTimeoutMs: number;
}

/** The defaults: three replicas, a store is down after 30 s without a heartbeat, operators time out after 60 s. */
export const DEFAULT_SCHEDULER_CONFIG: SchedulerConfig = {
  maxReplicas: 3,
  maxStoreDownTimeMs: 30_000,
  operatorTimeoutMs: 60_000,
};
