// Goal: the grader survives what a broken stage does — a hang, an early process.exit, a throw
// at import, unbounded memory, a never-settling promise — and keeps the results reached before.
// Method: run real jest processes on fixture test files and inspect what runStageProcess returns.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { scoreStage } from '../src/score-stage';
import { runStageProcess, type StageProcessResult } from '../src/stage-process';
import { fixtureTestPath, fixtureWorkspace } from './fixture-workspace';

// Each case starts a real jest process; the hang case waits out its time limit.
jest.setTimeout(120_000);

const workspaces: string[] = [];
afterAll(() => {
  for (const dir of workspaces) fs.rmSync(dir, { recursive: true, force: true });
});

async function run(fixture: string, limits: { timeLimitSeconds?: number; memoryLimitMb?: number } = {}): Promise<StageProcessResult> {
  const workspace = fixtureWorkspace([fixture]);
  workspaces.push(workspace);
  return runStageProcess({
    workspace,
    testFiles: [fixtureTestPath(fixture)],
    timeLimitSeconds: limits.timeLimitSeconds ?? 60,
    memoryLimitMb: limits.memoryLimitMb ?? 512,
  });
}

function statuses(result: StageProcessResult): Record<string, string> {
  return Object.fromEntries(result.tests.map((test) => [test.name, test.status]));
}

test('reports every test of a stage that completes, with failure messages', async () => {
  const result = await run('passing-and-failing.test.ts');
  expect(result.ending).toEqual({ kind: 'completed' });
  expect(statuses(result)).toEqual({
    '[9] adds': 'passed',
    '[9] fails on purpose': 'failed',
    'group [9] nested passes': 'passed',
  });
  const failure = result.tests.find((test) => test.status === 'failed')!;
  expect(failure.message).toContain('Expected: 3');
  expect(failure.message).not.toMatch(/\u001b\[/); // no colour codes in reports
});

test('kills a stage that hangs at its time limit and keeps the tests that finished', async () => {
  const result = await run('hangs.test.ts', { timeLimitSeconds: 8 });
  expect(result.ending).toEqual({ kind: 'timeout', limitSeconds: 8 });
  expect(statuses(result)).toEqual({ '[9] before the hang': 'passed' });
});

test('notices a process.exit in the middle of a test and keeps earlier results', async () => {
  const result = await run('exits-early.test.ts');
  expect(result.ending.kind).toBe('exited-early');
  expect(statuses(result)['[9] before the exit']).toBe('passed');
  expect(statuses(result)['[9] after the exit']).toBeUndefined();
});

test('reports a test file that throws at import as a file error with no tests', async () => {
  const result = await run('throws-at-import.test.ts');
  expect(result.tests).toEqual([]);
  expect(result.fileErrors).toHaveLength(1);
  expect(result.fileErrors[0].error).toContain('boom at import');
});

test('stops a stage that exhausts its heap limit and says so', async () => {
  const result = await run('eats-memory.test.ts', { memoryLimitMb: 96 });
  expect(result.ending).toEqual({ kind: 'out-of-memory', limitMb: 96 });
  expect(statuses(result)['[9] before the allocation']).toBe('passed');
});

test('a never-settling promise fails its own test by timeout and the rest still runs', async () => {
  const result = await run('never-settles.test.ts');
  expect(result.ending).toEqual({ kind: 'completed' });
  expect(statuses(result)).toEqual({ '[9] waits forever': 'failed', '[9] runs after the stuck one': 'passed' });
});

test('a test that replaces expect fails, and so does every later test of its file', async () => {
  const result = await run('patches-expect.test.ts');
  expect(result.ending).toEqual({ kind: 'completed' });
  expect(statuses(result)).toEqual({
    '[9] honest test before the patch': 'passed',
    '[9] patches the global expect': 'failed',
    '[9] runs with the fake expect': 'failed',
  });
  expect(result.tests[1].message).toContain('TINYKV-TAMPER');
});

test('a test that overrides a matcher through expect.extend fails', async () => {
  const result = await run('extends-matchers.test.ts');
  expect(statuses(result)).toEqual({ '[9] overrides toEqual': 'failed' });
  expect(result.tests[0].message).toContain('the matcher toEqual was replaced');
});

test('result lines the code under test writes itself are not believed', async () => {
  const result = await run('forges-results.test.ts');
  expect(result.forgedLines).toBe(2);
  expect(statuses(result)).toEqual({ '[9] forges results': 'passed', '[9] honest after the forgery': 'passed' });
});

test('a jest that cannot start (a root folder missing) is a crash whose reason quotes jest', async () => {
  const workspace = fixtureWorkspace(['passing-and-failing.test.ts']);
  workspaces.push(workspace);
  const config = path.join(workspace, 'jest.config.js');
  fs.writeFileSync(config, `${fs.readFileSync(config, 'utf8')}\nmodule.exports.roots = ['<rootDir>/labs', '<rootDir>/grader'];\n`);
  const result = await runStageProcess({
    workspace,
    testFiles: [fixtureTestPath('passing-and-failing.test.ts')],
    timeLimitSeconds: 60,
    memoryLimitMb: 512,
  });
  expect(result.ending.kind).toBe('exited-early');
  const scored = scoreStage({ stage: '9', entries: [{ name: '[9] adds', points: 1, hidden: false }] }, result);
  expect(scored.status).toBe('crashed');
  expect(scored.reason).toMatch(/grader in the roots\[1\] option was not found/);
});
