/**
 * A Percolator client for the stage 4 tests and benchmark: it runs transactions against a
 * transactional server the way TinySQL / TiDB's client does, one step at a time so that a test
 * can interleave many transactions deterministically.
 *
 * A transaction buffers its writes. Committing it is: prewrite the primary key, then each
 * secondary; draw a commit ts; commit the primary (the commit point: from here the transaction
 * is committed, whatever happens to the client); then commit each secondary. A client that
 * stops half way leaves locks behind; whoever meets such a lock asks the primary's status
 * (`kvCheckTxnStatus`, which rolls back a transaction whose lock has outlived its ttl) and then
 * commits or rolls back the transaction's remaining locks (`kvResolveLock`).
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
  LockInfo,
  Mutation,
} from '../proto/txn';

/** The transactional commands the client needs (a stage 4 `TxnServer` has them all). */
export interface TransactionalKv {
  kvGet(request: KvGetRequest): Promise<KvGetResponse>;
  kvPrewrite(request: KvPrewriteRequest): Promise<KvPrewriteResponse>;
  kvCommit(request: KvCommitRequest): Promise<KvCommitResponse>;
  kvScan(request: KvScanRequest): Promise<KvScanResponse>;
  kvCheckTxnStatus(request: KvCheckTxnStatusRequest): Promise<KvCheckTxnStatusResponse>;
  kvBatchRollback(request: KvBatchRollbackRequest): Promise<KvBatchRollbackResponse>;
  kvResolveLock(request: KvResolveLockRequest): Promise<KvResolveLockResponse>;
}

/** 2^18: the logical part of a timestamp (same layout as labs/4-txn/src/timestamp.ts). */
const LOGICAL_RANGE = 2 ** 18;

/**
 * A timestamp oracle with a clock the test drives: `next()` hands out strictly increasing
 * timestamps `physical * 2^18 + logical`; `advance(ms)` moves physical time (lock ttls are
 * measured in it).
 */
export class TimestampOracle {
  private physicalMs: number;
  private logical = 0;

  /** @param startPhysicalMs - the physical time to start at. */
  constructor(startPhysicalMs = 1) {
    this.physicalMs = startPhysicalMs;
  }

  /** The current physical time in ms. */
  get nowMs(): number {
    return this.physicalMs;
  }

  /** A fresh timestamp, greater than every one handed out before. */
  next(): number {
    this.logical += 1;
    if (this.logical >= LOGICAL_RANGE) this.advance(1);
    return this.physicalMs * LOGICAL_RANGE + this.logical;
  }

  /** Moves physical time forward by `ms` (a positive integer). */
  advance(ms: number): void {
    if (!Number.isInteger(ms) || ms < 1) throw new RangeError(`TimestampOracle.advance needs a positive integer, got ${ms}.`);
    this.physicalMs += ms;
    this.logical = 0;
  }
}

/** Options of a {@link PercolatorClient}. */
export interface PercolatorClientOptions {
  /** Ttl of the locks this client's transactions take, in physical ms. */
  readonly lockTtlMs: number;
}

/** What a step that may meet a live lock did. */
export type StepOutcome = 'done' | 'blocked' | 'aborted';

/** A client of one transactional server. */
export class PercolatorClient {
  /**
   * @param kv - the server.
   * @param oracle - where timestamps come from.
   * @param options - lock ttl.
   */
  constructor(
    readonly kv: TransactionalKv,
    readonly oracle: TimestampOracle,
    readonly options: PercolatorClientOptions = { lockTtlMs: 3 },
  ) {}

  /** Starts a transaction at a fresh start ts. */
  begin(): PercolatorTxn {
    return new PercolatorTxn(this, this.oracle.next());
  }

  /**
   * Settles the transaction holding `lock` if it is settled or dead: asks its primary's status
   * and commits or rolls back its locks accordingly.
   *
   * @returns true when the lock is gone (resolved), false when its owner is still alive.
   * @throws Error when the server answers with an error the protocol does not allow.
   */
  async resolve(lock: LockInfo): Promise<boolean> {
    const status = await this.kv.kvCheckTxnStatus({ primaryKey: lock.primaryLock, lockTs: lock.lockVersion, currentTs: this.oracle.next() });
    if (status.error !== undefined) throw new Error(`kvCheckTxnStatus answered an error: ${JSON.stringify(status.error)}.`);
    if (status.commitVersion === 0 && status.lockTtl > 0) return false;
    const resolved = await this.kv.kvResolveLock({ startVersion: lock.lockVersion, commitVersion: status.commitVersion });
    if (resolved.error !== undefined) throw new Error(`kvResolveLock answered an error: ${JSON.stringify(resolved.error)}.`);
    return true;
  }
}

/** A value read from the store by a transaction (not from its own buffer). */
export interface ObservedRead {
  readonly key: string;
  /** The value as latin1, or `undefined` for not found. */
  readonly value: string | undefined;
}

/** One transaction of a {@link PercolatorClient}. Keys and values are latin1 strings for easy bookkeeping. */
export class PercolatorTxn {
  /** Buffered writes: key → value, `undefined` meaning delete. Insertion order; the first key is the primary. */
  readonly writes = new Map<string, string | undefined>();
  /** Every value this transaction read from the store. */
  readonly reads: ObservedRead[] = [];
  /** The commit ts, once the primary committed. */
  commitTs: number | undefined;
  private prewritten = 0;
  private committedSecondaries = 0;

  /**
   * @param client - the client that began it.
   * @param startTs - its start ts.
   */
  constructor(
    readonly client: PercolatorClient,
    readonly startTs: number,
  ) {}

  /** The primary key (the first key written), if any. */
  get primary(): string | undefined {
    return this.writes.keys().next().value;
  }

  /** Keys prewritten so far. */
  get prewrittenCount(): number {
    return this.prewritten;
  }

  /** True once every secondary is committed too. */
  get fullyCommitted(): boolean {
    return this.commitTs !== undefined && this.committedSecondaries === this.writes.size - 1;
  }

  /**
   * Reads `key`: from the buffer when this transaction wrote it, otherwise from the store at the
   * start ts, resolving a lock in the way when its owner is settled or dead.
   *
   * @returns the value (or `undefined`), or `'blocked'` when a live lock is in the way.
   */
  async get(key: string): Promise<{ value: string | undefined } | 'blocked'> {
    if (this.writes.has(key)) return { value: this.writes.get(key) };
    const response = await this.client.kv.kvGet({ key: Buffer.from(key, 'latin1'), version: this.startTs });
    if (response.error?.locked !== undefined) {
      if (!(await this.client.resolve(response.error.locked))) return 'blocked';
      return this.get(key);
    }
    if (response.error !== undefined) throw new Error(`kvGet answered an unexpected error: ${JSON.stringify(response.error)}.`);
    const value = response.notFound ? undefined : response.value?.toString('latin1');
    this.reads.push({ key, value });
    return { value };
  }

  /** Buffers a put. */
  set(key: string, value: string): void {
    this.writes.set(key, value);
  }

  /** Buffers a delete. */
  delete(key: string): void {
    this.writes.set(key, undefined);
  }

  /** True while keys remain to prewrite. */
  get hasKeysToPrewrite(): boolean {
    return this.prewritten < this.writes.size;
  }

  /**
   * Prewrites the next key (the primary first).
   *
   * @returns `done`, `blocked` (a live lock; try again later) or `aborted` (a conflict: roll back).
   */
  async prewriteNext(): Promise<StepOutcome> {
    const [key, value] = [...this.writes][this.prewritten];
    const mutation: Mutation =
      value === undefined
        ? { op: 'delete', key: Buffer.from(key, 'latin1'), value: Buffer.alloc(0) }
        : { op: 'put', key: Buffer.from(key, 'latin1'), value: Buffer.from(value, 'latin1') };
    const response = await this.client.kv.kvPrewrite({
      mutations: [mutation],
      primaryLock: Buffer.from(this.primary!, 'latin1'),
      startVersion: this.startTs,
      lockTtl: this.client.options.lockTtlMs,
    });
    if (response.errors.length === 0) {
      this.prewritten += 1;
      return 'done';
    }
    const locked = response.errors[0].locked;
    if (locked !== undefined) return (await this.client.resolve(locked)) ? this.prewriteNext() : 'blocked';
    return 'aborted';
  }

  /**
   * Commits the primary at a fresh commit ts: the commit point.
   *
   * @returns `done` (committed) or `aborted` (the primary was rolled back meanwhile).
   */
  async commitPrimary(): Promise<StepOutcome> {
    const commitTs = this.client.oracle.next();
    const response = await this.client.kv.kvCommit({ keys: [Buffer.from(this.primary!, 'latin1')], startVersion: this.startTs, commitVersion: commitTs });
    if (response.error !== undefined) return 'aborted';
    this.commitTs = commitTs;
    return 'done';
  }

  /**
   * Commits the next secondary.
   *
   * @throws Error when the server refuses: once the primary is committed every secondary must commit.
   */
  async commitNextSecondary(): Promise<void> {
    const key = [...this.writes.keys()][1 + this.committedSecondaries];
    const response = await this.client.kv.kvCommit({ keys: [Buffer.from(key, 'latin1')], startVersion: this.startTs, commitVersion: this.commitTs! });
    if (response.error !== undefined) {
      throw new Error(`Committing secondary ${key} of committed transaction ${this.startTs} failed: ${JSON.stringify(response.error)}.`);
    }
    this.committedSecondaries += 1;
  }

  /** Rolls back every key this transaction wrote (after an abort). */
  async rollback(): Promise<void> {
    const keys = [...this.writes.keys()].map((key) => Buffer.from(key, 'latin1'));
    if (keys.length === 0) return;
    const response = await this.client.kv.kvBatchRollback({ startVersion: this.startTs, keys });
    if (response.error !== undefined) throw new Error(`Rolling back transaction ${this.startTs} failed: ${JSON.stringify(response.error)}.`);
  }

  /**
   * Runs the whole commit protocol, retrying blocked prewrites up to `maxBlockedRetries` times
   * (advancing the oracle's clock between tries so dead locks expire).
   *
   * @returns true when committed, false when aborted (and rolled back).
   */
  async commit(maxBlockedRetries = 20): Promise<boolean> {
    let retries = 0;
    while (this.hasKeysToPrewrite) {
      const outcome = await this.prewriteNext();
      if (outcome === 'aborted' || (outcome === 'blocked' && ++retries > maxBlockedRetries)) {
        await this.rollback();
        return false;
      }
      if (outcome === 'blocked') this.client.oracle.advance(1);
    }
    if (this.writes.size === 0) return true;
    if ((await this.commitPrimary()) === 'aborted') {
      await this.rollback();
      return false;
    }
    while (!this.fullyCommitted) await this.commitNextSecondary();
    return true;
  }
}
