/**
 * The trace: one JSON line per thing that happened in a simulation, stamped with virtual time.
 *
 * @module
 */

/**
 * The kinds of event the kit itself records. Components may record other kinds too.
 *
 * - `send`, `deliver`, `drop`, `duplicate`: the simulated network (`drop` has a `reason`);
 *   each carries the message's id `msg`, and a `duplicate` the id `of` the message it copies;
 * - `partition`, `isolate`, `heal`, `filter-add`, `filter-remove`: network fault changes;
 * - `start`, `crash`, `restart`: simulated nodes;
 * - `tick`, `role`: recorded by store code (a batch of ticks; a role or term change);
 * - `invoke`, `return`: client operations (the history recorder), with the operation's id `op`;
 * - `linearizability`: a checker's failed verdict, recorded by the test that ran the checker
 *   (see {@link LinearizabilityTraceEvent}); the trace viewer highlights the operations it names;
 * - `violation`: a rule a store broke, found as the run went (the cluster's safety auditor, or
 *   an answer that belongs to another command), with the store as `node`, its `region` and the
 *   sentence as `text`; the trace viewer marks it on the store's lane at its time;
 * - `cluster`: the cluster's layout, recorded first: `stores` (ids) and `regions` (each with
 *   `id` and `peers`, `{ id, storeId }`), so the viewer can name a lane "store 2 (peer 3)".
 */
export type StandardTraceKind =
  | 'send'
  | 'deliver'
  | 'drop'
  | 'duplicate'
  | 'partition'
  | 'isolate'
  | 'heal'
  | 'filter-add'
  | 'filter-remove'
  | 'start'
  | 'crash'
  | 'restart'
  | 'tick'
  | 'role'
  | 'invoke'
  | 'return'
  | 'linearizability'
  | 'violation'
  | 'cluster';

/**
 * One trace event: a `kind` and any JSON-able fields. Buffers are written as their text when
 * every byte is printable ASCII and as `0x<hex>` otherwise; bigints as decimal strings;
 * `undefined` fields are left out.
 */
export interface TraceEvent {
  /** What happened (see {@link StandardTraceKind}). */
  readonly kind: StandardTraceKind | (string & {});
  /** Any other field. */
  readonly [field: string]: unknown;
}

/**
 * The line a test records when a linearizability check fails, so that the trace viewer can
 * highlight the operations the checker could not order:
 * `{"atMs":..,"kind":"linearizability","result":"illegal","unordered":[4,7]}`.
 */
export interface LinearizabilityTraceEvent extends TraceEvent {
  readonly kind: 'linearizability';
  /** `illegal`: no order exists; `unknown`: the search ran out of budget (also a failure). */
  readonly result: 'illegal' | 'unknown';
  /** The ids (`op` of the `invoke` lines) of the operations it could not order; may be empty for `unknown`. */
  readonly unordered: readonly number[];
}

/**
 * Builds the {@link LinearizabilityTraceEvent} of a checker verdict, or undefined when the
 * verdict is `ok` (nothing to record).
 *
 * @param verdict - what `checkLinearizability` / `checkKvLinearizability` returned.
 * @returns the event to pass to `trace.record`, or undefined for a passing verdict.
 *
 * @example
 * ```ts
 * const verdict = checkKvLinearizability(history.operations());
 * const event = linearizabilityTraceEvent(verdict);
 * if (event !== undefined) trace.record(event);
 * ```
 */
export function linearizabilityTraceEvent(verdict: {
  readonly result: 'ok' | 'illegal' | 'unknown';
  readonly unorderedOperations?: readonly { readonly id: number }[];
}): LinearizabilityTraceEvent | undefined {
  if (verdict.result === 'ok') return undefined;
  return { kind: 'linearizability', result: verdict.result, unordered: (verdict.unorderedOperations ?? []).map((operation) => operation.id) };
}

/** Options of {@link Trace}. */
export interface TraceOptions {
  /** When false, `record` does nothing and costs nothing (default true). */
  readonly enabled?: boolean;
  /** The most lines kept in memory (default 1 000 000); later lines are counted in `droppedLineCount`. */
  readonly maxLines?: number;
  /** Called with every line as it is recorded (to stream it to a file); also for lines past `maxLines`. */
  readonly onLine?: (line: string) => void;
}

/** Anything with a clock: a `Runtime`. */
export interface TraceClock {
  /** The current (virtual) time in ms. */
  now(): number;
}

function isPrintableAscii(bytes: Buffer): boolean {
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) return false;
  return true;
}

function replaceSpecialValues(this: unknown, key: string, value: unknown): unknown {
  // JSON.stringify calls Buffer.toJSON before the replacer, so look at the holder's original value.
  const original = (this as Record<string, unknown>)[key];
  if (Buffer.isBuffer(original)) return isPrintableAscii(original) ? original.toString('latin1') : `0x${original.toString('hex')}`;
  if (typeof value === 'bigint') return value.toString();
  return value;
}

/**
 * Turns an event into its trace line: `{"atMs":<virtual ms>,"kind":...,<fields in insertion order>}`.
 *
 * @param atMs - the virtual time.
 * @param event - the event.
 * @returns one line of JSON, without a newline.
 *
 * @example
 * ```ts
 * formatTraceLine(12, { kind: 'send', from: 1, to: 2, key: Buffer.from('k') });
 * // '{"atMs":12,"kind":"send","from":1,"to":2,"key":"k"}'
 * ```
 */
export function formatTraceLine(atMs: number, event: TraceEvent): string {
  return JSON.stringify({ atMs, ...event }, replaceSpecialValues);
}

/**
 * Records trace events as JSON lines. Everything in a line comes from the simulation (virtual
 * time, ids, messages), never from the wall clock, so the same seed gives a byte-identical
 * trace; `tinykv replay --trace FILE` writes one for the trace viewer.
 *
 * @example
 * ```ts
 * const trace = new Trace(runtime);
 * trace.record({ kind: 'role', node: 1, role: 'leader', term: 3 });
 * trace.text(); // '{"atMs":0,"kind":"role","node":1,"role":"leader","term":3}\n'
 * ```
 */
export class Trace {
  private readonly kept: string[] = [];
  private readonly maxLines: number;
  private dropped = 0;
  /** Whether `record` does anything: check it before building an expensive event. */
  readonly enabled: boolean;

  /**
   * @param clock - where the time stamp comes from (the runtime).
   * @param options - enable switch, memory bound and a line listener.
   */
  constructor(
    private readonly clock: TraceClock,
    private readonly options: TraceOptions = {},
  ) {
    this.enabled = options.enabled ?? true;
    this.maxLines = options.maxLines ?? 1_000_000;
  }

  /** A trace that records nothing: the default of every component that takes an optional trace. */
  static disabled(): Trace {
    return new Trace({ now: () => 0 }, { enabled: false });
  }

  /**
   * Records one event at the current virtual time (does nothing when disabled).
   *
   * @param event - the event; its fields are serialised now, so later mutation does not change the line.
   */
  record(event: TraceEvent): void {
    if (!this.enabled) return;
    const line = formatTraceLine(this.clock.now(), event);
    this.options.onLine?.(line);
    if (this.kept.length < this.maxLines) this.kept.push(line);
    else this.dropped++;
  }

  /** The lines kept so far, in order. */
  lines(): readonly string[] {
    return this.kept;
  }

  /** The kept lines as one text, each line ended by a newline (the trace file format). */
  text(): string {
    return this.kept.length === 0 ? '' : `${this.kept.join('\n')}\n`;
  }

  /** How many lines were not kept because of `maxLines`. */
  get droppedLineCount(): number {
    return this.dropped;
  }
}
