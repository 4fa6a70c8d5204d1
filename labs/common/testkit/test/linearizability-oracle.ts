/**
 * For the checker's own tests: a brute-force linearizability oracle, obviously right and
 * hopelessly slow, and a generator of small random key/value histories (legal and not).
 *
 * @module
 */
import type { Rng } from '../../runtime/rng';
import type { HistoryOperation } from '../history';
import type { LinearizabilityModel } from '../linearizability-model';
import { kvModel, type KvInput, type KvModelState, type KvOperation, type KvOutput } from '../linearizability-kv-model';

/**
 * Whether `earlier` must come before `later` in any linearization: it returned before `later`
 * was invoked. By event numbers when every operation has them (as the checker does), by
 * times otherwise (touching operations are concurrent).
 */
export function mustPrecede<TInput, TOutput>(earlier: HistoryOperation<TInput, TOutput>, later: HistoryOperation<TInput, TOutput>, exact: boolean): boolean {
  if (earlier.outcome === 'unknown') return false;
  return exact ? (earlier.returnSequence as number) < (later.invokeSequence as number) : earlier.returnMs < later.invokeMs;
}

/** True when the history carries event numbers throughout (the checker then orders by them). */
export function isExact<TInput, TOutput>(history: readonly HistoryOperation<TInput, TOutput>[]): boolean {
  return history.length > 0 && history.every((operation) => operation.invokeSequence !== undefined && (operation.returnSequence !== undefined || operation.outcome === 'unknown'));
}

/**
 * The definition, searched exhaustively: is there an order of the operations that respects
 * real time, in which every known output is what the model allows, and in which each
 * unknown-outcome operation either takes effect (anywhere after its invocation) or does not?
 * Exponential: for histories of a handful of operations only.
 */
export function bruteForceLinearizable<TState, TInput, TOutput>(history: readonly HistoryOperation<TInput, TOutput>[], model: LinearizabilityModel<TState, TInput, TOutput>): boolean {
  const exact = isExact(history);
  const search = (remaining: readonly HistoryOperation<TInput, TOutput>[], state: TState): boolean => {
    // Unknown-outcome operations may never take effect: only the known ones must be placed.
    if (remaining.every((operation) => operation.outcome === 'unknown')) return true;
    return remaining.some((operation, index) => {
      if (remaining.some((other) => other !== operation && mustPrecede(other, operation, exact))) return false;
      const next = model.step(state, operation.input, operation.outcome === 'ok' ? operation.output : undefined);
      return next !== undefined && search([...remaining.slice(0, index), ...remaining.slice(index + 1)], next);
    });
  };
  return search(history, model.init());
}

/**
 * Whether `order` is a valid beginning of a linearization of `history`: each operation's
 * predecessors in real time come before it, and each output fits the state.
 */
export function isValidPrefix<TState, TInput, TOutput>(
  history: readonly HistoryOperation<TInput, TOutput>[],
  order: readonly HistoryOperation<TInput, TOutput>[],
  model: LinearizabilityModel<TState, TInput, TOutput>,
): boolean {
  const exact = isExact(history);
  const placed = new Set<HistoryOperation<TInput, TOutput>>();
  let state: TState | undefined = model.init();
  for (const operation of order) {
    if (history.some((other) => !placed.has(other) && other !== operation && mustPrecede(other, operation, exact))) return false;
    state = model.step(state, operation.input, operation.outcome === 'ok' ? operation.output : undefined);
    if (state === undefined) return false;
    placed.add(operation);
  }
  return true;
}

/** Knobs of {@link randomKvHistory}. */
export interface RandomHistoryOptions {
  /** How many operations. */
  readonly operations: number;
  /** The keys used (one-letter strings). */
  readonly keys: readonly string[];
  /** Share of operations that are scans (with random ranges and limits). */
  readonly scanShare: number;
  /** Share of operations whose outcome is unknown (an unknown write takes effect half the time). */
  readonly unknownShare: number;
  /** Share of reads whose answer is replaced by a plausible wrong one. */
  readonly corruptShare: number;
  /** Whether writes may be appends (without appends, unknown puts nobody read can be left out). */
  readonly appends: boolean;
}

/** Decides each output by really running the operations on a store, at a moment inside each interval. */
type Timeline = { readonly kind: 'invoke' | 'effect' | 'return'; readonly operation: number }[];

function randomTimeline(rng: Rng, count: number): Timeline {
  const timeline: Timeline = [];
  const phase = new Array<number>(count).fill(0);
  let started = 0;
  while (timeline.length < 3 * count) {
    const open = phase.map((value, index) => (value > 0 && value < 3 ? index : -1)).filter((index) => index >= 0);
    if (started < count && (open.length === 0 || rng.chance(0.4))) {
      phase[started] = 1;
      timeline.push({ kind: 'invoke', operation: started++ });
      continue;
    }
    const operation = rng.pick(open);
    timeline.push({ kind: phase[operation] === 1 ? 'effect' : 'return', operation });
    phase[operation]++;
  }
  return timeline;
}

function randomInput(rng: Rng, options: RandomHistoryOptions, index: number): KvInput {
  const key = Buffer.from(rng.pick(options.keys));
  if (rng.chance(options.scanShare)) {
    const [start, end] = [rng.pick(['', ...options.keys]), rng.pick(['', ...options.keys])];
    return { kind: 'scan', startKey: Buffer.from(start), endKey: Buffer.from(end), limit: rng.chance(0.3) ? rng.int(1, 2) : undefined };
  }
  switch (rng.int(0, 4)) {
    case 0:
    case 1:
      return { kind: 'get', key };
    case 2:
      return { kind: 'put', key, value: Buffer.from(`v${index}`) };
    case 3:
      return options.appends ? { kind: 'append', key, value: Buffer.from(`.${index}`) } : { kind: 'put', key, value: Buffer.from(`w${index}`) };
    default:
      return { kind: 'delete', key };
  }
}

function outputIn(state: KvModelState, input: KvInput): KvOutput {
  if (input.kind === 'get') {
    const value = state.get(input.key.toString('latin1'));
    return { kind: 'get', value: value === undefined ? undefined : Buffer.from(value, 'latin1') };
  }
  if (input.kind === 'scan') {
    const start = input.startKey.toString('latin1');
    const end = input.endKey !== undefined && input.endKey.length > 0 ? input.endKey.toString('latin1') : undefined;
    const pairs = [...state.entries()].filter(([key]) => key >= start && (end === undefined || key < end)).sort(([left], [right]) => (left < right ? -1 : 1));
    return { kind: 'scan', pairs: pairs.slice(0, input.limit ?? pairs.length).map(([key, value]) => ({ key: Buffer.from(key, 'latin1'), value: Buffer.from(value, 'latin1') })) };
  }
  return { kind: 'write' };
}

/** A plausible wrong answer: another value the key had or will have, or a pair dropped or invented. */
function corrupt(rng: Rng, output: KvOutput, valuesSeen: readonly string[]): KvOutput {
  if (output.kind === 'get') {
    const choices = [undefined, 'never written', ...valuesSeen].filter((value) => value !== output.value?.toString('latin1'));
    const value = rng.pick(choices);
    return { kind: 'get', value: value === undefined ? undefined : Buffer.from(value, 'latin1') };
  }
  if (output.kind === 'scan') {
    if (output.pairs.length > 0 && rng.chance(0.5)) return { kind: 'scan', pairs: output.pairs.filter((_, index) => index !== rng.int(0, output.pairs.length - 1)) };
    return { kind: 'scan', pairs: [...output.pairs, { key: Buffer.from('zz'), value: Buffer.from(rng.pick(['', ...valuesSeen])) }] };
  }
  return output;
}

/**
 * A random history of a store that really ran the operations, each taking effect at a moment
 * between its invocation and its return (so it is linearizable), with some answers then made
 * wrong (so it may not be). Times advance by 0 or 1 ms per event, so many events share a
 * millisecond; event numbers give their exact order.
 */
export function randomKvHistory(rng: Rng, options: RandomHistoryOptions): KvOperation[] {
  const count = options.operations;
  const inputs = Array.from({ length: count }, (_, index) => randomInput(rng, options, index));
  const unknown = inputs.map(() => rng.chance(options.unknownShare));
  const takesEffect = unknown.map((isUnknown) => !isUnknown || rng.chance(0.5));
  const outputs = new Array<KvOutput | undefined>(count);
  const invokeMs = new Array<number>(count);
  const returnMs = new Array<number>(count);
  const invokeSequence = new Array<number>(count);
  const returnSequence = new Array<number>(count);
  const valuesSeen: string[] = [];
  let state: KvModelState = kvModel.init();
  let nowMs = 0;
  let sequence = 0;
  for (const event of randomTimeline(rng, count)) {
    const input = inputs[event.operation];
    if (event.kind === 'effect') {
      if (!takesEffect[event.operation]) continue;
      outputs[event.operation] = outputIn(state, input);
      state = kvModel.step(state, input, outputs[event.operation]) as KvModelState;
      valuesSeen.push(...state.values());
      continue;
    }
    nowMs += rng.int(0, 1);
    if (event.kind === 'invoke') {
      invokeMs[event.operation] = nowMs;
      invokeSequence[event.operation] = ++sequence;
    } else {
      returnMs[event.operation] = nowMs;
      returnSequence[event.operation] = ++sequence;
    }
  }
  return inputs.map((input, index): KvOperation => {
    const base = { id: index + 1, clientId: index + 1, input, invokeMs: invokeMs[index], invokeSequence: invokeSequence[index] };
    if (unknown[index]) return { ...base, returnMs: Number.POSITIVE_INFINITY, returnSequence: Number.POSITIVE_INFINITY, outcome: 'unknown' };
    const output = outputs[index] as KvOutput;
    const answered = (input.kind === 'get' || input.kind === 'scan') && rng.chance(options.corruptShare) ? corrupt(rng, output, valuesSeen) : output;
    return { ...base, returnMs: returnMs[index], returnSequence: returnSequence[index], outcome: 'ok', output: answered };
  });
}

/** The same history without event numbers, as a hand-built one would be. */
export function withoutEventNumbers(history: readonly KvOperation[]): KvOperation[] {
  return history.map(({ invokeSequence: _invoke, returnSequence: _return, ...operation }) => operation);
}
