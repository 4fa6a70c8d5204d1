/**
 * Watching linearizability checks from outside: benchmarks and measurement scripts learn what
 * every check of a run cost, and can keep the histories, without the code that runs the
 * check (a cluster kit, a test) knowing about them.
 *
 * @module
 */
import type { HistoryOperation } from './history';
import type { LinearizabilityResult } from './linearizability';

/** Called around every `checkLinearizability` of the process. Both methods are optional. */
export interface LinearizabilityCheckObserver {
  /** Just before the check starts (a benchmark starts its timer here). */
  beforeCheck?(history: readonly HistoryOperation<unknown, unknown>[]): void;
  /** Just after the check, with its verdict. */
  afterCheck?(history: readonly HistoryOperation<unknown, unknown>[], verdict: LinearizabilityResult<unknown, unknown>): void;
}

const observers = new Set<LinearizabilityCheckObserver>();

/**
 * Calls `observer` around every linearizability check of this process until the returned
 * function is called. Meant for benchmarks and measurement scripts; tests should check the
 * verdict they get instead.
 *
 * @returns a function that stops the observation.
 *
 * @example
 * ```ts
 * const stop = observeLinearizabilityChecks({ afterCheck: (history, verdict) => steps.push(verdict.steps) });
 * await runScenario(options, seed);
 * stop();
 * ```
 */
export function observeLinearizabilityChecks(observer: LinearizabilityCheckObserver): () => void {
  observers.add(observer);
  return () => void observers.delete(observer);
}

/** @internal Called by the checker before a check. */
export function notifyBeforeCheck<TInput, TOutput>(history: readonly HistoryOperation<TInput, TOutput>[]): void {
  for (const observer of observers) observer.beforeCheck?.(history);
}

/** @internal Called by the checker after a check. */
export function notifyAfterCheck<TInput, TOutput>(history: readonly HistoryOperation<TInput, TOutput>[], verdict: LinearizabilityResult<TInput, TOutput>): void {
  for (const observer of observers) observer.afterCheck?.(history, verdict as LinearizabilityResult<unknown, unknown>);
}
