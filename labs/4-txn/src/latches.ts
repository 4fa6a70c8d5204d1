/**
 * Latches: short-lived, in-memory, per-key mutual exclusion between commands of one server.
 *
 * A latch is not a transaction lock. A transaction lock (in `CF_LOCK`) lives across requests
 * and says "a transaction is writing this key"; a latch lives for one command and makes that
 * command's read-check-write sequence atomic. Without latches two prewrites of one key could
 * both read "no lock", both write a lock, and both succeed, because a command awaits the
 * storage between its read and its write and another command runs in that gap.
 *
 * Usage in a command that writes:
 * ```ts
 * const guard = await this.latches.acquire(keys);
 * try { ...read, check, write... } finally { guard.release(); }
 * ```
 * Keys are acquired one by one in sorted order, so two commands never wait for each other in
 * a cycle. Waiters are served first come, first served.
 *
 * The validation hook: {@link Latches.assertLatched} throws when a key is written without
 * its latch held; `LatchCheckingStorage` (used by the tests) calls it on every storage
 * write, so a command that forgets a latch fails the test that runs it.
 *
 * @module
 */

/** Releases what {@link Latches.acquire} took. Releasing twice is a bug and throws. */
export interface LatchGuard {
  /** The distinct keys held, in sorted order. */
  readonly keys: readonly Buffer[];
  /** Releases every key; the next waiter of each key runs. */
  release(): void;
}

/** Per-key latches for one server. */
export class Latches {
  /** For each latched key (latin1 string), the callbacks of the commands waiting for it. */
  private readonly waiters = new Map<string, Array<() => void>>();

  /**
   * Waits until every key of `keys` is latched by the caller.
   *
   * @param keys - the user keys the command will write (duplicates are fine).
   * @returns a guard; call `release()` in a `finally`.
   */
  async acquire(keys: readonly Buffer[]): Promise<LatchGuard> {
    const distinct = [...new Set(keys.map((key) => key.toString('latin1')))].sort();
    for (const name of distinct) {
      await this.acquireOne(name);
    }
    let released = false;
    return {
      keys: distinct.map((name) => Buffer.from(name, 'latin1')),
      release: () => {
        if (released) throw new Error('A latch guard was released twice; release it exactly once, in a finally block.');
        released = true;
        for (const name of distinct) this.releaseOne(name);
      },
    };
  }

  /** True while some command holds the latch of `key`. */
  isLatched(key: Buffer): boolean {
    return this.waiters.has(key.toString('latin1'));
  }

  /** How many keys are latched right now (0 when every command released its latches). */
  get latchedCount(): number {
    return this.waiters.size;
  }

  /**
   * The validation hook: throws unless every key of `keys` is latched.
   *
   * @param keys - user keys about to be written.
   * @param what - what is writing them, for the message.
   * @throws Error naming the first unlatched key.
   */
  assertLatched(keys: readonly Buffer[], what: string): void {
    for (const key of keys) {
      if (!this.isLatched(key)) {
        throw new Error(
          `${what} writes key ${key.toString('hex') || '(empty)'} (hex) without holding its latch: ` +
            'acquire latches on every key a command writes before reading it, and release them after the write.',
        );
      }
    }
  }

  private acquireOne(name: string): Promise<void> {
    const queue = this.waiters.get(name);
    if (queue === undefined) {
      this.waiters.set(name, []);
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => queue.push(resolve));
  }

  private releaseOne(name: string): void {
    const queue = this.waiters.get(name);
    if (queue === undefined) throw new Error(`Latch ${name} was released but is not held; this is a bug in Latches.`);
    const next = queue.shift();
    if (next === undefined) this.waiters.delete(name);
    else next(); // The latch passes straight to the next waiter: the entry stays.
  }
}
