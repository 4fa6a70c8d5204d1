/**
 * The storage engine contract: one synchronous interface, two backends.
 *
 * An engine holds ordered key/value pairs in a fixed set of column families. Keys and
 * values are bytes (`Buffer`); keys order bytewise (memcmp order), shorter-prefix first.
 * Writes go through an atomic {@link WriteBatch}; reads go through the engine directly (latest
 * data) or through a {@link ReadView}, a point-in-time snapshot across every column family.
 *
 * Backends: `MemoryEngine` (sorted-btree, the default in tests) and `LmdbEngine` (on disk).
 * Both pass the same conformance suite.
 *
 * @module
 */
import type { WriteBatch } from './write-batch';

// Re-exported so that code importing the contract can also build batches. The import cycle
// (write-batch.ts imports the error type from here) is safe: neither side uses the other at load time.
export { WriteBatch } from './write-batch';

/** Column family for user values (and, in later stages, raft and region metadata). */
export const CF_DEFAULT = 'default';
/** Column family for transaction locks (stage 4). */
export const CF_LOCK = 'lock';
/** Column family for transaction write records (stage 4). */
export const CF_WRITE = 'write';

/** Every column family an engine has, in a fixed order. */
export const COLUMN_FAMILIES = [CF_DEFAULT, CF_LOCK, CF_WRITE] as const;

/** The name of a column family. */
export type ColumnFamily = (typeof COLUMN_FAMILIES)[number];

/** True when `name` is one of {@link COLUMN_FAMILIES}. */
export function isColumnFamily(name: unknown): name is ColumnFamily {
  // Compared one by one rather than with includes(): this runs on every engine call.
  return name === CF_DEFAULT || name === CF_LOCK || name === CF_WRITE;
}

/** What went wrong, as a stable code that tests and callers can match on. */
export type EngineErrorCode =
  | 'unknown-column-family'
  | 'key-too-large'
  | 'invalid-key'
  | 'invalid-value'
  | 'closed'
  | 'read-only'
  | 'no-safe-point'
  | 'iterator-invalid';

/** The one error type engines throw for bad input; the message is a full sentence. */
export class EngineError extends Error {
  constructor(
    readonly code: EngineErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'EngineError';
  }
}

/**
 * One mutation in a write batch. For `deleteRange`, `start` is inclusive and `end` exclusive;
 * an empty `end` means "to the end of the column family" (TinyKV's convention for a region's
 * end key).
 */
export type BatchOp =
  | { readonly kind: 'put'; readonly cf: ColumnFamily; readonly key: Buffer; readonly value: Buffer }
  | { readonly kind: 'delete'; readonly cf: ColumnFamily; readonly key: Buffer }
  | { readonly kind: 'deleteRange'; readonly cf: ColumnFamily; readonly start: Buffer; readonly end: Buffer };

/**
 * An ordered cursor over one column family of a {@link ReadView} (or of the engine).
 *
 * Lifecycle: create, `seek` (or `seekToFirst`), then loop `while (it.valid()) { it.key();
 * it.value(); it.next(); }`, then `close()`. `key`/`value`/`next` on an invalid iterator throw
 * `EngineError('iterator-invalid')`. Returned buffers are copies the caller owns.
 */
export interface EngineIterator {
  /** Positions at the first key `>= key`. */
  seek(key: Buffer): void;
  /** Positions at the first key of the column family. */
  seekToFirst(): void;
  /** True while positioned at an entry. */
  valid(): boolean;
  /** The current key. */
  key(): Buffer;
  /** The current value. */
  value(): Buffer;
  /** Moves to the next key in order. */
  next(): void;
  /** Releases the iterator; further use throws `EngineError('closed')`. Idempotent. */
  close(): void;
}

/**
 * A consistent, point-in-time view over every column family: writes made after the view
 * was taken (puts, deletes, range deletes) are never visible through it.
 *
 * A view is read-only: it has no write methods, by design. To change data, build a
 * {@link WriteBatch} and pass it to {@link Engine.write}; take a new view to see the result.
 * Closing the engine closes its views; using a closed view throws `EngineError('closed')`.
 */
export interface ReadView {
  /** The value at `key`, or `undefined` when the key is absent (an empty value is a present value). */
  get(cf: ColumnFamily, key: Buffer): Buffer | undefined;
  /** A new iterator over `cf`, not yet positioned: call `seek` or `seekToFirst` first. */
  iterator(cf: ColumnFamily): EngineIterator;
  /** Releases the view; its iterators become unusable. Idempotent. */
  close(): void;
}

/** The engine contract. All methods are synchronous. */
export interface Engine {
  /** Which backend this is, for messages and benchmarks (`memory`, `lmdb`). */
  readonly backend: string;
  /** Largest key (in bytes) this backend accepts; longer keys throw `EngineError('key-too-large')`. */
  readonly maxKeyBytes: number;
  /** The latest value at `key`, or `undefined` when absent. */
  get(cf: ColumnFamily, key: Buffer): Buffer | undefined;
  /** Applies every op of `batch` atomically: all of them or (on error) none. An empty batch is a no-op. */
  write(batch: WriteBatch): void;
  /** A point-in-time snapshot of every column family. Close it when done. */
  view(): ReadView;
  /** True once `close` has been called. */
  readonly closed: boolean;
  /** Closes the engine; any later call throws `EngineError('closed')`. Idempotent. */
  close(): void;
}
