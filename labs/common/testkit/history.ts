/**
 * The history recorder: every client operation with its invoke time, return time and result.
 *
 * @module
 */
import type { Trace, TraceClock } from '../sim/trace';

/** How an operation ended: with a result (`ok`), or without knowing whether it took effect (`unknown`). */
export type OperationOutcome = 'ok' | 'unknown';

/**
 * One client operation of a history.
 *
 * An operation with outcome `unknown` (a timeout, a lost reply, a client that gave up, or
 * one still pending at the end) may have taken effect at any point after its invocation, or
 * never: its `returnMs` is `Infinity` and it has no output.
 */
export interface HistoryOperation<TInput, TOutput> {
  /** Unique within the history, in invocation order. */
  readonly id: number;
  /** The client that issued it (one client issues one operation at a time). */
  readonly clientId: number;
  /** What was asked. */
  readonly input: TInput;
  /** When it was invoked (virtual ms). */
  readonly invokeMs: number;
  /** When its result came back (virtual ms), or `Infinity` when the outcome is unknown. */
  readonly returnMs: number;
  /**
   * The recorder's event number of the invocation: one counter numbers every invocation and
   * every return of a history, in the order the (single-threaded, deterministic) simulation
   * made them. It orders events that share a virtual millisecond, so the checker knows that an
   * operation which returned at 10 ms before another was invoked at 10 ms really came first.
   * Absent in hand-built histories: the checker then orders by time only and treats touching
   * operations as concurrent.
   */
  readonly invokeSequence?: number;
  /** The event number of the return (see {@link invokeSequence}); `Infinity` when the outcome is unknown. */
  readonly returnSequence?: number;
  /** Whether the result is known. */
  readonly outcome: OperationOutcome;
  /** The result, when `outcome` is `ok`. */
  readonly output?: TOutput;
}

/** Options of {@link HistoryRecorder}. */
export interface HistoryRecorderOptions<TInput, TOutput> {
  /** Where time stamps come from: the runtime. */
  readonly clock: TraceClock;
  /** Where to record `invoke` / `return` events (default: nowhere). */
  readonly trace?: Trace;
  /** How an input appears in the trace (default: itself). */
  readonly describeInput?: (input: TInput) => unknown;
  /** How an output appears in the trace (default: itself). */
  readonly describeOutput?: (output: TOutput) => unknown;
}

/** Returned by {@link HistoryRecorder.invoke}: names the operation when it completes. */
export type OperationId = number & { readonly __operationId: unique symbol };

interface OpenOperation<TInput> {
  readonly id: number;
  readonly clientId: number;
  readonly input: TInput;
  readonly invokeMs: number;
  readonly invokeSequence: number;
}

/**
 * Records a history of client operations for the linearizability checker.
 *
 * Call {@link invoke} just before the client sends its request and {@link complete} as soon
 * as it has the answer; call {@link completeUnknown} when the client gives up without
 * knowing (a timeout) and {@link discard} only when the request surely had no effect (it was
 * rejected before it could be proposed). Operations still open at the end count as unknown.
 *
 * Every invocation and every return also gets the next number of one counter
 * (`invokeSequence`, `returnSequence`): the exact order of events within a virtual millisecond.
 * That order is real because the simulation runs one callback at a time; one recorder per
 * simulated run, so that the numbers of one history come from one counter.
 *
 * @example
 * ```ts
 * const recorder = new HistoryRecorder<KvInput, KvOutput>({ clock: runtime });
 * const id = recorder.invoke(1, { kind: 'put', key, value });
 * // ... the put succeeds
 * recorder.complete(id, { kind: 'write' });
 * checkKvLinearizability(recorder.operations());
 * ```
 */
export class HistoryRecorder<TInput, TOutput> {
  private readonly finished: HistoryOperation<TInput, TOutput>[] = [];
  private readonly open = new Map<number, OpenOperation<TInput>>();
  private readonly discarded = new Set<number>();
  private nextId = 1;
  private nextSequence = 1;

  /** @param options - the clock, and an optional trace with describe functions. */
  constructor(private readonly options: HistoryRecorderOptions<TInput, TOutput>) {}

  /**
   * Records that `clientId` invokes `input` now.
   *
   * @returns the id to pass to `complete`, `completeUnknown` or `discard`.
   */
  invoke(clientId: number, input: TInput): OperationId {
    const id = this.nextId++;
    const invokeMs = this.options.clock.now();
    this.open.set(id, { id, clientId, input, invokeMs, invokeSequence: this.nextSequence++ });
    this.options.trace?.record({ kind: 'invoke', op: id, client: clientId, input: this.describeInput(input) });
    return id as OperationId;
  }

  /**
   * Records that the operation returned `output` now.
   *
   * @throws Error when the operation is not open (unknown id, or already completed).
   */
  complete(id: OperationId, output: TOutput): void {
    const operation = this.close(id, 'complete');
    const returnMs = this.options.clock.now();
    this.finished.push({ ...operation, returnMs, returnSequence: this.nextSequence++, outcome: 'ok', output });
    this.options.trace?.record({ kind: 'return', op: id, client: operation.clientId, output: this.describeOutput(output) });
  }

  /**
   * Records that the client stopped waiting without knowing whether the operation took effect.
   *
   * @param reason - why (for the trace), e.g. `timeout`.
   * @throws Error when the operation is not open.
   */
  completeUnknown(id: OperationId, reason = 'timeout'): void {
    const operation = this.close(id, 'completeUnknown');
    this.finished.push({ ...operation, returnMs: Number.POSITIVE_INFINITY, returnSequence: Number.POSITIVE_INFINITY, outcome: 'unknown' });
    this.options.trace?.record({ kind: 'return', op: id, client: operation.clientId, outcome: 'unknown', reason });
  }

  /**
   * Forgets an operation that surely had no effect (for example a request refused before
   * it was proposed). When in doubt, use {@link completeUnknown}: discarding an operation
   * that did take effect makes the checker report a false violation.
   *
   * @throws Error when the operation is not open.
   */
  discard(id: OperationId): void {
    const operation = this.close(id, 'discard');
    this.discarded.add(id);
    this.options.trace?.record({ kind: 'return', op: id, client: operation.clientId, outcome: 'discarded' });
  }

  /** How many operations are still waiting for their result. */
  get openCount(): number {
    return this.open.size;
  }

  /**
   * One line per open operation, for `SimulatedRuntime.addPendingReporter`: a stuck run then
   * says which client waits for what.
   */
  describeOpenOperations(): string[] {
    return [...this.open.values()].map(
      (operation) =>
        `client ${operation.clientId} waits for operation ${operation.id} (${JSON.stringify(this.describeInput(operation.input), bufferAsText)}) invoked at ${operation.invokeMs} ms`,
    );
  }

  /**
   * The history: finished operations plus still-open ones as `unknown`, ordered by id.
   *
   * @returns a new array; the recorder keeps recording.
   */
  operations(): HistoryOperation<TInput, TOutput>[] {
    const stillOpen: HistoryOperation<TInput, TOutput>[] = [...this.open.values()].map((operation) => ({
      ...operation,
      returnMs: Number.POSITIVE_INFINITY,
      returnSequence: Number.POSITIVE_INFINITY,
      outcome: 'unknown',
    }));
    return [...this.finished, ...stillOpen].sort((left, right) => left.id - right.id);
  }

  private close(id: OperationId, method: string): OpenOperation<TInput> {
    const operation = this.open.get(id);
    if (operation === undefined) {
      const state = this.discarded.has(id) || (id > 0 && id < this.nextId) ? 'already finished' : 'never invoked';
      throw new Error(`HistoryRecorder.${method} was called for operation ${id}, which is ${state}; every invoke must be closed exactly once.`);
    }
    this.open.delete(id);
    return operation;
  }

  private describeInput(input: TInput): unknown {
    return this.options.describeInput ? this.options.describeInput(input) : input;
  }

  private describeOutput(output: TOutput): unknown {
    return this.options.describeOutput ? this.options.describeOutput(output) : output;
  }
}

function bufferAsText(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  return Buffer.isBuffer(original) ? original.toString('latin1') : value;
}
