/**
 * Benchmark section `student loop`: what a student waits for, measured in a student edition
 * (exported from this kit, with the reference solutions copied in so the tests pass).
 *
 * - `tinykv --help` start-up, next to bare `node` starting and exiting;
 * - `tinykv test 2aa` next to jest alone on the same test file with the same config: once
 *   warm (nothing changed since the last run: the type-check verdict is reused), and once after
 *   an edit (the type-check runs, incrementally, alongside the tests).
 *
 * Every figure is the median of a few whole-process runs after one warm-up run. Targets: the
 * start-up under 0.3 s; `tinykv test` within 1.5x of jest alone. Reported, never asserted.
 *
 * @module
 */
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchRow } from './bench-row';

const RUNS = 5;

function kitRoot(): string {
  const root = process.env.TINYKV_KIT_ROOT;
  if (!root) throw new Error('bench/student-loop.ts runs from bench/main.ts, which sets TINYKV_KIT_ROOT.');
  return root;
}

/** Wall time of one whole-process run of `node ...args` in `cwd`, in seconds. */
async function runSeconds(args: readonly string[], cwd: string): Promise<number> {
  const started = process.hrtime.bigint();
  const result = await execa(process.execPath, args, { cwd, reject: false, env: { FORCE_COLOR: '0' } });
  if (result.exitCode !== 0) throw new Error(`node ${args.join(' ')} failed in ${cwd}:\n${(result.stderr || result.stdout).slice(-2000)}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** Median wall time of RUNS runs after one warm-up; `beforeEach` runs (untimed) before every run. */
async function medianSeconds(args: readonly string[], cwd: string, beforeEach: () => void = () => undefined): Promise<number> {
  beforeEach();
  await runSeconds(args, cwd);
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    beforeEach();
    times.push(await runSeconds(args, cwd));
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

/** A student edition of the kit with the reference solutions over its stubs, ready to run. */
function studentEditionWithSolutions(root: string): string {
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-bench-student-')), 'kit');
  const { exportStudentEdition } = require(path.join(root, 'grader/src/student-edition')) as typeof import('../grader/src/student-edition');
  exportStudentEdition(dir);
  fs.cpSync(path.join(root, 'reference'), path.join(dir, 'labs'), { recursive: true });
  fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** Measures start-up and the test loop in a fresh student edition. */
export async function run(): Promise<BenchRow[]> {
  const root = kitRoot();
  const edition = studentEditionWithSolutions(root);
  try {
    const helpSeconds = await medianSeconds(['bin/tinykv.js', '--help'], edition);
    const nodeSeconds = await medianSeconds(['-e', '0'], edition);
    const testFile = 'labs/2a-raft/test/election.test.ts';
    const jest = ['node_modules/jest/bin/jest.js', '--config', 'jest.config.js', '--runTestsByPath', testFile];
    const jestSeconds = await medianSeconds(jest, edition);
    const warmSeconds = await medianSeconds(['bin/tinykv.js', 'test', '2aa'], edition);
    // An edit that changes no type: the verdict cache misses and tsc checks incrementally.
    const raft = path.join(edition, 'labs/2a-raft/src/raft.ts');
    let edits = 0;
    const editedSeconds = await medianSeconds(['bin/tinykv.js', 'test', '2aa'], edition, () => fs.appendFileSync(raft, `\n// edit ${++edits}\n`));
    const note = `median of ${RUNS} warm runs, student edition, ${testFile}`;
    return [
      { section: 'student loop', name: 'tinykv --help start-up', value: helpSeconds, unit: 's', note: `target < 0.3 s; ${note}` },
      { section: 'student loop', name: 'node -e 0 (bare start-up)', value: nodeSeconds, unit: 's', note: 'the floor under any command' },
      { section: 'student loop', name: 'jest alone, 2AA tests', value: jestSeconds, unit: 's', note: 'same test file and config, no type-check' },
      { section: 'student loop', name: 'tinykv test 2aa, unchanged', value: warmSeconds, unit: 's', note: 'type-check verdict reused' },
      { section: 'student loop', name: 'tinykv test 2aa, after an edit', value: editedSeconds, unit: 's', note: 'incremental type-check alongside the tests' },
      { section: 'student loop', name: 'unchanged / jest alone', value: warmSeconds / jestSeconds, unit: 'x', note: 'target <= 1.5x' },
      { section: 'student loop', name: 'after an edit / jest alone', value: editedSeconds / jestSeconds, unit: 'x', note: 'target <= 1.5x' },
    ];
  } finally {
    fs.rmSync(path.dirname(edition), { recursive: true, force: true });
  }
}
