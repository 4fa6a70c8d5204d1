// Goal: a graded stage run is contained. Its code reads nothing but its own workspace, the
// read-only dependencies and its scratch folder (not the kit, not reference/, not the tree with
// every stage's hidden tests, not another run); writes nothing but its scratch folder; starts no
// process; cannot open jest's realm from a core function; sees none of the grader's environment;
// and, when the grader is root, runs as an unprivileged user. Killing its parent, or every
// process it may, ends its run and nothing else, and nothing of it is left running.
// Method: prepare real runs (sandbox-run.ts) from a small fixture tree and run fixture tests
// that try each way out; each such test passes when the way is closed.
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { precompileTree } from '../src/precompile';
import { readOnlyDependencies } from '../src/read-only-dependencies';
import { kitPath } from '../src/repo-paths';
import { sandboxHome, searchableByEveryone } from '../src/sandbox-home';
import { prepareSandboxRun } from '../src/sandbox-run';
import { sandboxUsersAvailable } from '../src/sandbox-user';
import { runStageProcess, type StageProcessResult } from '../src/stage-process';
import type { StageDefinition } from '../src/stages';
import { fixtureTestPath, fixtureWorkspace } from './fixture-workspace';
import { processesMentioning } from './processes-mentioning';

jest.setTimeout(180_000);

const roots: string[] = [];
afterAll(() => {
  for (const dir of roots) fs.rmSync(dir, { recursive: true, force: true });
});

/** Runs `fixture` as the public part of a pretend stage 9, contained as a grade runs it. */
async function containedRun(fixture: string, prepare: (tree: string, root: string) => void = () => undefined): Promise<{ result: StageProcessResult; root: string }> {
  const tree = fixtureWorkspace([fixture]);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-sandbox-test-'));
  roots.push(tree, root);
  fs.chmodSync(root, 0o755); // a sandbox user must be able to walk into its run's folder
  prepare(tree, root);
  const stage = { id: '9', tag: '9', title: 'fixture', handout: 'README.md', tests: [fixtureTestPath(fixture)], hiddenDir: 'grader/hidden/9', editable: [], buildsOn: [], timeLimitSeconds: 60, memoryLimitMb: 512 } as StageDefinition;
  const precompiled = precompileTree(tree, path.join(root, 'compiled'));
  const run = prepareSandboxRun(stage, 'public', tree, path.join(root, 'runs', '9-public'), readOnlyDependencies(), precompiled);
  try {
    const result = await runStageProcess({ workspace: run.workspace, testFiles: run.testFiles, timeLimitSeconds: 120, memoryLimitMb: 512, containment: run.containment });
    return { result, root };
  } finally {
    run.release();
  }
}

function statuses(result: StageProcessResult): Record<string, string> {
  return Object.fromEntries(result.tests.map((test) => [test.name, test.status === 'passed' ? 'passed' : `${test.status}: ${test.message.split('\n').slice(0, 3).join(' ')}`]));
}

test('every way out of a contained run is closed', async () => {
  const secretVariable = `TINYKV_TEST_SECRET_${crypto.randomBytes(4).toString('hex')}`;
  process.env[secretVariable] = 'the grader environment';
  const canary = kitPath(`.tinykv/sandbox-canary-${process.pid}.txt`);
  fs.mkdirSync(path.dirname(canary), { recursive: true }); // a fresh clone has no .tinykv yet
  fs.writeFileSync(canary, 'unchanged');
  try {
    const { result } = await containedRun('escapes-containment.test.ts', (tree, root) => {
      const sibling = path.join(root, 'runs', '9-hidden', 'workspace');
      fs.mkdirSync(sibling, { recursive: true });
      fs.writeFileSync(path.join(sibling, 'secret.txt'), 'another run');
      const deps = readOnlyDependencies();
      const targets = {
        readable: {
          "the kit's reference solutions": kitPath('reference'),
          "the kit's hidden tests": kitPath('grader/hidden'),
          'the kit itself': kitPath('.'),
          'the tree every run is copied from': path.join(tree, 'labs'),
          "another run's workspace": path.join(sibling, 'secret.txt'),
          "the grader's compiled outputs": path.join(root, 'compiled'),
          'the environment of its own process': '/proc/self/environ',
        },
        writable: {
          'a file of the kit': canary,
          "the dependencies' jest": path.join(deps, 'node_modules', 'jest', 'package.json'),
          "another run's workspace": path.join(sibling, 'secret.txt'),
        },
        graderSecretVariable: secretVariable,
        root: sandboxUsersAvailable(),
      };
      fs.writeFileSync(path.join(tree, 'labs', 'fixture', 'test', 'targets.json'), JSON.stringify(targets));
    });
    expect(result.ending).toEqual({ kind: 'completed' });
    const outcome = statuses(result);
    expect(Object.keys(outcome).length).toBeGreaterThanOrEqual(17);
    expect(Object.entries(outcome).filter(([, status]) => status !== 'passed')).toEqual([]);
    expect(fs.readFileSync(canary, 'utf8')).toBe('unchanged');
    expect(processesMentioning('tinykv-escaped-child')).toEqual([]);
  } finally {
    delete process.env[secretVariable];
    fs.rmSync(canary, { force: true });
  }
});

test('killing its parent ends the run, keeps the results reached, and leaves nothing running', async () => {
  const { result, root } = await containedRun('kills-its-parent.test.ts');
  expect(result.ending).toMatchObject({ kind: 'exited-early', signal: 'SIGKILL' });
  expect(statuses(result)).toEqual({ '[9] before the kill': 'passed' });
  expect(processesMentioning(root)).toEqual([]);
});

(sandboxUsersAvailable() ? test : test.skip)('as root: signalling every process it may reaches only its own run', async () => {
  const { result, root } = await containedRun('kills-everything.test.ts');
  // kill(-1) spares its caller, so jest may report the killing test before its guard's end stops it.
  expect(result.ending.kind).toBe('exited-early');
  expect(statuses(result)['[9] before the kill']).toBe('passed');
  expect(processesMentioning(root)).toEqual([]);
});

test('junk flooding the results channel stops the run at the channel limit', async () => {
  const started = process.hrtime.bigint();
  const { result } = await containedRun('floods-results.test.ts');
  expect(result.ending).toEqual({ kind: 'flooded', limitBytes: 16 * 1024 * 1024 });
  expect(statuses(result)).toEqual({ '[9] before the flood': 'passed' });
  expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(120);
});

test('a folder another user cannot pass through is recognised, so runs are kept where their users can reach them', () => {
  const closed = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-closed-'));
  roots.push(closed);
  const inside = path.join(closed, 'kit', '.tinykv');
  expect({ closed: searchableByEveryone(inside) }).toEqual({ closed: false }); // mkdtemp makes it 0700
  fs.chmodSync(closed, 0o711);
  expect({ opened: searchableByEveryone(inside) }).toEqual({ opened: true });
  // The home the grader uses is always one its runs' users can reach.
  expect({ home: searchableByEveryone(sandboxHome()) || !sandboxUsersAvailable() }).toEqual({ home: true });
});
