/**
 * A {@link Storage} wrapper that enforces latching: every write must touch only keys whose
 * latch is held. The stage 4 tests run the server over it.
 *
 * It decodes the user key of each modification (`CF_LOCK` keys are raw, `CF_DEFAULT` and
 * `CF_WRITE` keys are `encodeKey` outputs) and calls {@link Latches.assertLatched}. A
 * violation both rejects the write and is recorded in {@link LatchCheckingStorage.violations},
 * so a test can see it even when the command swallowed the error.
 *
 * @module
 */
import { CF_LOCK } from '../../common/engine/engine';
import type { Modify, RequestContext, Storage, StorageReader } from '../../common/storage/storage';
import { decodeUserKey } from './codec';
import type { Latches } from './latches';

/** Storage that checks each write against the latches. */
export class LatchCheckingStorage implements Storage {
  /** One sentence per write that touched an unlatched key. */
  readonly violations: string[] = [];

  /**
   * @param inner - the storage that really stores.
   * @param latches - the latches of the server that writes through this storage.
   */
  constructor(
    readonly inner: Storage,
    private readonly latches: Latches,
  ) {}

  /** Starts the inner storage. */
  start(): Promise<void> {
    return this.inner.start();
  }

  /** Stops the inner storage. */
  stop(): Promise<void> {
    return this.inner.stop();
  }

  /**
   * Checks that every written user key is latched, then writes.
   *
   * @throws Error (and records a violation) when a key is not latched.
   */
  async write(ctx: RequestContext, batch: readonly Modify[]): Promise<void> {
    const userKeys = batch.map((modify) => (modify.cf === CF_LOCK ? modify.key : decodeUserKey(modify.key)));
    try {
      this.latches.assertLatched(userKeys, 'A storage write');
    } catch (error) {
      this.violations.push((error as Error).message);
      throw error;
    }
    await this.inner.write(ctx, batch);
  }

  /** A reader of the inner storage. */
  reader(ctx: RequestContext): Promise<StorageReader> {
    return this.inner.reader(ctx);
  }
}
