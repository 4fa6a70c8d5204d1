/**
 * The three ways a cluster scenario can fail.
 *
 * @module
 */

/**
 * Why a scenario failed:
 * - `crash`: store code threw (a bug, a stub, a broken invariant) — not an injected crash;
 * - `liveness`: the cluster did not make progress in virtual time (no leader, an operation
 *   never answered after the network healed);
 * - `correctness`: the history is not linearizable (or could not be proven so), or the
 *   safety auditor saw a store break a durability or election rule.
 */
export type ScenarioFailureKind = 'crash' | 'liveness' | 'correctness';

/** A scenario failure; the message starts with its kind so reports can tell them apart. */
export class ScenarioFailure extends Error {
  /**
   * @param kind - which kind of failure.
   * @param detail - what happened, in sentences.
   * @param cause - the underlying error, if any.
   */
  constructor(
    readonly kind: ScenarioFailureKind,
    detail: string,
    override readonly cause?: unknown,
  ) {
    super(`[${kind} failure] ${detail}`);
    this.name = 'ScenarioFailure';
    if (cause instanceof Error && cause.stack) this.stack = `${this.name}: ${this.message}\n${cause.stack.split('\n').slice(1).join('\n')}`;
  }
}
