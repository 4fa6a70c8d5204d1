/**
 * A linearizability checker in the spirit of Porcupine: Wing & Gong's search with
 * memoization (Lowe), over partitions of the history (P-compositionality).
 *
 * @module
 */
import type { HistoryOperation } from './history';
import { longestPrefix, searchLinearization, type SearchLimits } from './linearization-search';
import type { LinearizabilityModel } from './linearizability-model';
import { notifyAfterCheck, notifyBeforeCheck } from './linearizability-observer';
import { buildRealTimeOrder } from './real-time-order';

export type { LinearizabilityModel } from './linearizability-model';

/**
 * The default budget. Measured on the reference raftstore (`bench/linearizability-seeds.ts`,
 * 10,000 seeds of the 2B scenarios): the costliest correct history needed 6,506 steps, and the
 * costliest valid history the kit knows (nine concurrent appends to one key, then a read;
 * `bench/linearizability.ts`) 2.3 million. The step bound is also what stops the search on a
 * history that is hard to refute (a broken store): at about a million steps a second, a
 * failing check stays within seconds. The memory bounds keep one search within a few hundred MB.
 */
export const DEFAULT_LINEARIZABILITY_BUDGET: Readonly<Required<LinearizabilityOptions>> = Object.freeze({
  maxSteps: 10_000_000,
  maxMemoEntries: 4_000_000,
  maxStates: 2_000_000,
});

/** Options of {@link checkLinearizability}: the budget. Reaching any bound gives `unknown`, which is not a pass. */
export interface LinearizabilityOptions {
  /** The most search steps for the whole check (default 10 000 000: seconds, not minutes). */
  readonly maxSteps?: number;
  /** The most configurations one partition's search may remember (default 4 000 000). */
  readonly maxMemoEntries?: number;
  /** The most distinct model states one partition's search may keep (default 2 000 000). */
  readonly maxStates?: number;
}

/** What every verdict reports about the check's size and cost. */
export interface LinearizabilityCounts {
  /** Operations in the history given. */
  readonly operationCount: number;
  /**
   * Operations with unknown outcome left out because they constrain nothing: reads, and
   * writes no known output could show (`model.withoutUnobservableOperations`).
   */
  readonly droppedOperationCount: number;
  /** Independent parts checked (or, for `illegal` and `unknown`, in the history). */
  readonly partitionCount: number;
  /** Operations in the largest part. */
  readonly largestPartition: number;
  /** Search steps over every part searched. */
  readonly steps: number;
  /** The most configurations one part's search remembered. */
  readonly peakMemoEntries: number;
  /**
   * `exact` when the recorder's event numbers ordered the history (operations that touch at
   * the same millisecond are ordered), `by-time` when only times did (they are concurrent).
   */
  readonly orderResolution: 'exact' | 'by-time';
}

/** The checker's verdict. */
export type LinearizabilityResult<TInput, TOutput> =
  | (LinearizabilityCounts & {
      /** Every partition has a linearization. */
      readonly result: 'ok';
    })
  | (LinearizabilityCounts & {
      /** Some partition has no linearization: the history is not linearizable. */
      readonly result: 'illegal';
      /** The operations of the longest order the search found for the failing partition, in that order. */
      readonly longestLinearizedPrefix: readonly HistoryOperation<TInput, TOutput>[];
      /**
       * The operations that could come next after that prefix (invoked before the first
       * pending return) and none of which fits: the ones it could not order.
       */
      readonly unorderedOperations: readonly HistoryOperation<TInput, TOutput>[];
      /** A readable explanation, several lines. */
      readonly explanation: string;
    })
  | (LinearizabilityCounts & {
      /** The budget ran out before a verdict: not a pass. */
      readonly result: 'unknown';
      /** Why, in words. */
      readonly explanation: string;
    });

function defaultDescribe<TInput, TOutput>(operation: HistoryOperation<TInput, TOutput>): string {
  const interval = `[${operation.invokeMs} ms, ${operation.outcome === 'ok' ? `${operation.returnMs} ms` : 'unknown'}]`;
  return `op ${operation.id} client ${operation.clientId} ${interval}: ${JSON.stringify(operation.input)} -> ${operation.outcome === 'ok' ? JSON.stringify(operation.output) : 'unknown outcome'}`;
}

function resolveBudget(options: LinearizabilityOptions): Required<LinearizabilityOptions> {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const budget = { ...DEFAULT_LINEARIZABILITY_BUDGET, ...given };
  for (const [name, value] of Object.entries(budget)) {
    if (!Number.isSafeInteger(value) || value < 1) throw new RangeError(`checkLinearizability was given ${name} ${value}; pass a positive integer.`);
  }
  return budget;
}

/**
 * Checks whether `history` is linearizable with respect to `model`.
 *
 * Read-only operations with unknown outcome are left out (they constrain nothing; needs
 * `model.isReadOnly`), and so are those `model.withoutUnobservableOperations` shows no known
 * output could reveal. The rest is split with `model.partition` (when given) and each part
 * is searched for a linearization: an order of its operations that respects real time (an
 * operation that returned before another was invoked comes first; operations that overlap may
 * go in either order) and in which every output is what `model.step` allows. Operations with
 * unknown outcome may take effect anywhere after their invocation, or not at all.
 *
 * Real time is exact when every operation carries the recorder's event numbers
 * (`invokeSequence`, `returnSequence`); otherwise it is read from times, and operations that
 * touch at the same millisecond are treated as concurrent.
 *
 * The search is Wing & Gong's with memoization of (set of linearized operations, model
 * state), as in Porcupine; see `linearization-search.ts`. It is iterative and bounded by the
 * budget. When a part has no linearization, that part is searched again up to the point
 * where the longest order was found, to report it.
 *
 * @param history - the operations (from `HistoryRecorder.operations`).
 * @param model - the sequential specification.
 * @param options - the search budget.
 * @returns `ok`, `illegal` (with the longest order found and the operations it could not
 *   order), or `unknown` when the budget ran out: never treat `unknown` as a pass.
 * @throws RangeError when an operation returns before it is invoked, or a budget bound is not
 *   a positive integer.
 *
 * @example
 * ```ts
 * const verdict = checkLinearizability(recorder.operations(), kvModel);
 * if (verdict.result !== 'ok') throw new Error(formatLinearizabilityResult(verdict));
 * ```
 */
export function checkLinearizability<TState, TInput, TOutput>(
  history: readonly HistoryOperation<TInput, TOutput>[],
  model: LinearizabilityModel<TState, TInput, TOutput>,
  options: LinearizabilityOptions = {},
): LinearizabilityResult<TInput, TOutput> {
  notifyBeforeCheck(history);
  const verdict = check(history, model, resolveBudget(options));
  notifyAfterCheck(history, verdict);
  return verdict;
}

function check<TState, TInput, TOutput>(
  history: readonly HistoryOperation<TInput, TOutput>[],
  model: LinearizabilityModel<TState, TInput, TOutput>,
  budget: Required<LinearizabilityOptions>,
): LinearizabilityResult<TInput, TOutput> {
  const withoutUnknownReads = model.isReadOnly ? history.filter((operation) => !(operation.outcome === 'unknown' && (model.isReadOnly as (input: TInput) => boolean)(operation.input))) : history.slice();
  const kept = model.withoutUnobservableOperations ? model.withoutUnobservableOperations(withoutUnknownReads) : withoutUnknownReads;
  const partitions = (model.partition ? model.partition(kept) : [kept]).filter((part) => part.length > 0);
  const orders = partitions.map((part) => buildRealTimeOrder(part));
  const counts = {
    operationCount: history.length,
    droppedOperationCount: history.length - kept.length,
    partitionCount: partitions.length,
    largestPartition: partitions.reduce((largest, part) => Math.max(largest, part.length), 0),
    orderResolution: orders.every((order) => order.resolution === 'exact') ? 'exact' : 'by-time',
  } as const;
  let steps = 0;
  let peakMemoEntries = 0;
  let exhaustedLimit: keyof SearchLimits | undefined;
  for (const order of orders) {
    if (steps >= budget.maxSteps) {
      exhaustedLimit ??= 'maxSteps';
      break;
    }
    const limits: SearchLimits = { maxSteps: budget.maxSteps - steps, maxMemoEntries: budget.maxMemoEntries, maxStates: budget.maxStates };
    const outcome = searchLinearization(order, model, limits);
    steps += outcome.steps;
    peakMemoEntries = Math.max(peakMemoEntries, outcome.memoEntries);
    if (outcome.verdict === 'unknown') {
      // Another part may still prove the history illegal, which is the more useful verdict.
      exhaustedLimit ??= outcome.limit;
      continue;
    }
    if (outcome.verdict === 'illegal') {
      // A failed search leaves the list as it found it, so the replay walks the same path.
      const report = longestPrefix(order, model, outcome.deepestAtStep);
      const prefix = report.prefix.map((index) => order.operations[index]);
      const unordered = report.unordered.map((index) => order.operations[index]);
      return {
        result: 'illegal',
        ...counts,
        steps,
        peakMemoEntries,
        longestLinearizedPrefix: prefix,
        unorderedOperations: unordered,
        explanation: explainIllegal(order.operations.length, prefix, unordered, model.describe ?? defaultDescribe),
      };
    }
  }
  if (exhaustedLimit !== undefined) {
    return { result: 'unknown', ...counts, steps, peakMemoEntries, explanation: explainUnknown(exhaustedLimit, budget, counts.operationCount, counts.partitionCount) };
  }
  return { result: 'ok', ...counts, steps, peakMemoEntries };
}

function explainIllegal<TInput, TOutput>(
  partSize: number,
  prefix: readonly HistoryOperation<TInput, TOutput>[],
  unordered: readonly HistoryOperation<TInput, TOutput>[],
  describe: (operation: HistoryOperation<TInput, TOutput>) => string,
): string {
  return [
    `The history is not linearizable: no order of these ${partSize} operations respects real time and the specification.`,
    `The longest valid order found covers ${prefix.length} operations; it ends with:`,
    ...prefix.slice(-5).map((operation) => `  ${describe(operation)}`),
    'After it, none of these operations can come next (each result contradicts the state, or another operation must come first):',
    ...unordered.slice(0, 10).map((operation) => `  ${describe(operation)}`),
  ].join('\n');
}

function explainUnknown(limit: keyof SearchLimits, budget: Required<LinearizabilityOptions>, operationCount: number, partitionCount: number): string {
  const bound =
    limit === 'maxSteps'
      ? `its budget of ${budget.maxSteps} search steps`
      : limit === 'maxMemoEntries'
        ? `its memory bound of ${budget.maxMemoEntries} remembered configurations in one partition`
        : `its memory bound of ${budget.maxStates} distinct model states in one partition`;
  return (
    `The checker ran out of ${bound} on a history of ${operationCount} operations in ${partitionCount} partitions, ` +
    'so it could neither prove nor refute linearizability. This is not a pass: shorten the scenario, use fewer concurrent clients or keys with scans, or raise the bound.'
  );
}

/**
 * A readable summary of a verdict, for a test failure.
 *
 * @returns one line for `ok`, the explanation otherwise.
 *
 * @example
 * ```ts
 * expect(formatLinearizabilityResult(verdict)).toMatch(/^Linearizable/);
 * ```
 */
export function formatLinearizabilityResult<TInput, TOutput>(verdict: LinearizabilityResult<TInput, TOutput>): string {
  if (verdict.result === 'ok') {
    return `Linearizable: ${verdict.operationCount} operations in ${verdict.partitionCount} partitions, ${verdict.steps} search steps.`;
  }
  return verdict.explanation;
}
