/**
 * The runtime contract: the only way store code gets time, timers, randomness and
 * "run this soon".
 *
 * Code written against {@link Runtime} does not know whether it runs in virtual time (the
 * `SimulatedRuntime` of the tests) or on a real clock, so the same store runs under the
 * simulator and for real. Lab code never reads the wall clock, never arms Node's real
 * timers or immediate queues and never uses the global random source: it asks the runtime it
 * was handed.
 *
 * @module
 */
import type { Rng } from './rng';

/**
 * An opaque ticket for a pending timer or scheduled callback; pass it to
 * {@link Runtime.cancel}. Numbers are handed out in increasing order and never reused.
 */
export type TimerHandle = number & { readonly __timerHandle: unique symbol };

/**
 * Time, timers, randomness and scheduling for store code.
 *
 * Callbacks run one at a time and must run to completion without blocking (they may start
 * promises; the simulator lets promise continuations settle before it moves time on).
 *
 * @example
 * ```ts
 * function startHeartbeat(runtime: Runtime, sendHeartbeat: () => void): void {
 *   const beat = () => {
 *     sendHeartbeat();
 *     runtime.setTimer(100, beat, 'heartbeat');
 *   };
 *   runtime.setTimer(100, beat, 'heartbeat');
 * }
 * ```
 */
export interface Runtime {
  /** The current time in milliseconds (virtual milliseconds under the simulator), starting at 0. */
  now(): number;
  /**
   * Calls `callback` once, `delayMs` milliseconds from now.
   *
   * @param delayMs - a non-negative integer number of milliseconds; 0 means "after the work
   *   already due now".
   * @param callback - the work to do.
   * @param owner - a label saying who set the timer (`store-1/raft-tick`), shown when a
   *   simulation reports what was pending; optional.
   * @returns a handle for {@link Runtime.cancel}.
   * @throws RangeError when `delayMs` is negative, fractional or not finite.
   */
  setTimer(delayMs: number, callback: () => void, owner?: string): TimerHandle;
  /**
   * Cancels a timer or scheduled callback that has not run yet. Cancelling one that already
   * ran or was already cancelled does nothing.
   */
  cancel(handle: TimerHandle): void;
  /**
   * Runs `callback` soon: at the current time, after every callback already queued for
   * now. The deterministic replacement for Node's "immediate" and "next tick" queues.
   *
   * @param callback - the work to do.
   * @param owner - a label for reports, as for {@link Runtime.setTimer}.
   * @returns a handle for {@link Runtime.cancel}.
   */
  schedule(callback: () => void, owner?: string): TimerHandle;
  /**
   * A random generator for one component, derived from the run's seed and `label` only, so
   * that adding a component (one more client) does not change the draws of the others.
   * Asking twice for the same label gives two generators with the same stream: use a
   * distinct label per component (`network`, `client-3`, `store-2#1/raft`).
   */
  rng(label: string): Rng;
}

/**
 * Checks a timer delay and returns it; shared by every runtime so that they reject the
 * same inputs with the same message.
 *
 * @param delayMs - the delay to check.
 * @param caller - the method name, for the message.
 * @returns `delayMs` unchanged.
 * @throws RangeError when `delayMs` is not a non-negative safe integer.
 *
 * @example
 * ```ts
 * checkDelayMs(100, 'MyRuntime.setTimer'); // 100
 * checkDelayMs(-1, 'MyRuntime.setTimer');  // throws RangeError
 * ```
 */
export function checkDelayMs(delayMs: number, caller: string): number {
  if (!Number.isSafeInteger(delayMs) || delayMs < 0) {
    throw new RangeError(`${caller} was given a delay of ${delayMs} ms; pass a non-negative integer number of milliseconds.`);
  }
  return delayMs;
}
