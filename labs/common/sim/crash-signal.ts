/**
 * The signal that kills a simulated store at an injected crash point.
 *
 * @module
 */

/**
 * Thrown by a `CrashableEngine` at the write chosen as the crash point (that write is
 * lost), and by every later call on that incarnation's engines. It unwinds the store's stack
 * up to the simulated node, which then treats the store as crashed: its timers are cancelled,
 * its memory is dropped, its engines keep what was written before.
 *
 * Store code must let it through: never swallow errors around engine calls, and if a
 * `catch` must exist there, rethrow when {@link isCrashSignal} says so.
 *
 * @example
 * ```ts
 * try {
 *   engines.raft.write(batch);
 * } catch (error) {
 *   if (isCrashSignal(error)) throw error; // the store is dead: let the node handle it
 *   throw new Error(`Persisting the Ready failed: ${String(error)}`);
 * }
 * ```
 */
export class CrashSignal extends Error {
  /**
   * @param nodeLabel - which store (`store-2#1`).
   * @param engineLabel - which engine the write went to (`kv`, `raft`).
   * @param writeNumber - the number of the write within the incarnation (1-based), or 0 for a
   *   call made after the crash.
   */
  constructor(
    readonly nodeLabel: string,
    readonly engineLabel: string,
    readonly writeNumber: number,
  ) {
    super(
      writeNumber > 0
        ? `${nodeLabel} crashed at its write number ${writeNumber} (to the ${engineLabel} engine); that write was lost. This is an injected crash, not a bug: let the signal propagate.`
        : `${nodeLabel} has crashed, so its ${engineLabel} engine refuses further use. Code of a crashed store must not keep running.`,
    );
    this.name = 'CrashSignal';
  }
}

/**
 * True when `error` is a {@link CrashSignal}: the check store code uses before swallowing an error.
 *
 * @example
 * ```ts
 * if (isCrashSignal(error)) throw error;
 * ```
 */
export function isCrashSignal(error: unknown): error is CrashSignal {
  return error instanceof CrashSignal;
}
