/**
 * Measures the linearizability checker on many seeds of the 2B cluster scenarios: how many
 * steps, how much memo and how much time each check needs on the reference raftstore, and
 * whether any check ends `unknown` (the budget must be out of reach of every correct run).
 *
 * Run it in a reference workspace, niced, in the background; it takes a while:
 *
 * ```
 * scripts/overlay-workspace.sh /tmp/ref-ws && cp -r bench /tmp/ref-ws/
 * cd /tmp/ref-ws && nice -n 10 node /path/to/kit/bin/run-ts.js bench/linearizability-seeds.ts \
 *   --seeds 10000 --shard 0/2 --out /tmp/seeds-0.jsonl --keep /tmp/costliest
 * ```
 *
 * Run index i (0 ≤ i < seeds) plays scenario family i mod F under seed ⌊i / F⌋ + 1, so every
 * family gets the same share. One JSON line per run goes to `--out`; a summary per family is
 * printed at the end (and `--summarize FILE...` prints it again from saved lines). `--keep DIR`
 * saves the history of each family's costliest check (see `history-json.ts`).
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runScenario, type ScenarioOptions } from '../labs/2b-raftstore/testkit/scenario';
import { DEFAULT_LINEARIZABILITY_BUDGET, type LinearizabilityResult } from '../labs/common/testkit/linearizability';
import type { KvInput, KvOperation, KvOutput } from '../labs/common/testkit/linearizability-kv-model';
import { observeLinearizabilityChecks } from '../labs/common/testkit/linearizability-observer';
import { historyToJson } from './history-json';

/**
 * The 2B scenario families: the public ones (labs/2b-raftstore/test/scenarios.test.ts) and the
 * hidden ones (grader/hidden/2b/scenarios-hidden.test.ts), with the same knobs.
 */
const SCENARIO_FAMILIES: readonly ScenarioOptions[] = [
  { name: 'basic', clientCount: 1 },
  { name: 'concurrent', clientCount: 5 },
  { name: 'unreliable', clientCount: 5, unreliable: true },
  { name: 'partitions, one client', clientCount: 1, partitions: true },
  { name: 'partitions, many clients', clientCount: 5, partitions: true },
  { name: 'persist, one client', clientCount: 1, crash: true },
  { name: 'persist, concurrent', clientCount: 5, crash: true },
  { name: 'persist, concurrent, unreliable', clientCount: 5, crash: true, unreliable: true },
  { name: 'persist, partition', clientCount: 5, crash: true, partitions: true },
  { name: 'persist, partition, unreliable', clientCount: 5, crash: true, partitions: true, unreliable: true },
  { name: 'hidden: three stores, three clients', storeCount: 3, clientCount: 3 },
  { name: 'hidden: seven stores, five clients', storeCount: 7, clientCount: 5, rounds: 2 },
  { name: 'hidden: scan-heavy', clientCount: 3, scanProbability: 0.3, rounds: 2 },
  { name: 'hidden: a third of messages lost', clientCount: 3, faultLink: { dropProbability: 0.3, jitterMs: 20 } },
  { name: 'hidden: random write crashes', clientCount: 3, crashAtRandomWrites: true },
  { name: 'hidden: write crashes, partitions, unreliable', clientCount: 3, crashAtRandomWrites: true, partitions: true, unreliable: true },
  { name: 'hidden: three stores crash under partitions', storeCount: 3, clientCount: 3, crash: true, partitions: true },
  { name: 'hidden: long rounds, unreliable', clientCount: 1, unreliable: true, roundMs: 2_500, rounds: 2 },
];

/** One run's line in the output file. */
interface RunRecord {
  readonly family: string;
  readonly seed: number;
  /** `ok`, `illegal` or `unknown` from the checker; `not-checked` when the run failed before its check. */
  readonly result: string;
  readonly operations: number;
  readonly unknownOutcomes: number;
  readonly dropped: number;
  readonly partitions: number;
  readonly largestPartition: number;
  readonly steps: number;
  readonly peakMemoEntries: number;
  readonly checkMs: number;
  readonly runMs: number;
  /** The scenario's failure, when it failed (first line). */
  readonly failure?: string;
}

interface Arguments {
  readonly seeds: number;
  readonly shard: number;
  readonly shards: number;
  readonly out?: string;
  readonly keep?: string;
  readonly summarize?: readonly string[];
}

function parseArguments(argv: readonly string[]): Arguments {
  const value = (flag: string): string | undefined => {
    const at = argv.indexOf(flag);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const [shard, shards] = (value('--shard') ?? '0/1').split('/').map(Number);
  if (!(shards >= 1 && shard >= 0 && shard < shards)) throw new RangeError(`--shard must be i/n with 0 <= i < n, got ${value('--shard')}.`);
  const at = argv.indexOf('--summarize');
  return {
    seeds: Number(value('--seeds') ?? 10_000),
    shard,
    shards,
    out: value('--out'),
    keep: value('--keep'),
    summarize: at >= 0 ? argv.slice(at + 1) : undefined,
  };
}

function elapsedMs(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

async function measure(args: Arguments): Promise<RunRecord[]> {
  const records: RunRecord[] = [];
  const costliest = new Map<string, number>();
  let check: { started: bigint; history?: readonly KvOperation[]; verdict?: LinearizabilityResult<KvInput, KvOutput>; ms: number } = { started: 0n, ms: 0 };
  observeLinearizabilityChecks({
    beforeCheck: () => (check = { started: process.hrtime.bigint(), ms: 0 }),
    afterCheck: (history, verdict) => {
      check.ms = elapsedMs(check.started);
      check.history = history as readonly KvOperation[];
      check.verdict = verdict as LinearizabilityResult<KvInput, KvOutput>;
    },
  });
  if (args.out) fs.writeFileSync(args.out, '');
  for (let index = args.shard; index < args.seeds; index += args.shards) {
    const family = SCENARIO_FAMILIES[index % SCENARIO_FAMILIES.length];
    const seed = Math.floor(index / SCENARIO_FAMILIES.length) + 1;
    check = { started: 0n, ms: 0 };
    const started = process.hrtime.bigint();
    let failure: string | undefined;
    try {
      await runScenario(family, seed);
    } catch (error) {
      failure = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).split('\n').slice(0, 3).join(' | ');
    }
    const verdict = check.verdict;
    const history = check.history ?? [];
    const record: RunRecord = {
      family: family.name,
      seed,
      result: verdict?.result ?? 'not-checked',
      operations: history.length,
      unknownOutcomes: history.filter((operation) => operation.outcome === 'unknown').length,
      dropped: verdict?.droppedOperationCount ?? 0,
      partitions: verdict?.partitionCount ?? 0,
      largestPartition: verdict?.largestPartition ?? 0,
      steps: verdict?.steps ?? 0,
      peakMemoEntries: verdict?.peakMemoEntries ?? 0,
      checkMs: Math.round(check.ms * 10) / 10,
      runMs: Math.round(elapsedMs(started)),
      ...(failure !== undefined ? { failure } : {}),
    };
    records.push(record);
    if (args.out) fs.appendFileSync(args.out, `${JSON.stringify(record)}\n`);
    if (args.keep && verdict !== undefined && record.steps > (costliest.get(family.name) ?? -1)) {
      costliest.set(family.name, record.steps);
      fs.mkdirSync(args.keep, { recursive: true });
      fs.writeFileSync(path.join(args.keep, `${family.name.replace(/[^a-z0-9]+/gi, '-')}.json`), historyToJson(history));
    }
    if (records.length % 100 === 0) process.stderr.write(`${records.length} runs, last: ${family.name} seed ${seed}\n`);
    if (records.length === 5 && records.every((run) => run.result === 'not-checked')) {
      throw new Error(`The first five runs all failed before their check (${records[0].failure}); run this script in a reference workspace.`);
    }
  }
  return records;
}

function percentile(sorted: readonly number[], fraction: number): number {
  return sorted.length === 0 ? 0 : sorted[Math.min(sorted.length - 1, Math.floor(fraction * sorted.length))];
}

function summarize(records: readonly RunRecord[]): string {
  const lines: string[] = [];
  const row = (cells: (string | number)[]) => lines.push(cells.map((cell, column) => (column === 0 ? String(cell).padEnd(46) : String(cell).padStart(10))).join(' '));
  row(['family', 'runs', 'unknown', 'illegal', 'failed', 'ops max', 'steps p50', 'steps p99', 'steps max', 'memo max', 'check max ms']);
  const families = [...new Set(records.map((record) => record.family))];
  for (const family of [...families, 'ALL']) {
    const runs = family === 'ALL' ? records : records.filter((record) => record.family === family);
    const steps = runs.map((run) => run.steps).sort((left, right) => left - right);
    row([
      family,
      runs.length,
      runs.filter((run) => run.result === 'unknown').length,
      runs.filter((run) => run.result === 'illegal').length,
      runs.filter((run) => run.failure !== undefined).length,
      Math.max(0, ...runs.map((run) => run.operations)),
      percentile(steps, 0.5),
      percentile(steps, 0.99),
      steps[steps.length - 1] ?? 0,
      Math.max(0, ...runs.map((run) => run.peakMemoEntries)),
      Math.max(0, ...runs.map((run) => run.checkMs)).toFixed(1),
    ]);
  }
  const maxSteps = Math.max(0, ...records.map((run) => run.steps));
  lines.push(`Budget: ${DEFAULT_LINEARIZABILITY_BUDGET.maxSteps} steps; the costliest check used ${maxSteps} (${((100 * maxSteps) / DEFAULT_LINEARIZABILITY_BUDGET.maxSteps).toFixed(4)}% of it).`);
  const failures = records.filter((run) => run.failure !== undefined);
  for (const run of failures.slice(0, 20)) lines.push(`failed: ${run.family} seed ${run.seed}: ${run.failure}`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args.summarize) {
    const records = args.summarize.flatMap((file) =>
      fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.length > 0)
        .map((line) => JSON.parse(line) as RunRecord),
    );
    console.log(summarize(records));
    return;
  }
  const records = await measure(args);
  console.log(summarize(records));
  if (records.some((record) => record.result !== 'ok')) process.exitCode = 1;
}

void main();
