// Goal: the kit's two promises about every stage — the reference scores 100% on public and
// hidden tests, and the untouched stubs score 0 — checked through the real `tinykv grade`
// command, JSON report and all. Also: the rubric and the tests agree (no kit problems).
// Method: run the CLI twice as a user would and read the JSON it writes.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GradeReport } from '../src/grade';
import { kitPath } from '../src/repo-paths';
import { STAGES } from '../src/stages';

jest.setTimeout(15 * 60_000);

async function gradeAll(impl: 'reference' | 'labs', extra: string[] = []): Promise<{ report: GradeReport; stdout: string; exitCode: number; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-grade-'));
  const jsonFile = path.join(dir, 'grade.json');
  const reports = ['--json', jsonFile, '--junit', path.join(dir, 'junit.xml'), '--gradescope', path.join(dir, 'results.json')];
  const result = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'grade', '--impl', impl, ...extra, ...reports], { reject: false, env: { FORCE_COLOR: '0' } });
  if (!fs.existsSync(jsonFile)) throw new Error(`tinykv grade --impl ${impl} wrote no JSON (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  return { report: JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as GradeReport, stdout: result.stdout, exitCode: result.exitCode ?? -1, dir };
}

function summary(report: GradeReport): Record<string, string> {
  return Object.fromEntries(report.stages.map((stage) => [stage.stage, `${stage.score}/${stage.max_score} ${stage.status}`]));
}

test('the reference scores 100% on every stage, public and hidden tests, every seeded test under 20 seeds, with no kit problems', async () => {
  const { report, exitCode, dir } = await gradeAll('reference', ['--seeds', '20']);
  expect(report.seeds).toBe(20);
  expect(exitCode).toBe(0);
  const gradescope = JSON.parse(fs.readFileSync(path.join(dir, 'results.json'), 'utf8')) as { score: number; max_score: number };
  expect(gradescope.score).toBe(report.max_score);
  expect(fs.readFileSync(path.join(dir, 'junit.xml'), 'utf8')).toContain('failures="0" errors="0"');
  expect(report.stages.map((stage) => stage.stage)).toEqual(STAGES.map((stage) => stage.id));
  const failures = report.stages.flatMap((stage) => stage.tests.filter((t) => t.status !== 'passed').map((t) => `${stage.stage}: ${t.name}: ${t.message ?? t.status}`));
  expect(failures).toEqual([]);
  expect(summary(report)).toEqual(Object.fromEntries(report.stages.map((stage) => [stage.stage, `${stage.max_score}/${stage.max_score} passed`])));
  expect(report.stages.flatMap((stage) => stage.kitProblems)).toEqual([]);
  for (const stage of report.stages) {
    expect(stage.max_score).toBeGreaterThan(0);
    expect(stage.tests.some((t) => t.hidden)).toBe(true); // the instructor edition grades hidden tests too
  }
});

function tinykv(...args: string[]) {
  return execa(process.execPath, [kitPath('bin/tinykv.js'), ...args], { reject: false, env: { FORCE_COLOR: '0' } });
}

test('grade --fail-under turns a low score into exit 1 and still prints the table', async () => {
  const result = await tinykv('grade', '1', '--fail-under', '50');
  expect(result.exitCode).toBe(1);
  expect(result.stdout).toContain('Stage 1:');
  expect(result.stderr).toContain('below --fail-under 50%');
});

test('test exits non-zero when the stage fails, as make users expect', async () => {
  const result = await tinykv('test', '1', '--no-typecheck');
  expect(result.exitCode).not.toBe(0);
  expect(result.stderr).toContain('Not implemented (1)');
});

test('the stubs score 0 on every stage, and the table says so plainly', async () => {
  const { report, stdout, exitCode } = await gradeAll('labs');
  expect(exitCode).toBe(0); // grading completed: a low score is not a command failure
  const passing = report.stages.flatMap((stage) => stage.tests.filter((t) => t.status === 'passed').map((t) => `${stage.stage}: ${t.name}`));
  expect(passing).toEqual([]);
  expect(report.score).toBe(0);
  // An honest zero, not a crash: every stage ran to the end and its tests met the stubs' own
  // "Not implemented" errors (messages are capped per stage, so not every test keeps its text).
  expect(report.stages.map((stage) => [stage.stage, stage.status, stage.tests.some((t) => /Not implemented/.test(t.message ?? ''))])).toEqual(
    STAGES.map((stage) => [stage.id, 'failed', true]),
  );
  expect(stdout).toContain('Every stage scores 0: nothing is implemented yet');
});
