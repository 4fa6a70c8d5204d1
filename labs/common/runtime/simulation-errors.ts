/**
 * The errors a simulation run ends with when it cannot finish normally.
 *
 * @module
 */

/** One group of pending work in a {@link SimulationStuckError} report. */
export interface PendingGroup {
  /** Who owns the work: the owner label given to `setTimer` / `schedule` (`store-1#1/tick`, `network 1->2`). */
  readonly owner: string;
  /** How many callbacks of this owner are pending. */
  readonly count: number;
  /** The virtual time (ms) at which the earliest of them is due. */
  readonly nextAtMs: number;
}

/** What was pending when a run stopped: timers grouped by owner, plus lines from reporters. */
export interface PendingReport {
  /** Pending callbacks grouped by owner, earliest due first. */
  readonly groups: readonly PendingGroup[];
  /** Lines from the pending reporters components registered (clients waiting for a reply, ...). */
  readonly notes: readonly string[];
}

/**
 * Formats a pending report as indented lines for an error message.
 *
 * @param report - what was pending.
 * @param maxGroups - the most owner groups listed (the rest are counted).
 * @returns the lines joined by newlines.
 *
 * @example
 * ```ts
 * console.log(formatPendingReport(runtime.pendingReport()));
 * //   store-1#1/raft-tick: 1 pending, next due at 1100 ms
 * ```
 */
export function formatPendingReport(report: PendingReport, maxGroups = 20): string {
  const lines: string[] = [];
  if (report.groups.length === 0) lines.push('  no timers or messages pending');
  for (const group of report.groups.slice(0, maxGroups)) {
    lines.push(`  ${group.owner}: ${group.count} pending, next due at ${group.nextAtMs} ms`);
  }
  if (report.groups.length > maxGroups) lines.push(`  ... and ${report.groups.length - maxGroups} more owners`);
  for (const note of report.notes) lines.push(`  ${note}`);
  return lines.join('\n');
}

/**
 * Thrown by `SimulatedRuntime.runUntil` when the awaited promise did not settle: either
 * virtual time ran out, the event budget ran out, or nothing was left to run (a deadlock).
 * The message says the virtual time reached and what was pending, so a stuck scenario
 * explains itself instead of hanging.
 *
 * @example
 * ```ts
 * try {
 *   await runtime.runUntil(client.put(key, value), { maxVirtualMs: 10_000 });
 * } catch (error) {
 *   if (error instanceof SimulationStuckError) console.log(error.virtualTimeMs, error.pending.groups);
 *   throw error;
 * }
 * ```
 */
export class SimulationStuckError extends Error {
  /**
   * @param reason - why the run stopped: `time-limit`, `event-limit` or `idle` (nothing left to run).
   * @param virtualTimeMs - the virtual time reached.
   * @param eventsProcessed - how many events this run processed.
   * @param pending - what was still pending.
   * @param what - a short description of what the run waited for.
   */
  constructor(
    readonly reason: 'time-limit' | 'event-limit' | 'idle',
    readonly virtualTimeMs: number,
    readonly eventsProcessed: number,
    readonly pending: PendingReport,
    what: string,
  ) {
    const because =
      reason === 'idle'
        ? 'nothing was left to run (no timer, no message in flight), so it can never settle'
        : reason === 'time-limit'
          ? 'virtual time ran out'
          : 'the event budget ran out';
    super(
      `The simulation stopped waiting for ${what} at virtual time ${virtualTimeMs} ms after ${eventsProcessed} events: ${because}.\n` +
        `Pending at that point:\n${formatPendingReport(pending)}\n` +
        'Look for a lost message, a timer that is never re-armed, or a reply that is never sent; raise maxVirtualMs only if the scenario is just slow.',
    );
    this.name = 'SimulationStuckError';
  }
}

/**
 * Thrown by the simulator when an event callback threw: wraps the error with the owner and
 * the virtual time so the failure can be found in a trace. The original error is `cause`.
 *
 * @example
 * ```ts
 * await runtime.runFor(1_000).catch((error) => {
 *   if (error instanceof SimulationEventError) console.log(error.owner, error.virtualTimeMs, error.cause);
 *   throw error;
 * });
 * ```
 */
export class SimulationEventError extends Error {
  /**
   * @param owner - the owner label of the callback that threw.
   * @param virtualTimeMs - when it ran.
   * @param cause - what it threw.
   */
  constructor(
    readonly owner: string,
    readonly virtualTimeMs: number,
    override readonly cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`A callback owned by "${owner}" threw at virtual time ${virtualTimeMs} ms: ${reason}`);
    this.name = 'SimulationEventError';
    if (cause instanceof Error && cause.stack) this.stack = `${this.name}: ${this.message}\n${cause.stack.split('\n').slice(1).join('\n')}`;
  }
}
