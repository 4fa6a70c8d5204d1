/**
 * Grader throughput: the wall time of grading one submission for every stage present (the
 * reference, public and hidden tests), next to running the same test files directly with one
 * jest command, alone and after a `tsc --noEmit` (which the grader also does). The ratio is the
 * grader's overhead: per-stage processes, workspace copies, fingerprints, scoring. Target ≤ 1.2x.
 *
 * @module
 */
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchRow } from './bench-row';

function kitRoot(): string {
  const root = process.env.TINYKV_KIT_ROOT;
  if (!root) throw new Error('bench/grader.ts runs from bench/main.ts, which sets TINYKV_KIT_ROOT.');
  return root;
}

/** Runs a node command and returns its wall time; `mayFail` for tsc, whose verdict the grader handles per stage. */
async function timed(command: string[], cwd: string, mayFail = false): Promise<number> {
  const started = process.hrtime.bigint();
  const result = await execa(process.execPath, command, { cwd, reject: false, env: { FORCE_COLOR: '0' } });
  if (result.exitCode !== 0 && !mayFail) throw new Error(`${command.join(' ')} failed:\n${(result.stderr || result.stdout).slice(-2000)}`);
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function stageTestFiles(workspace: string): string[] {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.test.ts')) files.push(full);
    }
  };
  for (const lab of fs.readdirSync(path.join(workspace, 'labs'))) {
    if (lab !== 'common' && fs.existsSync(path.join(workspace, 'labs', lab, 'test'))) walk(path.join(workspace, 'labs', lab, 'test'));
  }
  if (fs.existsSync(path.join(workspace, 'grader', 'hidden'))) walk(path.join(workspace, 'grader', 'hidden'));
  return files.sort();
}

/** Grades the reference once with the CLI and runs the same tests once with jest directly. */
export async function run(): Promise<BenchRow[]> {
  const root = kitRoot();
  const workspace = path.resolve(__dirname, '..');
  const report = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-bench-')), 'grade.json');
  const files = stageTestFiles(workspace);
  const jest = [path.join(root, 'node_modules/jest/bin/jest.js'), '--config', path.join(workspace, 'jest.config.js'), '--rootDir', workspace, '--silent', '--runTestsByPath', ...files];
  await timed(jest, workspace); // warm jest's transform cache so both sides start equal
  const gradeMs = await timed([path.join(root, 'bin/tinykv.js'), 'grade', '--impl', 'reference', '--json', report], root);
  const graded = JSON.parse(fs.readFileSync(report, 'utf8')) as { score: number; max_score: number; stages: unknown[] };
  const tscMs = await timed([path.join(root, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'tsconfig.json'], workspace, true);
  const jestMs = await timed(jest, workspace);
  const note = `${graded.stages.length} stages, ${files.length} test files, reference ${graded.score}/${graded.max_score}`;
  return [
    { section: 'grader', name: 'grade every stage', value: gradeMs / 1000, unit: 's', note },
    { section: 'grader', name: 'jest directly', value: jestMs / 1000, unit: 's', note: 'same test files, one jest command' },
    { section: 'grader', name: 'tsc + jest directly', value: (tscMs + jestMs) / 1000, unit: 's', note: 'what the grader does, done by hand' },
    { section: 'grader', name: 'overhead vs tsc + jest', value: gradeMs / (tscMs + jestMs), unit: 'x', note: 'target <= 1.2x' },
  ];
}
