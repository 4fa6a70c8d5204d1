/**
 * Stages 4B and 4C: the transactional commands of the server — YOU write this file.
 *
 * Each command takes a reader (`await this.storage.reader(ctx)`, closed in a `finally`),
 * builds an `MvccTxn` at the request's timestamp, checks, buffers its writes, and writes
 * them with ONE `this.storage.write(ctx, txn.writes())`. A command that writes must hold the
 * latches of the keys it writes from before its first read until after its write:
 * ```ts
 * const guard = await this.latches.acquire(keys);
 * try { ... } finally { guard.release(); }
 * ```
 * The tests run over a storage that rejects writes of unlatched keys.
 * 4B: kvGet, kvPrewrite, kvCommit (labs/4-txn/README.md#stage-4b).
 * 4C: kvScan, kvCheckTxnStatus, kvBatchRollback, kvResolveLock (labs/4-txn/README.md#stage-4c).
 * Add private helpers as you like (commit-one-key and roll-back-one-key are worth sharing).
 *
 * @module
 */
import type {
  KvBatchRollbackRequest,
  KvBatchRollbackResponse,
  KvCheckTxnStatusRequest,
  KvCheckTxnStatusResponse,
  KvCommitRequest,
  KvCommitResponse,
  KvGetRequest,
  KvGetResponse,
  KvPrewriteRequest,
  KvPrewriteResponse,
  KvResolveLockRequest,
  KvResolveLockResponse,
  KvScanRequest,
  KvScanResponse,
} from '../../common/proto/txn';
import type { Storage } from '../../common/storage/storage';
import { NotImplementedError } from '../../common/not-implemented';
import { Latches } from './latches';

const HANDOUT_4B = 'labs/4-txn/README.md#stage-4b';
const HANDOUT_4C = 'labs/4-txn/README.md#stage-4c';

/** The transactional API over a storage: TinyKV's `Kv*` handlers of `server.go`. */
export class TxnServer {
  /**
   * @param storage - where the MVCC column families live.
   * @param latches - the latches every writing command takes (tests pass their own to watch them).
   */
  constructor(
    readonly storage: Storage,
    readonly latches: Latches = new Latches(),
  ) {}

  // ---- 4B ----------------------------------------------------------------------------

  /**
   * Reads `key` as of `version`. A lock of a transaction that started at or before `version`
   * blocks the read (that transaction may commit below `version`); newer locks do not.
   */
  async kvGet(request: KvGetRequest): Promise<KvGetResponse> {
    // TODO(4B): with a reader and an MvccTxn at `request.version`: if the key has a lock with
    // `lock.ts <= version`, answer `{ error: { locked: lock.info(key) }, notFound: false }`.
    // Otherwise `txn.getValue(key)`: `undefined` means `{ notFound: true }` — not an error.
    throw new NotImplementedError('4B', 'TxnServer.kvGet', HANDOUT_4B);
  }

  /**
   * Phase one: locks every mutated key and writes the values at the start ts. Fails (writing
   * nothing) with one `KeyError` per key that met a write committed at or after the start ts
   * (`conflict`) or another transaction's lock (`locked`).
   */
  async kvPrewrite(request: KvPrewriteRequest): Promise<KvPrewriteResponse> {
    // TODO(4B): latch every mutated key. For each mutation: `mostRecentWrite` with commit ts
    // >= startVersion → a `conflict` error (rollback records count: they stop a late prewrite);
    // a lock with a different ts → a `locked` error. Otherwise buffer the value (put only) and a
    // Lock(primaryLock, startVersion, lockTtl, Put|Delete). If any key failed, return all the
    // errors and write NOTHING; else write once and return `{ errors: [] }`.
    throw new NotImplementedError('4B', 'TxnServer.kvPrewrite', HANDOUT_4B);
  }

  /**
   * Phase two: turns this transaction's locks on `keys` into write records at the commit ts.
   * Committing again is harmless; a rolled-back key aborts; another transaction's lock is
   * retryable. On any error nothing is written.
   */
  async kvCommit(request: KvCommitRequest): Promise<KvCommitResponse> {
    // TODO(4B): throw a RangeError when commitVersion <= startVersion. Latch the keys. For each
    // key: our lock (lock.ts === startVersion) → putWrite(key, commitVersion, Write(startVersion,
    // lock.kind)) and deleteLock. No lock of ours: look at `currentWrite` — a non-rollback
    // record means we already committed (a repeated commit is NOT an error); a rollback record
    // → `abort`; another txn's lock → `retryable`; nothing at all → `abort` (lost prewrite).
    throw new NotImplementedError('4B', 'TxnServer.kvCommit', HANDOUT_4B);
  }

  // ---- 4C ----------------------------------------------------------------------------

  /** Reads up to `limit` visible pairs from `startKey` as of `version`; a locked key comes with its error. */
  async kvScan(request: KvScanRequest): Promise<KvScanResponse> {
    // TODO(4C): drive a Scanner from startKey until `limit` pairs or the end. For each pair,
    // a lock with ts <= version turns it into `{ key, value: empty, error: { locked } }`.
    // Close the scanner and the reader.
    throw new NotImplementedError('4C', 'TxnServer.kvScan', HANDOUT_4C);
  }

  /**
   * Reports the fate of the transaction `lockTs` from its primary key, rolling it back when its
   * lock has outlived its ttl or when there is neither lock nor write record.
   */
  async kvCheckTxnStatus(request: KvCheckTxnStatusRequest): Promise<KvCheckTxnStatusResponse> {
    // TODO(4C): latch the primary. Its lock with ts === lockTs: alive while
    // physicalOf(currentTs) < physicalOf(lock.ts) + lock.ttl → { lockTtl: ttl, commitVersion: 0,
    // no-action }; expired → roll back (delete lock, delete value if Put, rollback record at
    // lockTs) → 'ttl-expire-rollback'. No such lock: currentWrite tells committed
    // (commitVersion = its commit ts) or rolled back (0), both 'no-action'; neither → write a
    // rollback record → 'lock-not-exist-rollback'.
    throw new NotImplementedError('4C', 'TxnServer.kvCheckTxnStatus', HANDOUT_4C);
  }

  /**
   * Rolls back `keys` of the transaction `startVersion`: removes its locks and values and
   * leaves rollback records (also where it has no lock, so a late prewrite fails). A key the
   * transaction already committed aborts the whole request; one already rolled back is skipped.
   */
  async kvBatchRollback(request: KvBatchRollbackRequest): Promise<KvBatchRollbackResponse> {
    // TODO(4C): latch the keys. For each: currentWrite committed → `abort` (write nothing);
    // already a rollback record → skip. Our lock → delete it and our value. ANOTHER txn's lock
    // must stay untouched — but still write our rollback record.
    throw new NotImplementedError('4C', 'TxnServer.kvBatchRollback', HANDOUT_4C);
  }

  /** Commits (`commitVersion` > 0) or rolls back (0) every key still locked by the transaction `startVersion`. */
  async kvResolveLock(request: KvResolveLockRequest): Promise<KvResolveLockResponse> {
    // TODO(4C): iterate CF_LOCK for the keys whose lock ts is startVersion; then latch them,
    // take a NEW reader (the first one may be stale once you hold the latches) and commit or
    // roll back each key as kvCommit / kvBatchRollback would. Write once.
    throw new NotImplementedError('4C', 'TxnServer.kvResolveLock', HANDOUT_4C);
  }
}
