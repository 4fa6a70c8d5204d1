/**
 * How one direction of a simulated link behaves.
 *
 * @module
 */

/**
 * The behaviour of one direction of a link (`from → to`). Every random choice is drawn from
 * the link's own generator (split from the run's seed by the link's name), so traffic on one
 * link never changes the draws of another.
 *
 * @example
 * ```ts
 * const slowAndLossy: Partial<LinkOptions> = { delayMs: 20, jitterMs: 30, dropProbability: 0.2 };
 * network.setLink(1, 2, slowAndLossy);
 * ```
 */
export interface LinkOptions {
  /** Fixed one-way delay in virtual milliseconds added to every message (a non-negative integer). */
  readonly delayMs: number;
  /**
   * Extra delay drawn uniformly from `[0, jitterMs]` virtual milliseconds per message. Jitter
   * is what reorders messages: with `jitterMs: 0` a link is FIFO, with jitter a later message
   * can overtake an earlier one.
   */
  readonly jitterMs: number;
  /** Probability in `[0, 1]` that a message is lost. */
  readonly dropProbability: number;
  /** Probability in `[0, 1]` that a message that was not lost is delivered twice (each copy with its own delay). */
  readonly duplicateProbability: number;
  /** The most messages in flight on this link at once; a message sent to a full link is dropped (reason `queue-full`). */
  readonly maxQueuedMessages: number;
}

/**
 * A reliable link: 1 ms delay, no jitter, no loss, no duplicates, 10 000 messages in flight at most.
 *
 * @example
 * ```ts
 * const network = new SimulatedNetwork<Msg>({ runtime, defaultLink: RELIABLE_LINK });
 * ```
 */
export const RELIABLE_LINK: LinkOptions = Object.freeze({
  delayMs: 1,
  jitterMs: 0,
  dropProbability: 0,
  duplicateProbability: 0,
  maxQueuedMessages: 10_000,
});

/**
 * TinyKV's "unreliable" network in our terms: a tenth of messages lost, up to 25 ms of
 * reordering jitter, a few duplicates.
 *
 * @example
 * ```ts
 * network.setDefaultLink(UNRELIABLE_LINK);
 * ```
 */
export const UNRELIABLE_LINK: LinkOptions = Object.freeze({
  delayMs: 1,
  jitterMs: 25,
  dropProbability: 0.1,
  duplicateProbability: 0.05,
  maxQueuedMessages: 10_000,
});

/**
 * Checks link options and returns them complete.
 *
 * @param options - the options to check, merged over `base`.
 * @param base - the defaults for missing fields.
 * @returns the merged, checked options.
 * @throws RangeError naming the bad field.
 *
 * @example
 * ```ts
 * resolveLinkOptions({ jitterMs: 10 }); // RELIABLE_LINK with 10 ms of jitter
 * resolveLinkOptions({ dropProbability: 2 }); // throws RangeError
 * ```
 */
export function resolveLinkOptions(options: Partial<LinkOptions>, base: LinkOptions = RELIABLE_LINK): LinkOptions {
  const merged: LinkOptions = { ...base, ...options };
  for (const field of ['delayMs', 'jitterMs'] as const) {
    if (!Number.isSafeInteger(merged[field]) || merged[field] < 0) {
      throw new RangeError(`Link option ${field} is ${merged[field]}; pass a non-negative integer number of milliseconds.`);
    }
  }
  for (const field of ['dropProbability', 'duplicateProbability'] as const) {
    if (!(merged[field] >= 0 && merged[field] <= 1)) {
      throw new RangeError(`Link option ${field} is ${merged[field]}; pass a probability between 0 and 1.`);
    }
  }
  if (!Number.isSafeInteger(merged.maxQueuedMessages) || merged.maxQueuedMessages < 1) {
    throw new RangeError(`Link option maxQueuedMessages is ${merged.maxQueuedMessages}; pass a positive integer.`);
  }
  return Object.freeze(merged);
}
