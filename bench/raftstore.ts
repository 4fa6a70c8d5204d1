/**
 * Benchmark section `raftstore`: how fast the simulated 2B cluster runs. Virtual seconds
 * simulated per wall second and committed client operations per wall second for the 5-store
 * generic scenario (five clients), and seeds per minute of the hardest 2B scenario (crashes,
 * partitions and an unreliable network together), each run checked for linearizability.
 * Written against ../labs paths: the lead runs it inside the reference workspace.
 *
 * @module
 */
import { runScenario, type ScenarioOptions, type ScenarioReport } from '../labs/2b-raftstore/testkit/scenario';
import type { BenchRow } from './bench-row';

const GENERIC: ScenarioOptions = { name: 'bench: 5 stores, 5 clients', storeCount: 5, clientCount: 5 };
const HARDEST: ScenarioOptions = { name: 'bench: persist, partition, unreliable', storeCount: 5, clientCount: 5, crash: true, partitions: true, unreliable: true };

async function timed(options: ScenarioOptions, seed: number): Promise<{ report: ScenarioReport; wallMs: number }> {
  const started = process.hrtime.bigint();
  const report = await runScenario(options, seed);
  return { report, wallMs: Number(process.hrtime.bigint() - started) / 1e6 };
}

/** Runs the raftstore section. */
export async function run(): Promise<BenchRow[]> {
  await timed(GENERIC, 1); // warm-up: let the JIT compile the store and the checker
  let virtualMs = 0;
  let wallMs = 0;
  let completed = 0;
  for (let seed = 1; seed <= 5; seed++) {
    const result = await timed(GENERIC, seed);
    virtualMs += result.report.virtualMs;
    wallMs += result.wallMs;
    completed += result.report.completedOperations;
  }
  const seeds = 20;
  let hardestWallMs = 0;
  for (let seed = 1; seed <= seeds; seed++) hardestWallMs += (await timed(HARDEST, seed)).wallMs;
  return [
    {
      section: 'raftstore',
      name: 'virtual time per wall time, 5-store generic scenario',
      value: virtualMs / wallMs,
      unit: 'x',
      note: 'target >= 100x; includes the linearizability check',
    },
    { section: 'raftstore', name: 'committed client ops, 5-store generic scenario', value: completed / (wallMs / 1000), unit: 'ops/s', note: 'five clients, reliable network' },
    {
      section: 'raftstore',
      name: 'seeds of the hardest 2B scenario',
      value: seeds / (hardestWallMs / 60_000),
      unit: 'seeds/min',
      note: 'persist + partition + unreliable, one core; target >= 100',
    },
  ];
}
