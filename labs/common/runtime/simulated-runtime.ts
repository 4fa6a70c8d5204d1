/**
 * The simulated runtime: a virtual clock and one event queue, driven by the test.
 *
 * @module
 */
import { BinaryHeap } from './binary-heap';
import { createRng, type Rng } from './rng';
import { checkDelayMs, type Runtime, type TimerHandle } from './runtime';
import { SimulationEventError, SimulationStuckError, type PendingGroup, type PendingReport } from './simulation-errors';

/** Options of {@link SimulatedRuntime}. */
export interface SimulatedRuntimeOptions {
  /** The run's seed: every random draw of every component derives from it. */
  readonly seed: number;
  /**
   * The most callbacks that may be pending at once (default 1 000 000). Going past it
   * throws: an unbounded queue is a runaway bug (a timer re-armed in a loop, a message storm).
   */
  readonly maxPendingEvents?: number;
  /**
   * How many consecutive microtask turns without any runtime activity count as "promise
   * continuations have settled" between two events (default 4). See {@link SimulatedRuntime.runUntil}.
   */
  readonly idleMicrotaskTurns?: number;
  /** The most microtask turns awaited between two events, a bound on a runaway promise loop (default 10 000). */
  readonly maxMicrotaskTurnsPerEvent?: number;
}

/** Limits of one {@link SimulatedRuntime.runUntil} call. */
export interface RunUntilOptions {
  /** How much virtual time (ms, from now) the run may use before it gives up. */
  readonly maxVirtualMs: number;
  /** The most events it may process before it gives up (default: unlimited). */
  readonly maxEvents?: number;
  /** What is being waited for, for the error message (default `the promise`). */
  readonly description?: string;
}

interface ScheduledEvent {
  readonly atMs: number;
  readonly sequence: number;
  readonly owner: string;
  readonly callback: () => void;
  cancelled: boolean;
}

function compareEvents(left: ScheduledEvent, right: ScheduledEvent): number {
  return left.atMs - right.atMs || left.sequence - right.sequence;
}

/**
 * A {@link Runtime} in virtual time. Nothing happens until the test drives it: each event
 * (timer, scheduled callback, message delivery) waits in one queue ordered by (due time,
 * sequence number), so callbacks due at the same virtual millisecond run in the order they
 * were set. The same seed and the same code give the same order of events, every time.
 *
 * Randomness: a root {@link Rng} from the seed, split per component label (`rng(label)`).
 *
 * @example
 * ```ts
 * const runtime = new SimulatedRuntime({ seed: 42 });
 * const answer = new Promise<string>((resolve) => runtime.setTimer(250, () => resolve('pong'), 'ping'));
 * await runtime.runUntil(answer, { maxVirtualMs: 1_000 }); // 'pong'
 * runtime.now(); // 250
 * ```
 */
export class SimulatedRuntime implements Runtime {
  /** The run's seed. */
  readonly seed: number;
  private readonly rootRng: Rng;
  private readonly queue = new BinaryHeap<ScheduledEvent>(compareEvents);
  private readonly liveEvents = new Map<number, ScheduledEvent>();
  private readonly pendingReporters: Array<() => readonly string[]> = [];
  private readonly maxPendingEvents: number;
  private readonly idleMicrotaskTurns: number;
  private readonly maxMicrotaskTurnsPerEvent: number;
  private nowMs = 0;
  private nextSequence = 1;
  private processed = 0;
  /** Bumped by every runtime call, so the driver can tell when promise continuations went quiet. */
  private activity = 0;
  private driving = false;

  /**
   * @param options - the seed and optional limits.
   * @throws RangeError when the seed is not an integer or a limit is not a positive integer.
   */
  constructor(options: SimulatedRuntimeOptions) {
    this.seed = options.seed;
    this.rootRng = createRng(options.seed);
    this.maxPendingEvents = positiveInteger(options.maxPendingEvents ?? 1_000_000, 'maxPendingEvents');
    this.idleMicrotaskTurns = positiveInteger(options.idleMicrotaskTurns ?? 4, 'idleMicrotaskTurns');
    this.maxMicrotaskTurnsPerEvent = positiveInteger(options.maxMicrotaskTurnsPerEvent ?? 10_000, 'maxMicrotaskTurnsPerEvent');
  }

  /** The virtual time in milliseconds. */
  now(): number {
    this.activity++;
    return this.nowMs;
  }

  /** How many events have run since the runtime was created. */
  get eventsProcessed(): number {
    return this.processed;
  }

  /** How many callbacks are pending (cancelled ones excluded). */
  get pendingEventCount(): number {
    return this.liveEvents.size;
  }

  /**
   * Queues `callback` at `now() + delayMs` (see `Runtime.setTimer`).
   *
   * @throws RangeError when the delay is invalid or the pending-event bound is reached.
   */
  setTimer(delayMs: number, callback: () => void, owner = 'timer'): TimerHandle {
    checkDelayMs(delayMs, 'SimulatedRuntime.setTimer');
    return this.enqueue(this.nowMs + delayMs, callback, owner);
  }

  /** Queues `callback` at the current time, after everything already queued for now (see `Runtime.schedule`). */
  schedule(callback: () => void, owner = 'scheduled'): TimerHandle {
    return this.enqueue(this.nowMs, callback, owner);
  }

  /** Cancels a pending callback; unknown, finished or cancelled handles are ignored. */
  cancel(handle: TimerHandle): void {
    this.activity++;
    const event = this.liveEvents.get(handle);
    if (event === undefined) return;
    // Lazy deletion: the heap entry stays and is skipped when it comes out.
    event.cancelled = true;
    this.liveEvents.delete(handle);
    // Bound the heap by live work: when cancelled entries dominate, drop them in one O(n) pass.
    if (this.queue.size > 1024 && this.queue.size > 2 * this.liveEvents.size) this.queue.retain((queued) => !queued.cancelled);
  }

  /** The root generator split by `label`: same seed and label, same stream (see `Runtime.rng`). */
  rng(label: string): Rng {
    this.activity++;
    return this.rootRng.split(label);
  }

  /**
   * Registers a function that describes pending work the event queue cannot see (a client
   * waiting for a reply, an operation in flight); its lines appear in stuck reports.
   *
   * @param reporter - returns zero or more one-line descriptions.
   */
  addPendingReporter(reporter: () => readonly string[]): void {
    this.pendingReporters.push(reporter);
  }

  /** What is pending now: live callbacks grouped by owner (earliest due first) and reporter lines. */
  pendingReport(): PendingReport {
    const byOwner = new Map<string, { count: number; nextAtMs: number }>();
    for (const event of this.liveEvents.values()) {
      const group = byOwner.get(event.owner);
      if (group === undefined) byOwner.set(event.owner, { count: 1, nextAtMs: event.atMs });
      else {
        group.count++;
        group.nextAtMs = Math.min(group.nextAtMs, event.atMs);
      }
    }
    const groups: PendingGroup[] = [...byOwner.entries()]
      .map(([owner, group]) => ({ owner, ...group }))
      .sort((left, right) => left.nextAtMs - right.nextAtMs || (left.owner < right.owner ? -1 : 1));
    return { groups, notes: this.pendingReporters.flatMap((reporter) => reporter()) };
  }

  /**
   * Runs the next pending event synchronously (moving the clock to its due time) without
   * letting promise continuations run. For tests of purely callback-driven code.
   *
   * @returns false when nothing was pending.
   * @throws SimulationEventError when the callback threw.
   */
  step(): boolean {
    const event = this.nextLiveEvent(Number.POSITIVE_INFINITY);
    if (event === undefined) return false;
    this.runEvent(event);
    return true;
  }

  /**
   * Runs every event due within the next `durationMs` virtual milliseconds, letting promise
   * continuations settle after each, then sets the clock to the end of the interval.
   *
   * @param durationMs - how long to run, a non-negative integer.
   * @throws SimulationEventError when a callback threw.
   */
  async runFor(durationMs: number): Promise<void> {
    checkDelayMs(durationMs, 'SimulatedRuntime.runFor');
    const endMs = this.nowMs + durationMs;
    await this.drive(endMs, Number.POSITIVE_INFINITY, () => false);
    this.nowMs = Math.max(this.nowMs, endMs);
  }

  /**
   * Drives the simulation until `promise` settles, and returns (or throws) what it settled
   * with.
   *
   * Between two events the driver awaits microtask turns until the runtime has seen no call
   * (`now`, `setTimer`, `schedule`, `cancel`, `rng`) for `idleMicrotaskTurns` turns in a row:
   * promise continuations started by an event (a client receiving a reply and sending the
   * next request) therefore run at that event's virtual time, before the clock moves on. No
   * real timer is used, so a run takes no wall time beyond the work it does.
   *
   * @param promise - what to wait for.
   * @param options - the virtual time budget (and an optional event budget).
   * @returns the promise's value.
   * @throws SimulationStuckError when virtual time or the event budget ran out, or nothing
   *   was left to run, before the promise settled: the message reports the virtual time
   *   reached and what was pending.
   * @throws SimulationEventError when an event callback threw.
   * @throws whatever the promise rejected with.
   */
  async runUntil<T>(promise: Promise<T>, options: RunUntilOptions): Promise<T> {
    checkDelayMs(options.maxVirtualMs, 'SimulatedRuntime.runUntil (maxVirtualMs)');
    let settled = false;
    let value: T | undefined;
    let failure: { error: unknown } | undefined;
    promise.then(
      (result) => {
        settled = true;
        value = result;
      },
      (error: unknown) => {
        settled = true;
        failure = { error };
      },
    );
    const deadlineMs = this.nowMs + options.maxVirtualMs;
    const maxEvents = options.maxEvents ?? Number.POSITIVE_INFINITY;
    const outcome = await this.drive(deadlineMs, maxEvents, () => settled);
    if (failure !== undefined) throw failure.error;
    if (settled || outcome.reason === 'done') return value as T;
    if (outcome.reason === 'time-limit') this.nowMs = Math.max(this.nowMs, deadlineMs);
    throw new SimulationStuckError(outcome.reason, this.nowMs, outcome.events, this.pendingReport(), options.description ?? 'the promise');
  }

  /**
   * Drives the simulation until `condition` returns true (checked before the first event and
   * after each event once promise continuations have settled).
   *
   * @param condition - a cheap, side-effect-free check, e.g. "some store is leader".
   * @param options - the virtual time budget (and an optional event budget).
   * @throws SimulationStuckError when the budget ran out or nothing was left to run first.
   * @throws SimulationEventError when an event callback threw.
   *
   * @example
   * ```ts
   * await runtime.runUntilTrue(() => stores.some((store) => store.isLeader()), { maxVirtualMs: 5_000, description: 'a leader' });
   * ```
   */
  async runUntilTrue(condition: () => boolean, options: RunUntilOptions): Promise<void> {
    checkDelayMs(options.maxVirtualMs, 'SimulatedRuntime.runUntilTrue (maxVirtualMs)');
    const deadlineMs = this.nowMs + options.maxVirtualMs;
    const outcome = await this.drive(deadlineMs, options.maxEvents ?? Number.POSITIVE_INFINITY, condition);
    if (outcome.reason === 'done') return;
    if (outcome.reason === 'time-limit') this.nowMs = Math.max(this.nowMs, deadlineMs);
    throw new SimulationStuckError(outcome.reason, this.nowMs, outcome.events, this.pendingReport(), options.description ?? 'the condition');
  }

  private async drive(
    untilMs: number,
    maxEvents: number,
    isDone: () => boolean,
  ): Promise<{ reason: 'done' | 'time-limit' | 'event-limit' | 'idle'; events: number }> {
    if (this.driving) {
      throw new Error('The simulation is already being driven: do not call runUntil/runFor from inside an event or while another run is in progress.');
    }
    this.driving = true;
    let events = 0;
    try {
      await this.settleMicrotasks(isDone);
      for (;;) {
        if (isDone()) return { reason: 'done', events };
        if (events >= maxEvents) return { reason: 'event-limit', events };
        const event = this.nextLiveEvent(untilMs);
        if (event === undefined) return { reason: this.liveEvents.size === 0 ? 'idle' : 'time-limit', events };
        this.runEvent(event);
        events++;
        await this.settleMicrotasks(isDone);
      }
    } finally {
      this.driving = false;
    }
  }

  private async settleMicrotasks(isDone: () => boolean): Promise<void> {
    let idleTurns = 0;
    for (let turn = 0; turn < this.maxMicrotaskTurnsPerEvent && idleTurns < this.idleMicrotaskTurns; turn++) {
      const activityBefore = this.activity;
      const doneBefore = isDone();
      await undefined;
      idleTurns = this.activity === activityBefore && isDone() === doneBefore ? idleTurns + 1 : 0;
    }
  }

  /** Pops cancelled entries and returns the next live event due at or before `untilMs`, removing it. */
  private nextLiveEvent(untilMs: number): ScheduledEvent | undefined {
    for (;;) {
      const head = this.queue.peek();
      if (head === undefined) return undefined;
      if (head.cancelled) {
        this.queue.pop();
        continue;
      }
      if (head.atMs > untilMs) return undefined;
      this.queue.pop();
      this.liveEvents.delete(head.sequence);
      return head;
    }
  }

  private runEvent(event: ScheduledEvent): void {
    // Invariant: the clock never goes backwards, because every event is due at or after the time it was set.
    if (event.atMs < this.nowMs) throw new Error(`Simulator invariant broken: event due at ${event.atMs} ms popped at ${this.nowMs} ms.`);
    this.nowMs = event.atMs;
    this.processed++;
    this.activity++;
    try {
      event.callback();
    } catch (error) {
      throw new SimulationEventError(event.owner, this.nowMs, error);
    }
  }

  private enqueue(atMs: number, callback: () => void, owner: string): TimerHandle {
    this.activity++;
    if (this.liveEvents.size >= this.maxPendingEvents) {
      throw new RangeError(
        `The simulator already holds ${this.liveEvents.size} pending callbacks (the limit) and "${owner}" asked for one more: ` +
          'some component re-arms timers or sends messages without bound. Raise maxPendingEvents only if that many is really expected.',
      );
    }
    const event: ScheduledEvent = { atMs, sequence: this.nextSequence++, owner, callback, cancelled: false };
    this.queue.push(event);
    this.liveEvents.set(event.sequence, event);
    return event.sequence as TimerHandle;
  }
}

function positiveInteger(value: number, name: string): number {
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new RangeError(`SimulatedRuntime was given ${name} = ${value}; pass a positive integer.`);
  }
  return value;
}
