/**
 * The search for a linearization of one partition: Wing & Gong's depth-first search over the
 * real-time list, with Lowe's memo of (linearized set, model state), as in Porcupine.
 *
 * @module
 */
import type { LinearizabilityModel } from './linearizability-model';
import { LinearizedSet } from './linearized-set';
import { IMPOSSIBLE, ModelStepCache } from './model-step-cache';
import { candidatesAfter, liftOperation, unliftOperation, type OrderEntry, type RealTimeOrder } from './real-time-order';

/** The bounds of one search. Reaching any of them ends it with `unknown`. */
export interface SearchLimits {
  /** The most steps (a step tries one entry of the list, or undoes one choice). */
  readonly maxSteps: number;
  /** The most memo entries (bounds memory: one entry per configuration explored). */
  readonly maxMemoEntries: number;
  /** The most distinct model states (bounds memory: each is kept for reuse). */
  readonly maxStates: number;
}

/** What a search used, whatever its verdict. */
export interface SearchCost {
  readonly steps: number;
  /** Configurations (linearized set, state) explored: the memo's size. */
  readonly memoEntries: number;
  /** Distinct model states met. */
  readonly states: number;
}

/** The verdict on one partition. */
export type SearchOutcome =
  | ({ readonly verdict: 'ok' } & SearchCost)
  | ({ readonly verdict: 'unknown'; readonly limit: keyof SearchLimits } & SearchCost)
  /** `deepestAtStep`: the step at which the longest linearized prefix was first reached (see {@link longestPrefix}). */
  | ({ readonly verdict: 'illegal'; readonly deepestAtStep: number } & SearchCost);

/** The longest prefix of a failed search and what could have come after it, for the report. */
export interface LongestPrefix {
  /** Operation indexes, in the order linearized. */
  readonly prefix: readonly number[];
  /** The operations that could come next after it (see `candidatesAfter`), none of which fits. */
  readonly unordered: readonly number[];
}

/**
 * The choices of the current branch, one entry per linearized operation, in parallel arrays
 * (an object per choice would be garbage the collector copies on every deep search).
 */
class ChoiceStack<TState> {
  /** The call linearized. */
  readonly calls: OrderEntry[] = [];
  /** The state before it, and its number. */
  readonly statesBefore: TState[] = [];
  readonly stateNumbersBefore: number[] = [];
  /** The undo token of the linearized set. */
  readonly undos: number[] = [];
  /** A read taken without alternatives: undoing it also ends its parent configuration. */
  readonly forced: boolean[] = [];

  get depth(): number {
    return this.calls.length;
  }

  push(call: OrderEntry, stateBefore: TState, stateNumberBefore: number, undo: number, forced: boolean): void {
    this.calls.push(call);
    this.statesBefore.push(stateBefore);
    this.stateNumbersBefore.push(stateNumberBefore);
    this.undos.push(undo);
    this.forced.push(forced);
  }

  /** Drops the top choice (read its fields first). */
  pop(): void {
    this.calls.pop();
    this.statesBefore.pop();
    this.stateNumbersBefore.pop();
    this.undos.pop();
    this.forced.pop();
  }
}

/**
 * Searches for a linearization of `order`'s operations.
 *
 * Each configuration (the operations linearized so far, the model state) is explored once:
 * the memo remembers every configuration entered, and a configuration met again has already
 * failed (or is an ancestor, impossible since the set only grows along a branch). In each new
 * configuration a read-only operation that fits the state is linearized first, without
 * alternatives: moving a read that changes nothing to the front of any valid completion
 * keeps it valid, so if that branch fails, every branch does. Otherwise the candidates (calls
 * before the first return) are tried in list order (invocation order: measured on cluster
 * histories, trying unknown-outcome writes early costs far fewer steps than trying them last,
 * because most of them did take effect); when none fits, the last choice is undone. Once every
 * operation with a known outcome is placed the search succeeds: the others may never have
 * taken effect.
 *
 * Per step the bookkeeping is O(1) apart from the memo key, whose length is the number of
 * holes in the linearized set; the longest prefix is only tracked by its depth and step, and
 * rebuilt by {@link longestPrefix} when the verdict is `illegal`.
 *
 * @param order - the partition's list; an `illegal` search leaves it as it found it (every
 *   choice undone), an `ok` or `unknown` one does not.
 * @param model - the specification.
 * @param limits - the bounds.
 * @returns the verdict and its cost.
 */
export function searchLinearization<TState, TInput, TOutput>(
  order: RealTimeOrder<TInput, TOutput>,
  model: LinearizabilityModel<TState, TInput, TOutput>,
  limits: SearchLimits,
): SearchOutcome {
  const run = runSearch(order, model, limits, Number.POSITIVE_INFINITY);
  if (run.kind === 'snapshot') throw new Error('searchLinearization: a search without a stop step stopped; this is a checker bug.');
  return run.outcome;
}

/**
 * Replays a search that ended `illegal` up to the step at which it first reached its longest
 * prefix, and returns that prefix and its candidates. The search is deterministic, so the
 * replay takes the same path; it costs what the search cost up to that step.
 *
 * @param order - the list the `illegal` search used (it is left as that search found it).
 * @param model - the specification.
 * @param deepestAtStep - from the `illegal` outcome.
 */
export function longestPrefix<TState, TInput, TOutput>(order: RealTimeOrder<TInput, TOutput>, model: LinearizabilityModel<TState, TInput, TOutput>, deepestAtStep: number): LongestPrefix {
  const limits = { maxSteps: Number.POSITIVE_INFINITY, maxMemoEntries: Number.POSITIVE_INFINITY, maxStates: Number.POSITIVE_INFINITY };
  const run = runSearch(order, model, limits, deepestAtStep);
  if (run.kind === 'snapshot') return run.snapshot;
  // Step 0: nothing could be linearized at all.
  return { prefix: [], unordered: candidatesAfter(order.head) };
}

type SearchRun = { readonly kind: 'outcome'; readonly outcome: SearchOutcome } | { readonly kind: 'snapshot'; readonly snapshot: LongestPrefix };

function runSearch<TState, TInput, TOutput>(
  order: RealTimeOrder<TInput, TOutput>,
  model: LinearizabilityModel<TState, TInput, TOutput>,
  limits: SearchLimits,
  stopAtStep: number,
): SearchRun {
  const { head, operations } = order;
  const readOnly = operations.map((operation) => model.isReadOnly?.(operation.input) ?? false);
  const known = operations.map((operation) => operation.outcome === 'ok');
  const cache = new ModelStepCache(model, operations);
  const linearized = new LinearizedSet();
  const memo = new Set<string>();
  const stack = new ChoiceStack<TState>();
  let state = model.init();
  let stateNumber = cache.numberOf(state);
  /** Known-outcome operations not yet linearized: at 0 the rest may simply never take effect. */
  let knownLeft = known.filter(Boolean).length;
  let steps = 0;
  let deepest = 0;
  let deepestAtStep = 0;
  /** Where the scan of the current configuration's candidates is. */
  let cursor: OrderEntry | undefined = head.next;
  /** True right after entering a configuration: look for a read to force first. */
  let entered = true;

  const cost = (): SearchCost => ({ steps, memoEntries: memo.size, states: cache.stateCount });

  /**
   * Linearizes `call`, which leads to the state numbered `nextNumber`, if the configuration it
   * leads to is new (only then is the state itself computed). A forced call is a read.
   */
  const tryLinearize = (call: OrderEntry, nextNumber: number, forced: boolean): boolean => {
    const undo = linearized.add(call.operation);
    // One hash lookup: the memo grows exactly when the configuration is new.
    const sizeBefore = memo.size;
    memo.add(`${nextNumber}:${linearized.key()}`);
    if (memo.size === sizeBefore) {
      linearized.remove(call.operation, undo);
      return false;
    }
    stack.push(call, state, stateNumber, undo, forced);
    if (!forced) state = cache.stateAfter(stateNumber, state, call.operation);
    stateNumber = nextNumber;
    if (known[call.operation]) knownLeft--;
    liftOperation(call);
    entered = true;
    if (stack.depth > deepest) {
      deepest = stack.depth;
      deepestAtStep = steps;
    }
    return true;
  };

  /** Undoes choices up to the latest one that has alternatives left; false when none has. */
  const backtrack = (): boolean => {
    for (;;) {
      const top = stack.depth - 1;
      if (top < 0) return false;
      const call = stack.calls[top];
      const forced = stack.forced[top];
      state = stack.statesBefore[top];
      stateNumber = stack.stateNumbersBefore[top];
      linearized.remove(call.operation, stack.undos[top]);
      stack.pop();
      if (known[call.operation]) knownLeft++;
      unliftOperation(call);
      if (!forced) {
        cursor = call.next;
        return true;
      }
    }
  };

  while (knownLeft > 0) {
    steps++;
    if (steps > limits.maxSteps) return { kind: 'outcome', outcome: { verdict: 'unknown', limit: 'maxSteps', ...cost() } };
    if (memo.size >= limits.maxMemoEntries) return { kind: 'outcome', outcome: { verdict: 'unknown', limit: 'maxMemoEntries', ...cost() } };
    if (cache.stateCount >= limits.maxStates) return { kind: 'outcome', outcome: { verdict: 'unknown', limit: 'maxStates', ...cost() } };
    if (steps > stopAtStep) {
      return { kind: 'snapshot', snapshot: { prefix: stack.calls.map((call) => call.operation), unordered: candidatesAfter(head) } };
    }
    if (entered) {
      entered = false;
      const read = fittingRead(head, readOnly, cache, stateNumber, state);
      if (read !== undefined) {
        if (tryLinearize(read, stateNumber, true)) continue;
        // Known configuration: it failed before, so this one fails too.
        if (!backtrack()) break;
        continue;
      }
      cursor = head.next;
    }
    const current = cursor as OrderEntry;
    if (!current.isCall) {
      // The first return: its operation had to come before anything later, and nothing fits.
      if (!backtrack()) break;
      continue;
    }
    // Reads were ruled out on entering this configuration: none fits its state.
    if (!readOnly[current.operation]) {
      const nextNumber = cache.writeNumber(stateNumber, state, current.operation);
      if (nextNumber !== IMPOSSIBLE && tryLinearize(current, nextNumber, false)) continue;
    }
    cursor = current.next;
  }
  if (knownLeft === 0) return { kind: 'outcome', outcome: { verdict: 'ok', ...cost() } };
  return { kind: 'outcome', outcome: { verdict: 'illegal', deepestAtStep, ...cost() } };
}

/** The first candidate read whose output fits `state`, if any. */
function fittingRead<TState, TInput, TOutput>(
  head: OrderEntry,
  readOnly: readonly boolean[],
  cache: ModelStepCache<TState, TInput, TOutput>,
  stateNumber: number,
  state: TState,
): OrderEntry | undefined {
  for (let entry = head.next; entry !== undefined && entry.isCall; entry = entry.next) {
    if (readOnly[entry.operation] && cache.readFits(stateNumber, state, entry.operation)) return entry;
  }
  return undefined;
}
