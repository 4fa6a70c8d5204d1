/**
 * A linearizability checker in the spirit of Porcupine: Wing & Gong's search with
 * memoization (Lowe), over partitions of the history (P-compositionality).
 *
 * @module
 */
import type { HistoryOperation } from './history';

/**
 * The sequential specification the history is checked against.
 *
 * @typeParam TState - the model's state; treated as immutable (`step` returns a new one).
 *
 * @example
 * ```ts
 * const register: LinearizabilityModel<string | undefined, { write?: string }, string | undefined> = {
 *   init: () => undefined,
 *   step: (state, input, output) => (input.write !== undefined ? input.write : output === undefined || output === state ? state : undefined),
 *   stateKey: (state) => state ?? '',
 * };
 * ```
 */
export interface LinearizabilityModel<TState, TInput, TOutput> {
  /** The state before any operation. */
  init(): TState;
  /**
   * Applies one operation to `state` and says whether `output` is what the specification
   * allows. `output` is `undefined` for an operation with unknown outcome: accept any result
   * and apply its effect.
   *
   * @returns the next state, or `undefined` when the output is impossible from `state`.
   */
  step(state: TState, input: TInput, output: TOutput | undefined): TState | undefined;
  /** A string that is equal for two states exactly when they are equal (the memoization key). */
  stateKey(state: TState): string;
  /**
   * Splits a history into independent sub-histories that can be checked separately (by key
   * for single-key operations). Omit it, or return one part, when that is not sound.
   */
  partition?(operations: readonly HistoryOperation<TInput, TOutput>[]): HistoryOperation<TInput, TOutput>[][];
  /** One line describing an operation, for reports. */
  describe?(operation: HistoryOperation<TInput, TOutput>): string;
}

/** Options of {@link checkLinearizability}. */
export interface LinearizabilityOptions {
  /**
   * The most search steps for the whole check (default 2 000 000). Running out gives
   * `{ result: 'unknown' }`, which is not a pass.
   */
  readonly maxSteps?: number;
}

/** The checker's verdict. */
export type LinearizabilityResult<TInput, TOutput> =
  | {
      /** Every partition has a linearization. */
      readonly result: 'ok';
      readonly operationCount: number;
      readonly partitionCount: number;
      readonly steps: number;
    }
  | {
      /** Some partition has no linearization: the history is not linearizable. */
      readonly result: 'illegal';
      readonly operationCount: number;
      readonly partitionCount: number;
      readonly steps: number;
      /** The operations of the longest order the search found for the failing partition, in that order. */
      readonly longestLinearizedPrefix: readonly HistoryOperation<TInput, TOutput>[];
      /**
       * The operations that could come next after that prefix (invoked before the first
       * pending return) and none of which fits: the ones it could not order.
       */
      readonly unorderedOperations: readonly HistoryOperation<TInput, TOutput>[];
      /** A readable explanation, several lines. */
      readonly explanation: string;
    }
  | {
      /** The budget ran out before a verdict: not a pass. */
      readonly result: 'unknown';
      readonly operationCount: number;
      readonly partitionCount: number;
      readonly steps: number;
      /** Why, in words. */
      readonly explanation: string;
    };

interface Entry {
  readonly isCall: boolean;
  /** Index of the operation in its partition. */
  readonly operation: number;
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** A fixed-size bit set whose contents form a string key. */
class BitSet {
  private readonly words: Uint32Array;
  constructor(size: number) {
    this.words = new Uint32Array(Math.ceil(size / 32) || 1);
  }
  set(bit: number): void {
    this.words[bit >>> 5] |= 1 << (bit & 31);
  }
  clear(bit: number): void {
    this.words[bit >>> 5] &= ~(1 << (bit & 31));
  }
  key(): string {
    return Array.prototype.join.call(this.words, ',');
  }
}

/** Builds the doubly linked list of call/return entries ordered by time (calls first on ties: lenient). */
function buildEntries<TInput, TOutput>(operations: readonly HistoryOperation<TInput, TOutput>[]): Entry {
  const timed: { time: number; isCall: boolean; operation: number; entry: Entry }[] = [];
  operations.forEach((operation, index) => {
    if (!(operation.returnMs >= operation.invokeMs)) {
      throw new RangeError(`Operation ${operation.id} returns (${operation.returnMs} ms) before it is invoked (${operation.invokeMs} ms); fix the history recorder.`);
    }
    const call: Entry = { isCall: true, operation: index, match: undefined, prev: undefined, next: undefined };
    const ret: Entry = { isCall: false, operation: index, match: undefined, prev: undefined, next: undefined };
    call.match = ret;
    timed.push({ time: operation.invokeMs, isCall: true, operation: index, entry: call });
    timed.push({ time: operation.returnMs, isCall: false, operation: index, entry: ret });
  });
  // Operations whose intervals only touch (one returns at the ms the other is invoked) are
  // treated as concurrent: virtual time has millisecond resolution, so we cannot tell their order.
  timed.sort((left, right) => left.time - right.time || Number(right.isCall) - Number(left.isCall) || left.operation - right.operation);
  const head: Entry = { isCall: false, operation: -1, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const item of timed) {
    item.entry.prev = last;
    last.next = item.entry;
    last = item.entry;
  }
  return head;
}

function lift(call: Entry): void {
  const ret = call.match as Entry;
  (call.prev as Entry).next = call.next;
  (call.next as Entry).prev = call.prev;
  (ret.prev as Entry).next = ret.next;
  if (ret.next !== undefined) ret.next.prev = ret.prev;
}

function unlift(call: Entry): void {
  const ret = call.match as Entry;
  (ret.prev as Entry).next = ret;
  if (ret.next !== undefined) ret.next.prev = ret;
  (call.prev as Entry).next = call;
  (call.next as Entry).prev = call;
}

/** The operations that could be linearized next: calls before the first return, and that return's operation. */
function candidatesAfter(head: Entry): number[] {
  const candidates: number[] = [];
  for (let entry = head.next; entry !== undefined; entry = entry.next) {
    if (!entry.isCall) {
      if (!candidates.includes(entry.operation)) candidates.push(entry.operation);
      break;
    }
    candidates.push(entry.operation);
  }
  return candidates;
}

/** The most memo entries one partition's search may hold (JavaScript Sets stop near 2^24). */
const MAX_MEMO_ENTRIES = 8_000_000;

type PartitionVerdict =
  | { verdict: 'ok'; steps: number }
  | { verdict: 'unknown'; steps: number }
  | { verdict: 'illegal'; steps: number; prefix: number[]; unordered: number[] };

/** Searches one partition; iterative DFS with a memo of (linearized set, state). */
function checkPartition<TState, TInput, TOutput>(
  operations: readonly HistoryOperation<TInput, TOutput>[],
  model: LinearizabilityModel<TState, TInput, TOutput>,
  maxSteps: number,
): PartitionVerdict {
  const head = buildEntries(operations);
  const linearized = new BitSet(operations.length);
  const memo = new Set<string>();
  const stack: { call: Entry; state: TState }[] = [];
  let state = model.init();
  let entry = head.next;
  let steps = 0;
  let bestPrefix: number[] = [];
  let bestCandidates = candidatesAfter(head);
  while (head.next !== undefined) {
    // The memo grows by at most one entry per step; the second bound keeps it under the engine's Set limit.
    if (++steps > maxSteps || memo.size >= MAX_MEMO_ENTRIES) return { verdict: 'unknown', steps };
    const current = entry as Entry;
    if (current.isCall) {
      const operation = operations[current.operation];
      const next = model.step(state, operation.input, operation.outcome === 'ok' ? operation.output : undefined);
      if (next !== undefined) {
        linearized.set(current.operation);
        const key = `${linearized.key()}|${model.stateKey(next)}`;
        if (!memo.has(key)) {
          memo.add(key);
          stack.push({ call: current, state });
          state = next;
          lift(current);
          entry = head.next;
          if (stack.length > bestPrefix.length) {
            bestPrefix = stack.map((frame) => frame.call.operation);
            bestCandidates = candidatesAfter(head);
          }
          continue;
        }
        linearized.clear(current.operation);
      }
      entry = current.next;
    } else {
      // A return comes before any call that fits: this branch cannot go on, undo the last choice.
      const frame = stack.pop();
      if (frame === undefined) return { verdict: 'illegal', steps, prefix: bestPrefix, unordered: bestCandidates };
      state = frame.state;
      linearized.clear(frame.call.operation);
      unlift(frame.call);
      entry = frame.call.next;
    }
  }
  return { verdict: 'ok', steps };
}

function defaultDescribe<TInput, TOutput>(operation: HistoryOperation<TInput, TOutput>): string {
  const interval = `[${operation.invokeMs} ms, ${operation.outcome === 'ok' ? `${operation.returnMs} ms` : 'unknown'}]`;
  return `op ${operation.id} client ${operation.clientId} ${interval}: ${JSON.stringify(operation.input)} -> ${operation.outcome === 'ok' ? JSON.stringify(operation.output) : 'unknown outcome'}`;
}

/**
 * Checks whether `history` is linearizable with respect to `model`.
 *
 * The history is split with `model.partition` (when given) and each part is searched for a
 * linearization: an order of its operations that respects real time (an operation that
 * returned before another was invoked comes first; operations that overlap, or touch at the
 * same millisecond, may go in either order) and in which every output is what `model.step`
 * allows. Operations with unknown outcome may take effect anywhere after their invocation,
 * or not at all. The search is Wing & Gong's with memoization of (set of linearized
 * operations, model state), as in Porcupine; it is iterative and bounded by `maxSteps`.
 *
 * @param history - the operations (from `HistoryRecorder.operations`).
 * @param model - the sequential specification.
 * @param options - the search budget.
 * @returns `ok`, `illegal` (with the longest order found and the operations it could not
 *   order), or `unknown` when the budget ran out: never treat `unknown` as a pass.
 * @throws RangeError when an operation returns before it is invoked.
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
  const maxSteps = options.maxSteps ?? 2_000_000;
  if (!Number.isSafeInteger(maxSteps) || maxSteps < 1) {
    throw new RangeError(`checkLinearizability was given maxSteps ${maxSteps}; pass a positive integer.`);
  }
  const partitions = model.partition ? model.partition(history).filter((part) => part.length > 0) : [history.slice()];
  const describe = model.describe ?? defaultDescribe;
  let steps = 0;
  let ranOut = false;
  for (const part of partitions) {
    if (steps >= maxSteps) {
      ranOut = true;
      break;
    }
    const verdict = checkPartition(part, model, maxSteps - steps);
    steps += verdict.steps;
    if (verdict.verdict === 'unknown') ranOut = true;
    if (verdict.verdict === 'illegal') {
      const prefix = verdict.prefix.map((index) => part[index]);
      const unordered = verdict.unordered.map((index) => part[index]);
      const explanation = [
        `The history is not linearizable: no order of these ${part.length} operations respects real time and the specification.`,
        `The longest valid order found covers ${prefix.length} operations; it ends with:`,
        ...prefix.slice(-5).map((operation) => `  ${describe(operation)}`),
        'After it, none of these operations can come next (each result contradicts the state, or another operation must come first):',
        ...unordered.slice(0, 10).map((operation) => `  ${describe(operation)}`),
      ].join('\n');
      return {
        result: 'illegal',
        operationCount: history.length,
        partitionCount: partitions.length,
        steps,
        longestLinearizedPrefix: prefix,
        unorderedOperations: unordered,
        explanation,
      };
    }
  }
  if (ranOut) {
    return {
      result: 'unknown',
      operationCount: history.length,
      partitionCount: partitions.length,
      steps,
      explanation:
        `The checker ran out of its budget of ${maxSteps} search steps on a history of ${history.length} operations in ${partitions.length} partitions, ` +
        'so it could neither prove nor refute linearizability. This is not a pass: shorten the scenario, use fewer concurrent clients or keys with scans, or raise maxSteps.',
    };
  }
  return { result: 'ok', operationCount: history.length, partitionCount: partitions.length, steps };
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
