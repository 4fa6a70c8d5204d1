/**
 * The `Storage` contract the servers of stages 1, 2B and 4 are written against.
 *
 * A storage accepts batches of modifications and hands out readers. Stage 1 implements it
 * over a local engine (`StandaloneStorage`); stage 2B implements it over Raft (`RaftStorage`);
 * stage 4's transaction layer only ever sees this interface. `write` and `reader` are async
 * because a replicated storage answers only once Raft has committed and applied the request.
 *
 * @module
 */
import type { ColumnFamily, EngineIterator } from '../engine/engine';

/** Where a request is addressed. Stage 1 ignores it; the raftstore checks it (region, epoch, peer). */
export interface RequestContext {
  /** The region the request is for. */
  readonly regionId?: number;
  /** The region epoch the client believes in; a stale one is answered with `epoch not match`. */
  readonly regionEpoch?: { readonly confVer: number; readonly version: number };
  /** The peer (replica) the client addressed. */
  readonly peer?: { readonly id: number; readonly storeId: number };
}

/** One modification: set `key` to `value` in `cf`, or delete `key` from `cf`. */
export type Modify =
  | { readonly kind: 'put'; readonly cf: ColumnFamily; readonly key: Buffer; readonly value: Buffer }
  | { readonly kind: 'delete'; readonly cf: ColumnFamily; readonly key: Buffer };

/**
 * A consistent read-only view handed out by {@link Storage.reader}.
 *
 * Lifecycle: every reader must be closed, and every iterator it made must be closed before
 * the reader is. A missing key is `undefined`, never an error.
 */
export interface StorageReader {
  /** The value of `key` in `cf`, or `undefined` when there is none. */
  getCF(cf: ColumnFamily, key: Buffer): Buffer | undefined;
  /** An iterator over `cf`; call `seek` before reading from it. */
  iterCF(cf: ColumnFamily): EngineIterator;
  /** Releases the reader. */
  close(): void;
}

/** A key/value storage with column families. */
export interface Storage {
  /** Opens the storage; call once before anything else. */
  start(): Promise<void>;
  /** Closes the storage; later calls fail. */
  stop(): Promise<void>;
  /** Applies every modification of `batch` atomically. */
  write(ctx: RequestContext, batch: readonly Modify[]): Promise<void>;
  /** A reader over a consistent snapshot of the storage. */
  reader(ctx: RequestContext): Promise<StorageReader>;
}
