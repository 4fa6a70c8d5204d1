/**
 * Request and response shapes of the transactional API (stage 4), modelled on TinyKV's
 * kvrpcpb messages. Timestamps are `number`s (see `labs/4-txn/src/timestamp.ts`); keys and
 * values are `Buffer`s.
 *
 * A command answers expected failures (a lock in the way, a conflict, a rolled-back
 * transaction) inside its response as a {@link KeyError}; it throws only for broken input or
 * a storage failure.
 *
 * @module
 */
import type { RequestContext } from '../storage/storage';

/** A lock that blocked a command: who holds it and where to check its fate. */
export interface LockInfo {
  /** The primary key of the transaction holding the lock. */
  readonly primaryLock: Buffer;
  /** The start ts of that transaction. */
  readonly lockVersion: number;
  /** The key the lock is on. */
  readonly key: Buffer;
  /** The lock's ttl in physical milliseconds. */
  readonly lockTtl: number;
}

/** A prewrite found a write committed at or after its start ts. */
export interface WriteConflict {
  /** The start ts of the prewriting transaction. */
  readonly startTs: number;
  /** The commit ts of the write in the way. */
  readonly conflictTs: number;
  /** The key. */
  readonly key: Buffer;
  /** The primary key of the prewriting transaction. */
  readonly primary: Buffer;
}

/**
 * Why a command could not do its work on a key. Exactly one field is set.
 * - `locked`: another transaction's lock is in the way; resolve it, then retry.
 * - `retryable`: try again later (sentence saying why).
 * - `abort`: the transaction cannot succeed any more (sentence saying why); start over.
 * - `conflict`: a prewrite met a newer committed write.
 */
export interface KeyError {
  readonly locked?: LockInfo;
  readonly retryable?: string;
  readonly abort?: string;
  readonly conflict?: WriteConflict;
}

/** Set when a request reached the wrong region or peer (never with in-memory storage). */
export interface RegionError {
  readonly message: string;
}

/** What a prewrite does to one key: write a value, or delete the key. */
export type MutationOp = 'put' | 'delete';

/** One key of a prewrite. */
export interface Mutation {
  readonly op: MutationOp;
  readonly key: Buffer;
  /** The value to write (`put` only; pass an empty buffer for `delete`). */
  readonly value: Buffer;
}

/** A key and its value, or the error met reading it. */
export interface KvPair {
  readonly key: Buffer;
  readonly value: Buffer;
  readonly error?: KeyError;
}

/** Read `key` as of `version`. */
export interface KvGetRequest {
  readonly context?: RequestContext;
  readonly key: Buffer;
  readonly version: number;
}
/** `value` is set unless `notFound` or `error`. */
export interface KvGetResponse {
  readonly regionError?: RegionError;
  readonly error?: KeyError;
  readonly value?: Buffer;
  readonly notFound: boolean;
}

/** Phase one: lock every key of `mutations` and write the values, or fail. */
export interface KvPrewriteRequest {
  readonly context?: RequestContext;
  readonly mutations: readonly Mutation[];
  /** The transaction's primary key. */
  readonly primaryLock: Buffer;
  /** The transaction's start ts. */
  readonly startVersion: number;
  /** Lock ttl in physical milliseconds. */
  readonly lockTtl: number;
}
/** One error per key that could not be prewritten; empty on success. */
export interface KvPrewriteResponse {
  readonly regionError?: RegionError;
  readonly errors: readonly KeyError[];
}

/** Phase two: commit `keys` of the transaction started at `startVersion` at `commitVersion`. */
export interface KvCommitRequest {
  readonly context?: RequestContext;
  readonly startVersion: number;
  readonly keys: readonly Buffer[];
  readonly commitVersion: number;
}
/** `error` is unset on success. */
export interface KvCommitResponse {
  readonly regionError?: RegionError;
  readonly error?: KeyError;
}

/** Read up to `limit` keys from `startKey` (inclusive) as of `version`. */
export interface KvScanRequest {
  readonly context?: RequestContext;
  readonly startKey: Buffer;
  readonly limit: number;
  readonly version: number;
}
/** Pairs in key order; a locked key appears with its `error` set. */
export interface KvScanResponse {
  readonly regionError?: RegionError;
  readonly pairs: readonly KvPair[];
}

/** What `KvCheckTxnStatus` did. */
export type CheckTxnStatusAction = 'no-action' | 'ttl-expire-rollback' | 'lock-not-exist-rollback';

/** Find out (and, for a dead transaction, settle) the fate of the transaction with primary `primaryKey`. */
export interface KvCheckTxnStatusRequest {
  readonly context?: RequestContext;
  readonly primaryKey: Buffer;
  /** The transaction's start ts. */
  readonly lockTs: number;
  /** Now, as a timestamp: ttls are compared against its physical part. */
  readonly currentTs: number;
}
/**
 * - committed: `commitVersion` > 0, action `no-action`;
 * - rolled back (before, or now): `commitVersion` 0, `lockTtl` 0, action says which;
 * - still locked and alive: `lockTtl` > 0, action `no-action`.
 */
export interface KvCheckTxnStatusResponse {
  readonly regionError?: RegionError;
  readonly error?: KeyError;
  readonly lockTtl: number;
  readonly commitVersion: number;
  readonly action: CheckTxnStatusAction;
}

/** Roll back `keys` of the transaction started at `startVersion`. */
export interface KvBatchRollbackRequest {
  readonly context?: RequestContext;
  readonly startVersion: number;
  readonly keys: readonly Buffer[];
}
/** `error.abort` is set when a key was already committed. */
export interface KvBatchRollbackResponse {
  readonly regionError?: RegionError;
  readonly error?: KeyError;
}

/** Commit (`commitVersion` > 0) or roll back (`commitVersion` 0) every lock of the transaction `startVersion`. */
export interface KvResolveLockRequest {
  readonly context?: RequestContext;
  readonly startVersion: number;
  readonly commitVersion: number;
}
/** `error` is unset on success. */
export interface KvResolveLockResponse {
  readonly regionError?: RegionError;
  readonly error?: KeyError;
}
