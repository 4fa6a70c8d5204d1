/**
 * Stages 4B and 4C: the transactional commands of the server (reference solution).
 *
 * Each command takes a reader, builds an {@link MvccTxn}, checks, buffers its writes, and
 * writes them with ONE `Storage.write`. A command that writes holds the latches of the keys
 * it writes from before its first read until after its write. See labs/4-txn/README.md.
 *
 * @module
 */
import { CF_LOCK } from '../../common/engine/engine';
import type {
  KeyError,
  KvBatchRollbackRequest,
  KvBatchRollbackResponse,
  KvCheckTxnStatusRequest,
  KvCheckTxnStatusResponse,
  KvCommitRequest,
  KvCommitResponse,
  KvGetRequest,
  KvGetResponse,
  KvPair,
  KvPrewriteRequest,
  KvPrewriteResponse,
  KvResolveLockRequest,
  KvResolveLockResponse,
  KvScanRequest,
  KvScanResponse,
} from '../../common/proto/txn';
import type { RequestContext, Storage, StorageReader } from '../../common/storage/storage';
import { Latches } from './latches';
import { Lock } from './lock-record';
import { MvccTxn } from './mvcc-txn';
import { Scanner } from './scanner';
import { physicalOf } from './timestamp';
import { Write, WriteKind } from './write-record';

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
    return this.withReader(request.context, (reader) => {
      const txn = new MvccTxn(reader, request.version);
      const lock = txn.getLock(request.key);
      if (lock !== undefined && lock.ts <= request.version) {
        return { error: { locked: lock.info(request.key) }, notFound: false };
      }
      const value = txn.getValue(request.key);
      return value === undefined ? { notFound: true } : { value, notFound: false };
    });
  }

  /**
   * Phase one: locks every mutated key and writes the values at the start ts. Fails (writing
   * nothing) with one `KeyError` per key that met a write committed at or after the start ts
   * (`conflict`) or another transaction's lock (`locked`).
   */
  async kvPrewrite(request: KvPrewriteRequest): Promise<KvPrewriteResponse> {
    const keys = request.mutations.map((mutation) => mutation.key);
    return this.withLatchedTxn(request.context, keys, request.startVersion, async (txn) => {
      const errors: KeyError[] = [];
      for (const mutation of request.mutations) {
        const recent = txn.mostRecentWrite(mutation.key);
        if (recent !== undefined && recent.commitTs >= request.startVersion) {
          errors.push({
            conflict: { startTs: request.startVersion, conflictTs: recent.commitTs, key: mutation.key, primary: request.primaryLock },
          });
          continue;
        }
        const lock = txn.getLock(mutation.key);
        if (lock !== undefined && lock.ts !== request.startVersion) {
          errors.push({ locked: lock.info(mutation.key) });
          continue;
        }
        const kind = mutation.op === 'put' ? WriteKind.Put : WriteKind.Delete;
        if (kind === WriteKind.Put) txn.putValue(mutation.key, mutation.value);
        txn.putLock(mutation.key, new Lock(request.primaryLock, request.startVersion, request.lockTtl, kind));
      }
      if (errors.length > 0) return { errors };
      await this.storage.write(request.context ?? {}, txn.writes());
      return { errors: [] };
    });
  }

  /**
   * Phase two: turns this transaction's locks on `keys` into write records at the commit ts.
   * Committing again is harmless; a rolled-back key aborts; another transaction's lock is
   * retryable. On any error nothing is written.
   */
  async kvCommit(request: KvCommitRequest): Promise<KvCommitResponse> {
    if (request.commitVersion <= request.startVersion) {
      throw new RangeError(`A commit ts (${request.commitVersion}) must be greater than the start ts (${request.startVersion}).`);
    }
    return this.withLatchedTxn(request.context, request.keys, request.startVersion, async (txn) => {
      for (const key of request.keys) {
        const error = commitKey(txn, key, request.commitVersion);
        if (error !== undefined) return { error };
      }
      await this.storage.write(request.context ?? {}, txn.writes());
      return {};
    });
  }

  // ---- 4C ----------------------------------------------------------------------------

  /** Reads up to `limit` visible pairs from `startKey` as of `version`; a locked key comes with its error. */
  async kvScan(request: KvScanRequest): Promise<KvScanResponse> {
    return this.withReader(request.context, (reader) => {
      const txn = new MvccTxn(reader, request.version);
      const scanner = new Scanner(request.startKey, txn);
      const pairs: KvPair[] = [];
      try {
        while (pairs.length < request.limit) {
          const pair = scanner.next();
          if (pair === undefined) break;
          const lock = txn.getLock(pair.key);
          if (lock !== undefined && lock.ts <= request.version) {
            pairs.push({ key: pair.key, value: Buffer.alloc(0), error: { locked: lock.info(pair.key) } });
          } else {
            pairs.push(pair);
          }
        }
      } finally {
        scanner.close();
      }
      return { pairs };
    });
  }

  /**
   * Reports the fate of the transaction `lockTs` from its primary key, rolling it back when its
   * lock has outlived its ttl or when there is neither lock nor write record.
   */
  async kvCheckTxnStatus(request: KvCheckTxnStatusRequest): Promise<KvCheckTxnStatusResponse> {
    const primary = request.primaryKey;
    return this.withLatchedTxn(request.context, [primary], request.lockTs, async (txn) => {
      const lock = txn.getLock(primary);
      if (lock !== undefined && lock.ts === request.lockTs) {
        if (physicalOf(request.currentTs) < physicalOf(lock.ts) + lock.ttl) {
          return { lockTtl: lock.ttl, commitVersion: 0, action: 'no-action' };
        }
        rollbackLockedKey(txn, primary, lock);
        await this.storage.write(request.context ?? {}, txn.writes());
        return { lockTtl: 0, commitVersion: 0, action: 'ttl-expire-rollback' };
      }
      const current = txn.currentWrite(primary);
      if (current !== undefined) {
        const committed = current.write.kind !== WriteKind.Rollback;
        return { lockTtl: 0, commitVersion: committed ? current.commitTs : 0, action: 'no-action' };
      }
      txn.putWrite(primary, request.lockTs, new Write(request.lockTs, WriteKind.Rollback));
      await this.storage.write(request.context ?? {}, txn.writes());
      return { lockTtl: 0, commitVersion: 0, action: 'lock-not-exist-rollback' };
    });
  }

  /**
   * Rolls back `keys` of the transaction `startVersion`: removes its locks and values and
   * leaves rollback records (also where it has no lock, so a late prewrite fails). A key the
   * transaction already committed aborts the whole request; one already rolled back is skipped.
   */
  async kvBatchRollback(request: KvBatchRollbackRequest): Promise<KvBatchRollbackResponse> {
    return this.withLatchedTxn(request.context, request.keys, request.startVersion, async (txn) => {
      for (const key of request.keys) {
        const error = rollbackKey(txn, key);
        if (error !== undefined) return { error };
      }
      await this.storage.write(request.context ?? {}, txn.writes());
      return {};
    });
  }

  /** Commits (`commitVersion` > 0) or rolls back (0) every key still locked by the transaction `startVersion`. */
  async kvResolveLock(request: KvResolveLockRequest): Promise<KvResolveLockResponse> {
    // Find the keys first, then latch them and read again: the first read may be stale by then.
    const keys = await this.withReader(request.context, (reader) => locksOfTxn(reader, request.startVersion));
    if (keys.length === 0) return {};
    return this.withLatchedTxn(request.context, keys, request.startVersion, async (txn) => {
      for (const key of keys) {
        const error = request.commitVersion > 0 ? commitKey(txn, key, request.commitVersion) : rollbackKey(txn, key);
        if (error !== undefined) return { error };
      }
      await this.storage.write(request.context ?? {}, txn.writes());
      return {};
    });
  }

  // ---- helpers -----------------------------------------------------------------------

  private async withReader<T>(context: RequestContext | undefined, body: (reader: StorageReader) => T | Promise<T>): Promise<T> {
    const reader = await this.storage.reader(context ?? {});
    try {
      return await body(reader);
    } finally {
      reader.close();
    }
  }

  private async withLatchedTxn<T>(
    context: RequestContext | undefined,
    keys: readonly Buffer[],
    startTs: number,
    body: (txn: MvccTxn) => Promise<T>,
  ): Promise<T> {
    const guard = await this.latches.acquire(keys);
    try {
      return await this.withReader(context, (reader) => body(new MvccTxn(reader, startTs)));
    } finally {
      guard.release();
    }
  }
}

/** Buffers the commit of `key` for `txn`, or says why it cannot be committed. */
function commitKey(txn: MvccTxn, key: Buffer, commitTs: number): KeyError | undefined {
  const lock = txn.getLock(key);
  if (lock !== undefined && lock.ts === txn.startTs) {
    txn.putWrite(key, commitTs, new Write(txn.startTs, lock.kind));
    txn.deleteLock(key);
    return undefined;
  }
  const current = txn.currentWrite(key);
  if (current !== undefined && current.write.kind !== WriteKind.Rollback) return undefined; // committed already
  if (current !== undefined) {
    return { abort: `The transaction ${txn.startTs} was rolled back on key ${key.toString('hex')} (hex); it cannot commit.` };
  }
  if (lock !== undefined) {
    return { retryable: `Key ${key.toString('hex')} (hex) is locked by transaction ${lock.ts}, not ${txn.startTs}; resolve that lock and retry.` };
  }
  return { abort: `Transaction ${txn.startTs} has no lock on key ${key.toString('hex')} (hex): its prewrite was lost or rolled back.` };
}

/** Buffers the rollback of `key` for `txn`, or an abort error when `txn` already committed it. */
function rollbackKey(txn: MvccTxn, key: Buffer): KeyError | undefined {
  const current = txn.currentWrite(key);
  if (current !== undefined) {
    if (current.write.kind === WriteKind.Rollback) return undefined; // rolled back already
    return { abort: `Transaction ${txn.startTs} already committed key ${key.toString('hex')} (hex) at ${current.commitTs}; it cannot be rolled back.` };
  }
  const lock = txn.getLock(key);
  if (lock !== undefined && lock.ts === txn.startTs) {
    rollbackLockedKey(txn, key, lock);
  } else {
    // No lock of ours (none, or another transaction's, which we must not touch): still leave a
    // rollback record so that a prewrite of this transaction arriving late fails.
    txn.putWrite(key, txn.startTs, new Write(txn.startTs, WriteKind.Rollback));
  }
  return undefined;
}

/** Buffers the rollback of `txn`'s own `lock` on `key`: lock and value go, a rollback record stays. */
function rollbackLockedKey(txn: MvccTxn, key: Buffer, lock: Lock): void {
  txn.deleteLock(key);
  if (lock.kind === WriteKind.Put) txn.deleteValue(key);
  txn.putWrite(key, txn.startTs, new Write(txn.startTs, WriteKind.Rollback));
}

/** The keys locked by the transaction `startTs`, in key order. */
function locksOfTxn(reader: StorageReader, startTs: number): Buffer[] {
  const iterator = reader.iterCF(CF_LOCK);
  const keys: Buffer[] = [];
  try {
    for (iterator.seekToFirst(); iterator.valid(); iterator.next()) {
      if (Lock.fromBytes(iterator.value()).ts === startTs) keys.push(iterator.key());
    }
  } finally {
    iterator.close();
  }
  return keys;
}
