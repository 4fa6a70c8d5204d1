/**
 * The crash plan: counts the writes of one store incarnation and decides which one crashes it.
 *
 * @module
 */
import { CrashSignal } from './crash-signal';

/**
 * Shared by every `CrashableEngine` of one store incarnation (its `kv` and `raft`
 * engines), so "the Nth write" counts the store's writes across both engines, in the order
 * the store made them. Writes are numbered from 1 at the start of the incarnation; only
 * non-empty batches count (an empty batch changes nothing, so it cannot be lost).
 *
 * @example
 * ```ts
 * const plan = new CrashPlan('store-1#1');
 * plan.crashAtWrite(3); // the store's third write will be lost and kill it
 * ```
 */
export class CrashPlan {
  private writes = 0;
  private crashAt: number | undefined = undefined;
  private dead = false;

  /** @param nodeLabel - the store incarnation this plan belongs to, for messages. */
  constructor(readonly nodeLabel: string) {}

  /** How many writes were attempted in this incarnation, the lost one included. */
  get writeCount(): number {
    return this.writes;
  }

  /** True once the store crashed (by the plan or by {@link kill}). */
  get crashed(): boolean {
    return this.dead;
  }

  /** The armed crash point, if any. */
  get armedAtWrite(): number | undefined {
    return this.crashAt;
  }

  /**
   * Arms the crash: write number `writeNumber` (1-based, counted from the incarnation's
   * start) will be lost and throw {@link CrashSignal}.
   *
   * @throws RangeError when `writeNumber` is not a positive integer or was already passed.
   */
  crashAtWrite(writeNumber: number): void {
    if (!Number.isSafeInteger(writeNumber) || writeNumber <= this.writes) {
      throw new RangeError(
        `Cannot arm a crash at write ${writeNumber} of ${this.nodeLabel}: pass an integer greater than the ${this.writes} writes already made.`,
      );
    }
    this.crashAt = writeNumber;
  }

  /** Disarms the crash point. */
  disarm(): void {
    this.crashAt = undefined;
  }

  /** Marks the store dead without a write (a crash the test triggered): later engine calls throw. */
  kill(): void {
    this.dead = true;
  }

  /**
   * Called by the engines before each use. Throws when the store is dead; for a write,
   * counts it and throws (marking the store dead) when it is the armed one.
   *
   * @param engineLabel - which engine is used.
   * @param isWrite - true for a non-empty write batch.
   * @throws CrashSignal when the call must not happen.
   */
  check(engineLabel: string, isWrite: boolean): void {
    if (this.dead) throw new CrashSignal(this.nodeLabel, engineLabel, 0);
    if (!isWrite) return;
    this.writes++;
    if (this.writes === this.crashAt) {
      this.dead = true;
      throw new CrashSignal(this.nodeLabel, engineLabel, this.writes);
    }
  }
}
