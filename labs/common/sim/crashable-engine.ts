/**
 * An engine wrapper that can lose a write and kill its store: crash injection for the simulator.
 *
 * @module
 */
import type { ColumnFamily, Engine, ReadView } from '../engine/engine';
import { EngineError } from '../engine/engine';
import type { WriteBatch } from '../engine/write-batch';
import { CrashPlan } from './crash-plan';

/** Options of {@link CrashableEngine}. */
export interface CrashableEngineOptions {
  /** The engine's name within its store, for messages (`kv`, `raft`). */
  readonly label: string;
  /** The plan shared with the store's other engines; by default a plan of its own. */
  readonly plan?: CrashPlan;
}

/**
 * Wraps a durable {@link Engine} for one incarnation of a store.
 *
 * - Writes go through to the inner engine and are counted by the {@link CrashPlan}; the
 *   armed write is not applied and throws `CrashSignal`: the store dies where it stands.
 * - After the crash every call (`get`, `view`, `write`) throws `CrashSignal`, so code of a
 *   dead store that is still unwinding cannot change or observe anything.
 * - The inner engine survives: a restart wraps it again with a new plan and finds every
 *   write made before the crash point. `close()` closes only this wrapper.
 *
 * How a store is expected to react: it does nothing special. It must not catch the signal
 * (or rethrow it when `isCrashSignal`); the simulated node catches it at the edge of
 * the event that was running and crashes the whole store. On restart the store rebuilds its
 * state from the engines alone (raft local state, apply state, region state), exactly as
 * after a power cut.
 *
 * @example
 * ```ts
 * const durable = new MemoryEngine();
 * const plan = new CrashPlan('store-1#1');
 * const engine = new CrashableEngine(durable, { label: 'kv', plan });
 * plan.crashAtWrite(2);
 * engine.write(batchA);            // applied
 * engine.write(batchB);            // throws CrashSignal; batchB is lost
 * durable.get(CF_DEFAULT, keyOfA); // still there
 * ```
 */
export class CrashableEngine implements Engine {
  /** The plan that counts this engine's writes. */
  readonly plan: CrashPlan;
  /** The engine's label within its store. */
  readonly label: string;
  private wrapperClosed = false;

  /**
   * @param inner - the durable engine (owned by the caller, never closed by the wrapper).
   * @param options - label and shared plan.
   */
  constructor(
    readonly inner: Engine,
    options: CrashableEngineOptions,
  ) {
    this.label = options.label;
    this.plan = options.plan ?? new CrashPlan(options.label);
  }

  /** The inner engine's backend, marked as wrapped (`memory+crashable`). */
  get backend(): string {
    return `${this.inner.backend}+crashable`;
  }

  /** The inner engine's key limit. */
  get maxKeyBytes(): number {
    return this.inner.maxKeyBytes;
  }

  /** True once this wrapper or the inner engine is closed. */
  get closed(): boolean {
    return this.wrapperClosed || this.inner.closed;
  }

  /**
   * The latest value at `key` in `cf`, read from the durable engine.
   * @throws CrashSignal when the store has crashed.
   */
  get(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    this.checkOpen('get');
    this.plan.check(this.label, false);
    return this.inner.get(cf, key);
  }

  /**
   * Counts the write with the plan, then applies `batch` atomically to the durable engine.
   * @throws CrashSignal at the armed crash point (the batch is not applied) and after the crash.
   */
  write(batch: WriteBatch): void {
    this.checkOpen('write');
    this.plan.check(this.label, !batch.isEmpty());
    this.inner.write(batch);
  }

  /**
   * A point-in-time view of the durable engine.
   * @throws CrashSignal when the store has crashed.
   */
  view(): ReadView {
    this.checkOpen('view');
    this.plan.check(this.label, false);
    return this.inner.view();
  }

  /** Closes this wrapper only; the durable inner engine stays open for the restart. */
  close(): void {
    this.wrapperClosed = true;
  }

  private checkOpen(method: string): void {
    if (this.wrapperClosed) {
      throw new EngineError('closed', `CrashableEngine.${method} was called on the ${this.label} engine after close(); open a new wrapper (restart the store).`);
    }
  }
}
