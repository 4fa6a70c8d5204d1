/**
 * Promise-style waiting on a {@link Runtime}.
 *
 * @module
 */
import type { Runtime } from './runtime';

/**
 * A promise that resolves `delayMs` milliseconds from now on `runtime`'s clock (virtual
 * milliseconds under the simulator): the deterministic `await sleep(ms)` for clients and
 * scenario scripts.
 *
 * @param runtime - whose clock and timers to use.
 * @param delayMs - a non-negative integer number of milliseconds.
 * @param owner - an owner label for stuck reports (default `delay`).
 * @returns a promise resolved with `undefined` when the timer fires.
 * @throws RangeError (synchronously) when `delayMs` is invalid.
 *
 * @example
 * ```ts
 * async function retryLater(runtime: Runtime): Promise<void> {
 *   await delay(runtime, 50, 'client-1/backoff');
 * }
 * ```
 */
export function delay(runtime: Runtime, delayMs: number, owner = 'delay'): Promise<void> {
  let resolveDelay!: () => void;
  const promise = new Promise<void>((resolve) => {
    resolveDelay = resolve;
  });
  runtime.setTimer(delayMs, () => resolveDelay(), owner);
  return promise;
}
