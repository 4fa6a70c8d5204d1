/**
 * Benchmark section `linearizability`: how fast the linearizability checker decides recorded
 * histories of the reference raftstore, and the costly valid history the issue names.
 *
 * The histories are recorded here, deterministically: each 2B scenario below runs once under
 * its seed on the reference (bench/main.ts runs every section in the reference workspace)
 * while an observer keeps the history the cluster checked; only the checks are timed, best
 * of three. The same scenario and seed give the same history, so two runs' rows compare.
 *
 * Before this checker (order by time, quadratic bookkeeping at each new longest prefix, every
 * unknown outcome kept), the same histories took, checked by both in one process (CPU ms, best
 * of three, on a shared two-core machine): 909 operations 10.4 → 7.8; 96 operations (13 with
 * unknown outcome) 3.2 → 0.6, 948 → 86 steps; 377 operations 3.0 → 2.4; 11,759 operations
 * 1,024 → 218; a 29,390-operation history 22,196 → about 600. The nine concurrent appends take
 * 2,335,689 steps in both, about twice as long per step here, where every state is new (states
 * are numbered and what operations do to them remembered, which pays off when a search comes
 * back to a state, as refuting a broken store's history does), and were `unknown` under the
 * old 2,000,000-step budget.
 *
 * @module
 */
import { runScenario, type ScenarioOptions } from '../labs/2b-raftstore/testkit/scenario';
import { checkKvLinearizability, type KvInput, type KvOperation, type KvOutput } from '../labs/common/testkit/linearizability-kv-model';
import { DEFAULT_LINEARIZABILITY_BUDGET, type LinearizabilityResult } from '../labs/common/testkit/linearizability';
import { observeLinearizabilityChecks } from '../labs/common/testkit/linearizability-observer';
import { bestOfMs, type BenchRow } from './bench-row';

/** The recorded histories: a scenario and its seed. */
const RECORDED: readonly { readonly label: string; readonly options: ScenarioOptions; readonly seed: number }[] = [
  { label: '2B concurrent, 5 clients', options: { name: 'bench: concurrent', clientCount: 5 }, seed: 1 },
  { label: '2B persist + partition + unreliable', options: { name: 'bench: hardest', clientCount: 5, crash: true, partitions: true, unreliable: true }, seed: 1 },
  { label: '2B scan-heavy, 3 clients', options: { name: 'bench: scan-heavy', clientCount: 3, scanProbability: 0.3, rounds: 2 }, seed: 101 },
  { label: '2B long: 5 clients, 8 rounds of 5 s', options: { name: 'bench: long', clientCount: 5, rounds: 8, roundMs: 5_000 }, seed: 1 },
];

/** Records the history a scenario's cluster checks. */
async function recordHistory(options: ScenarioOptions, seed: number): Promise<KvOperation[]> {
  let recorded: KvOperation[] | undefined;
  const stop = observeLinearizabilityChecks({ afterCheck: (history) => (recorded = history as KvOperation[]) });
  try {
    await runScenario(options, seed);
  } finally {
    stop();
  }
  if (recorded === undefined) throw new Error(`Scenario "${options.name}" seed ${seed} ran no linearizability check.`);
  return recorded;
}

/**
 * Nine appends to one key, all concurrent, then a read that saw them in the last order the
 * search tries: valid, and every order of the appends is a distinct state, so the memo cannot
 * help (the example of a correct history near the old budget).
 */
function concurrentAppends(count: number): KvOperation[] {
  const key = Buffer.from('k');
  const operations: KvOperation[] = Array.from({ length: count }, (_, index) => ({
    id: index + 1,
    clientId: index + 1,
    input: { kind: 'append', key, value: Buffer.from(`x ${index} y`) },
    invokeMs: 0,
    returnMs: 100,
    outcome: 'ok',
    output: { kind: 'write' },
  }));
  const value = Array.from({ length: count }, (_, index) => `x ${count - 1 - index} y`).join('');
  operations.push({ id: count + 1, clientId: 99, input: { kind: 'get', key }, invokeMs: 200, returnMs: 210, outcome: 'ok', output: { kind: 'get', value: Buffer.from(value) } });
  return operations;
}

function timedCheck(history: readonly KvOperation[], repetitions: number): { ms: number; verdict: LinearizabilityResult<KvInput, KvOutput> } {
  let verdict: LinearizabilityResult<KvInput, KvOutput> | undefined;
  const ms = bestOfMs(repetitions, () => {
    verdict = checkKvLinearizability(history);
    if (verdict.result !== 'ok') throw new Error(`The benchmark history should be linearizable, the checker says ${verdict.result}.`);
  });
  return { ms, verdict: verdict as LinearizabilityResult<KvInput, KvOutput> };
}

/** Runs the linearizability section. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const { label, options, seed } of RECORDED) {
    const history = await recordHistory(options, seed);
    const { ms, verdict } = timedCheck(history, 3);
    const unknown = history.filter((operation) => operation.outcome === 'unknown').length;
    rows.push({
      section: 'linearizability',
      name: `check: ${label}`,
      value: history.length / (ms / 1000),
      unit: 'ops/s',
      note: `${history.length} ops (${unknown} unknown), ${verdict.partitionCount} part(s), ${verdict.steps} steps, ${ms.toFixed(1)} ms`,
    });
  }
  const appends = concurrentAppends(9);
  const { ms, verdict } = timedCheck(appends, 1);
  rows.push({
    section: 'linearizability',
    name: 'check: 9 concurrent appends, then a read',
    value: verdict.steps / (ms / 1000),
    unit: 'steps/s',
    note: `${verdict.steps} steps, ${ms.toFixed(0)} ms; budget ${DEFAULT_LINEARIZABILITY_BUDGET.maxSteps} steps`,
  });
  return rows;
}
