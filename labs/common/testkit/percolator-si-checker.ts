/**
 * A randomised Percolator workload and a snapshot-isolation checker for its history.
 *
 * The workload runs many transactions of several clients, interleaved one protocol step at a
 * time in an order drawn from a seed; some clients abandon a transaction half way (after some
 * prewrites, or just after committing the primary), leaving locks for others to resolve. The
 * clock advances as it runs so that abandoned locks expire.
 *
 * The checker then asserts, over the committed history:
 * 1. every read saw exactly the latest write committed before the reader's start ts (reads of
 *    aborted transactions too: Percolator gives every transaction a consistent snapshot);
 * 2. no two committed transactions that wrote a common key overlap between start and commit ts;
 * 3. no committed write is lost: after the run, each key holds the value of its last committed
 *    writer, read both with `kvGet` and with `kvScan`.
 *
 * @module
 */
import type { Rng } from '../runtime/rng';
import { createRng } from '../runtime/rng';
import { PercolatorClient, PercolatorTxn, TimestampOracle, type TransactionalKv } from './percolator-client';

/** Knobs of {@link runSnapshotIsolationWorkload}. */
export interface SiWorkloadOptions {
  /** Concurrent clients (each runs one transaction at a time). */
  readonly clients: number;
  /** Transactions started in total. */
  readonly transactions: number;
  /** Size of the key space (`k0`, `k1`, ...). */
  readonly keys: number;
  /** Probability that a transaction is abandoned at some step of its commit. */
  readonly abandonProbability: number;
  /** Lock ttl in physical ms. */
  readonly lockTtlMs: number;
}

/** Defaults: small enough for a few seeds per second, contended enough to meet every case. */
export const DEFAULT_SI_WORKLOAD: SiWorkloadOptions = { clients: 4, transactions: 40, keys: 6, abandonProbability: 0.15, lockTtlMs: 3 };

/** What happened to one transaction. */
export interface TxnRecord {
  readonly id: number;
  readonly startTs: number;
  /** Set when the primary committed. */
  readonly commitTs: number | undefined;
  readonly reads: PercolatorTxn['reads'];
  readonly writes: ReadonlyMap<string, string | undefined>;
  readonly abandoned: boolean;
}

/** The result of a workload run: the history and the final state read back. */
export interface SiRun {
  readonly history: TxnRecord[];
  /** Final value of each key by `kvGet` at a ts after everything. */
  readonly finalByGet: Map<string, string | undefined>;
  /** Final pairs by one `kvScan` over the whole key space. */
  readonly finalByScan: Map<string, string>;
}

type Phase = 'read' | 'prewrite' | 'commit-primary' | 'commit-secondaries';

interface ClientState {
  txn: PercolatorTxn;
  id: number;
  phase: Phase;
  plan: Array<{ read: boolean; key: string; write: 'put' | 'delete' | undefined }>;
  abandonAt: number | undefined;
  steps: number;
  blocked: number;
}

const MAX_BLOCKED_STEPS = 30;

/**
 * Runs the workload against `kv` under `seed`.
 *
 * @throws Error when the server answers something the protocol forbids (e.g. a committed
 *   transaction's secondary cannot commit) or a run does not finish in its step budget.
 */
export async function runSnapshotIsolationWorkload(kv: TransactionalKv, seed: number, options: SiWorkloadOptions = DEFAULT_SI_WORKLOAD): Promise<SiRun> {
  const rng = createRng(seed);
  const scheduleRng = rng.split('schedule');
  const planRng = rng.split('plan');
  const oracle = new TimestampOracle();
  const client = new PercolatorClient(kv, oracle, { lockTtlMs: options.lockTtlMs });
  const keyName = (index: number) => `k${index}`;
  const history: TxnRecord[] = [];
  let started = 0;
  const active: ClientState[] = [];

  const startTxn = (): ClientState => {
    const id = started++;
    const operations = planRng.int(1, 4);
    const plan = Array.from({ length: operations }, () => ({
      read: planRng.chance(0.7),
      key: keyName(planRng.int(0, options.keys - 1)),
      write: planRng.chance(0.7) ? (planRng.chance(0.15) ? ('delete' as const) : ('put' as const)) : undefined,
    }));
    const abandonAt = planRng.chance(options.abandonProbability) ? planRng.int(0, 4) : undefined;
    return { txn: client.begin(), id, phase: 'read', plan, abandonAt, steps: 0, blocked: 0 };
  };
  const finish = (state: ClientState, abandoned: boolean) => {
    const { txn } = state;
    history.push({ id: state.id, startTs: txn.startTs, commitTs: txn.commitTs, reads: txn.reads, writes: txn.writes, abandoned });
    active.splice(active.indexOf(state), 1);
  };

  for (let i = 0; i < options.clients && started < options.transactions; i++) active.push(startTxn());
  let stepBudget = options.transactions * 200;
  while (active.length > 0) {
    if (--stepBudget < 0) throw new Error(`The SI workload did not finish within its step budget under seed ${seed}; is a command never releasing a lock?`);
    if (scheduleRng.chance(0.2)) oracle.advance(1);
    const state = scheduleRng.pick(active);
    const outcome = await step(state, scheduleRng);
    if (outcome === 'blocked') {
      if (++state.blocked > MAX_BLOCKED_STEPS) throw new Error(`Transaction ${state.id} stayed blocked for ${MAX_BLOCKED_STEPS} steps under seed ${seed}: a dead lock was never resolved.`);
      continue;
    }
    state.blocked = 0;
    if (outcome === 'running') continue;
    finish(state, outcome === 'abandoned');
    if (started < options.transactions) active.push(startTxn());
  }

  // Final state: far in the future every abandoned lock has expired and is resolved on read.
  oracle.advance(options.lockTtlMs + 1);
  const reader = client.begin();
  const finalByGet = new Map<string, string | undefined>();
  for (let index = 0; index < options.keys; index++) {
    const result = await reader.get(keyName(index));
    if (result === 'blocked') throw new Error(`The final read of ${keyName(index)} is blocked by a lock that should have expired (seed ${seed}).`);
    finalByGet.set(keyName(index), result.value);
  }
  const scan = await kv.kvScan({ startKey: Buffer.from('k', 'latin1'), limit: options.keys + 1, version: reader.startTs });
  const finalByScan = new Map<string, string>();
  for (const pair of scan.pairs) {
    if (pair.error !== undefined) throw new Error(`The final scan met a lock after every lock was resolved (seed ${seed}): ${JSON.stringify(pair.error)}.`);
    finalByScan.set(pair.key.toString('latin1'), pair.value.toString('latin1'));
  }
  return { history, finalByGet, finalByScan };
}

/** Runs one protocol step of `state`'s transaction. */
async function step(state: ClientState, rng: Rng): Promise<'running' | 'blocked' | 'committed' | 'aborted' | 'abandoned'> {
  const { txn } = state;
  if (state.abandonAt !== undefined && state.phase !== 'read' && state.steps >= state.abandonAt) return 'abandoned';
  switch (state.phase) {
    case 'read': {
      const operation = state.plan.shift();
      if (operation === undefined) {
        state.phase = txn.writes.size === 0 ? 'commit-secondaries' : 'prewrite';
        return txn.writes.size === 0 ? 'committed' : 'running';
      }
      if (operation.read) {
        const result = await txn.get(operation.key);
        if (result === 'blocked') {
          state.plan.unshift(operation);
          return 'blocked';
        }
      }
      if (operation.write === 'put') txn.set(operation.key, `t${state.id}@${operation.key}#${rng.int(0, 9)}`);
      if (operation.write === 'delete') txn.delete(operation.key);
      return 'running';
    }
    case 'prewrite': {
      state.steps += 1;
      const outcome = await txn.prewriteNext();
      if (outcome === 'blocked') return 'blocked';
      if (outcome === 'aborted') {
        await txn.rollback();
        return 'aborted';
      }
      if (!txn.hasKeysToPrewrite) state.phase = 'commit-primary';
      return 'running';
    }
    case 'commit-primary': {
      state.steps += 1;
      if ((await txn.commitPrimary()) === 'aborted') {
        await txn.rollback();
        return 'aborted';
      }
      state.phase = 'commit-secondaries';
      return txn.fullyCommitted ? 'committed' : 'running';
    }
    case 'commit-secondaries': {
      state.steps += 1;
      await txn.commitNextSecondary();
      return txn.fullyCommitted ? 'committed' : 'running';
    }
  }
}

/**
 * Checks a run against snapshot isolation (see the module comment).
 *
 * @returns one sentence per violation; empty when the history is snapshot-isolated.
 */
export function checkSnapshotIsolation(run: SiRun): string[] {
  const violations: string[] = [];
  const committed = run.history.filter((txn) => txn.commitTs !== undefined).sort((a, b) => a.commitTs! - b.commitTs!);
  const visibleAt = (key: string, ts: number): string | undefined => {
    let value: string | undefined;
    for (const txn of committed) {
      if (txn.commitTs! >= ts) break;
      if (txn.writes.has(key)) value = txn.writes.get(key);
    }
    return value;
  };
  for (const txn of run.history) {
    for (const read of txn.reads) {
      const expected = visibleAt(read.key, txn.startTs);
      if (read.value !== expected) {
        violations.push(`Transaction ${txn.id} (start ts ${txn.startTs}) read ${read.key} = ${String(read.value)}, but the last write committed before its start ts is ${String(expected)}.`);
      }
    }
  }
  for (let i = 0; i < committed.length; i++) {
    for (let j = i + 1; j < committed.length; j++) {
      const [a, b] = [committed[i], committed[j]];
      const shared = [...a.writes.keys()].filter((key) => b.writes.has(key));
      const overlap = a.startTs < b.commitTs! && b.startTs < a.commitTs!;
      if (shared.length > 0 && overlap) {
        violations.push(`Transactions ${a.id} [${a.startTs}, ${a.commitTs}] and ${b.id} [${b.startTs}, ${b.commitTs}] both committed writes to ${shared.join(', ')} while overlapping.`);
      }
    }
  }
  for (const [key, value] of run.finalByGet) {
    const expected = visibleAt(key, Number.MAX_SAFE_INTEGER);
    if (value !== expected) violations.push(`Key ${key} ends as ${String(value)} by kvGet, but its last committed write is ${String(expected)}: a committed write was lost or an aborted one leaked.`);
    if (run.finalByScan.get(key) !== expected) {
      violations.push(`Key ${key} ends as ${String(run.finalByScan.get(key))} by kvScan, but its last committed write is ${String(expected)}.`);
    }
  }
  return violations;
}
