/**
 * The three ways a cluster scenario can fail, and how such a failure reads.
 *
 * @module
 */

/**
 * Why a scenario failed:
 * - `crash`: store code threw (a bug, a stub, a broken invariant) — not an injected crash;
 * - `liveness`: the cluster did not make progress in virtual time (no leader, an operation
 *   never answered after the network healed);
 * - `correctness`: the history is not linearizable (or could not be proven so), a store
 *   answered a command with another command's result, or the safety auditor saw a store
 *   break a durability or election rule.
 */
export type ScenarioFailureKind = 'crash' | 'liveness' | 'correctness';

/** What a cluster adds to a failure once it knows it: the state around it and how to replay it. */
export interface ScenarioFailureContext {
  /** Blocks printed after the detail (the stores' state, earlier violations), each one or more lines. */
  readonly sections: readonly string[];
  /** The last lines: the replay command and the `--trace` command. */
  readonly footer: readonly string[];
}

/**
 * A scenario failure. Its message reads, in this order:
 * `[<kind> failure] <preamble, e.g. the scenario's knobs and seed>`, the detail (what went
 * wrong, naming the store, peer, region and log index), the context sections (the stores'
 * state), and last the footer (the replay and `--trace` commands).
 */
export class ScenarioFailure extends Error {
  /** The scenario line(s) put before the detail, if any. */
  readonly preamble: readonly string[];
  /** The context the cluster added, if it did. */
  readonly context: ScenarioFailureContext | undefined;

  /**
   * @param kind - which kind of failure.
   * @param detail - what happened, in sentences.
   * @param cause - the underlying error, if any: its stack frames become this error's.
   * @param options - preamble lines and the cluster's context (used by {@link withPreamble}
   *   and {@link withContext}; tests and kit code pass only the first three arguments).
   */
  constructor(
    readonly kind: ScenarioFailureKind,
    readonly detail: string,
    override readonly cause?: unknown,
    options: { readonly preamble?: readonly string[]; readonly context?: ScenarioFailureContext } = {},
  ) {
    const preamble = options.preamble ?? [];
    const context = options.context;
    const blocks = [[...preamble, detail].join('\n'), ...(context?.sections ?? []), ...(context && context.footer.length > 0 ? [context.footer.join('\n')] : [])];
    super(`[${kind} failure] ${blocks.filter((block) => block !== '').join('\n\n')}`);
    this.name = 'ScenarioFailure';
    this.preamble = preamble;
    this.context = context;
    // Only the frames of the cause: copying its whole stack would print its message a second time.
    const frames = stackFrames(cause instanceof Error ? cause : this);
    this.stack = `${this.name}: ${this.message}${frames === '' ? '' : `\n${frames}`}`;
  }

  /** The same failure with `lines` put before the detail (a scenario puts its knobs and seed there). */
  withPreamble(lines: readonly string[]): ScenarioFailure {
    return new ScenarioFailure(this.kind, this.detail, this.cause ?? this, { preamble: [...lines, ...this.preamble], context: this.context });
  }

  /** The same failure with the cluster's context; a failure that has one already keeps it. */
  withContext(context: ScenarioFailureContext): ScenarioFailure {
    if (this.context !== undefined) return this;
    return new ScenarioFailure(this.kind, this.detail, this.cause ?? this, { preamble: this.preamble, context });
  }
}

/**
 * The stack frames of an error (its `    at ...` lines), without the message: a message of
 * several lines would otherwise be printed again by whoever prints the stack.
 *
 * @param error - any error.
 * @returns the frame lines joined by newlines, or '' when it has none.
 */
export function stackFrames(error: Error): string {
  const lines = (error.stack ?? '').split('\n');
  const first = lines.findIndex((line) => /^\s+at /.test(line));
  return first < 0 ? '' : lines.slice(first).join('\n');
}

/**
 * Keeps a long report readable: the first `maxLines` lines, then one line counting the rest.
 *
 * @param text - the report.
 * @param maxLines - how many lines to keep (at least 1).
 * @returns the text, cut after `maxLines` lines when it is longer.
 *
 * @example
 * ```ts
 * capLines('a\nb\nc\nd', 2); // 'a\nb\n... and 2 more lines'
 * ```
 */
export function capLines(text: string, maxLines: number): string {
  const lines = text.split('\n');
  if (lines.length <= maxLines) return text;
  const kept = Math.max(1, maxLines);
  return `${lines.slice(0, kept).join('\n')}\n... and ${lines.length - kept} more lines`;
}
