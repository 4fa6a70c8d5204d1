/**
 * A runtime scope: the timers of one process (one incarnation of a store), cancelled
 * together when it dies.
 *
 * @module
 */
import type { Rng } from './rng';
import type { Runtime, TimerHandle } from './runtime';

/** Options of {@link RuntimeScope}. */
export interface RuntimeScopeOptions {
  /**
   * Called with whatever a callback of this scope throws. Without it, the error propagates
   * to the runtime (which fails the run). The simulated node uses it to turn a `CrashSignal`
   * thrown deep inside store code into "this store crashed here".
   */
  readonly onError?: (error: unknown) => void;
}

const DEAD_HANDLE = -1 as TimerHandle;

/**
 * A {@link Runtime} that forwards to a parent runtime and remembers every timer it set, so
 * that {@link RuntimeScope.dispose} can cancel all of them at once: what a crash does to a
 * process's in-memory timers. Owner labels and rng labels are prefixed with the scope's
 * label (`store-2#3/raft-tick`), so stuck reports say whose timer it was.
 *
 * After `dispose`, the scope is dead: new timers are silently ignored (the dead process's
 * code may still be unwinding) and `rng` still works (drawing does no harm).
 *
 * @example
 * ```ts
 * const scope = new RuntimeScope(runtime, 'store-1#1');
 * scope.setTimer(100, () => tick(), 'raft-tick');
 * scope.dispose(); // the tick never runs
 * ```
 */
export class RuntimeScope implements Runtime {
  private readonly handles = new Set<TimerHandle>();
  private disposed = false;

  /**
   * @param parent - the runtime to forward to.
   * @param label - the scope's name, a prefix for owner and rng labels.
   * @param options - an optional error handler for callbacks.
   */
  constructor(
    private readonly parent: Runtime,
    readonly label: string,
    private readonly options: RuntimeScopeOptions = {},
  ) {}

  /** True once {@link dispose} has run. */
  get isDisposed(): boolean {
    return this.disposed;
  }

  /** How many of this scope's callbacks are pending. */
  get pendingCount(): number {
    return this.handles.size;
  }

  /** The parent's time in milliseconds. */
  now(): number {
    return this.parent.now();
  }

  /** Sets a timer on the parent that belongs to this scope (see `Runtime.setTimer`); ignored once disposed. */
  setTimer(delayMs: number, callback: () => void, owner = 'timer'): TimerHandle {
    if (this.disposed) return DEAD_HANDLE;
    const handle = this.parent.setTimer(delayMs, () => this.fire(handle, callback), `${this.label}/${owner}`);
    this.handles.add(handle);
    return handle;
  }

  /** Schedules a callback on the parent that belongs to this scope (see `Runtime.schedule`); ignored once disposed. */
  schedule(callback: () => void, owner = 'scheduled'): TimerHandle {
    if (this.disposed) return DEAD_HANDLE;
    const handle = this.parent.schedule(() => this.fire(handle, callback), `${this.label}/${owner}`);
    this.handles.add(handle);
    return handle;
  }

  /** Cancels one of this scope's pending callbacks; handles of other owners are ignored. */
  cancel(handle: TimerHandle): void {
    if (!this.handles.delete(handle)) return;
    this.parent.cancel(handle);
  }

  /** A generator for `label`, prefixed with the scope's label (`store-1#2/raft`), from the parent. */
  rng(label: string): Rng {
    return this.parent.rng(`${this.label}/${label}`);
  }

  /**
   * Runs `work` now, under this scope's error handler: the way to enter the process's code
   * from outside (a message delivery, a client call), so that a crash inside it is caught
   * the same way as in a timer. Does nothing once disposed.
   *
   * @returns true when `work` ran to completion, false when the scope is dead or `work` threw
   *   an error that the handler absorbed.
   */
  run(work: () => void): boolean {
    if (this.disposed) return false;
    return this.guard(work);
  }

  /** Cancels every pending callback of this scope and refuses new ones. Idempotent. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const handle of this.handles) this.parent.cancel(handle);
    this.handles.clear();
  }

  private fire(handle: TimerHandle, callback: () => void): void {
    this.handles.delete(handle);
    if (this.disposed) return;
    this.guard(callback);
  }

  private guard(work: () => void): boolean {
    const onError = this.options.onError;
    if (onError === undefined) {
      work();
      return true;
    }
    try {
      work();
      return true;
    } catch (error) {
      onError(error);
      return false;
    }
  }
}
