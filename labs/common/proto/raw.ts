/**
 * Request and response shapes of the raw key/value API (stage 1), modelled on TinyKV's
 * `kvrpcpb` raw messages.
 *
 * "Raw" means no transactions: a request reads or writes one column family directly.
 *
 * **Absent vs empty.** A field that is *absent* is a property that is not there (or is
 * `undefined`). An *empty* `Buffer` (`Buffer.alloc(0)`) is a present value of length 0.
 * The two never mean the same thing:
 * - `RawGetResponse.value` is absent when the key has no value (then `notFound` is `true`),
 *   and an empty `Buffer` when the key holds the empty value (then `notFound` is `false`);
 * - `error` and `regionError` are absent on success;
 * - `RawScanRequest.startKey` is required; the empty `Buffer` means "from the first key".
 *
 * **Bad input.** Handlers never throw at the caller: a request with a missing or mistyped
 * field, or an unknown column family, is answered with a response whose `error` is a
 * sentence saying what was wrong.
 *
 * @module
 */
import type { ColumnFamily } from '../engine/engine';
import type { RequestContext } from '../storage/storage';

/** A region-level error (wrong region, stale epoch, not leader). Stage 1 never sets one; the raftstore (stage 2B) does. */
export interface RegionError {
  /** A stable code such as `not-leader` or `epoch-not-match`. */
  readonly kind: string;
  /** What went wrong, as a full sentence. */
  readonly message: string;
}

/** One key and its value, as returned by a scan. Both buffers are owned by the receiver. */
export interface KvPair {
  /** The key. */
  readonly key: Buffer;
  /** The value (possibly empty, never absent). */
  readonly value: Buffer;
}

/** Read the value of `key` in column family `cf`. */
export interface RawGetRequest {
  /** Where the request is addressed; stage 1 ignores it. */
  readonly context?: RequestContext;
  /** The key to read (required; a `Buffer`). */
  readonly key: Buffer;
  /** The column family to read from (required; one of `default`, `lock`, `write`). */
  readonly cf: ColumnFamily;
}

/** The answer to a {@link RawGetRequest}. */
export interface RawGetResponse {
  /** Set when the request reached the wrong region (stage 2B on); absent otherwise. */
  readonly regionError?: RegionError;
  /** Set when the request was bad or the storage failed; absent on success. */
  readonly error?: string;
  /** The value when the key is present (possibly an empty `Buffer`); absent when not found or on error. */
  readonly value?: Buffer;
  /** `true` exactly when the request succeeded and the key has no value. A missing key is not an error. */
  readonly notFound: boolean;
}

/** Set `key` to `value` in column family `cf`. */
export interface RawPutRequest {
  /** Where the request is addressed; stage 1 ignores it. */
  readonly context?: RequestContext;
  /** The key to write (required; a `Buffer`). */
  readonly key: Buffer;
  /** The value to store (required; a `Buffer`; the empty `Buffer` is a legal value, not a delete). */
  readonly value: Buffer;
  /** The column family to write to (required). */
  readonly cf: ColumnFamily;
}

/** The answer to a {@link RawPutRequest}. */
export interface RawPutResponse {
  /** Set when the request reached the wrong region (stage 2B on); absent otherwise. */
  readonly regionError?: RegionError;
  /** Set when the request was bad or the storage failed; absent on success. */
  readonly error?: string;
}

/** Remove `key` from column family `cf`. Removing a key that is not there succeeds and changes nothing. */
export interface RawDeleteRequest {
  /** Where the request is addressed; stage 1 ignores it. */
  readonly context?: RequestContext;
  /** The key to remove (required; a `Buffer`). */
  readonly key: Buffer;
  /** The column family to remove it from (required). */
  readonly cf: ColumnFamily;
}

/** The answer to a {@link RawDeleteRequest}. */
export interface RawDeleteResponse {
  /** Set when the request reached the wrong region (stage 2B on); absent otherwise. */
  readonly regionError?: RegionError;
  /** Set when the request was bad or the storage failed; absent on success. */
  readonly error?: string;
}

/** Read up to `limit` pairs of column family `cf`, in key order, starting at the first key `>= startKey`. */
export interface RawScanRequest {
  /** Where the request is addressed; stage 1 ignores it. */
  readonly context?: RequestContext;
  /** The first key that may be returned (required; the empty `Buffer` means "from the first key"). */
  readonly startKey: Buffer;
  /** The most pairs to return (required; an integer `>= 0`; `0` returns no pairs). */
  readonly limit: number;
  /** The column family to scan (required). */
  readonly cf: ColumnFamily;
}

/** The answer to a {@link RawScanRequest}. */
export interface RawScanResponse {
  /** Set when the request reached the wrong region (stage 2B on); absent otherwise. */
  readonly regionError?: RegionError;
  /** Set when the request was bad or the storage failed; absent on success. */
  readonly error?: string;
  /** The pairs found, in ascending key order; always present, empty on error. */
  readonly kvs: KvPair[];
}
