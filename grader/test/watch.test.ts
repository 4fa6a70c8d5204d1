// Goal: `tinykv watch 1` reruns the stage on save, reports tests newly passing and newly failing
// (each with its first failure line and the command that replays it) with the score, shows a
// type error instead of a pass count (grading would score it 0), and survives a syntax error.
// Method: run the real command in a scratch copy of the kit and edit that copy's files.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KIT_ROOT, kitPath } from '../src/repo-paths';
import { diffRuns, firstFailureLine, replayLine, summarizeRun } from '../src/watch-command';

jest.setTimeout(10 * 60_000);

test('diffRuns names the tests whose result changed, and nothing on the first run', () => {
  const rubric = { stage: '9', entries: ['a', 'b', 'c'].map((name) => ({ name, points: 1, hidden: false })) };
  const first = summarizeRun([rubric], [{ file: 'f', name: 'a', status: 'passed', durationMs: 1, message: '' }], []);
  expect(first.score).toBe(1);
  expect(diffRuns(undefined, first)).toEqual({ newlyPassing: [], newlyFailing: [] });
  const second = summarizeRun([rubric], ['b', 'c'].map((name) => ({ file: 'f', name, status: 'passed', durationMs: 1, message: '' })), []);
  expect(diffRuns(first, second)).toEqual({ newlyPassing: ['b', 'c'], newlyFailing: ['a'] });
});

test('a failure is shown by its first telling line and the command that replays it, under its seed', () => {
  const seeded = 'SeedFailure: Failed under seeds 4, 9 (2 of 20 run).\nReplay the first with: npx tinykv test 2aa --seed 4 --test "x"\n\nexpected one leader in term 3, found 2\n    at f (a.ts:1:1)';
  expect(firstFailureLine(seeded)).toBe('expected one leader in term 3, found 2');
  expect(replayLine('[2AA] elections [2AA] one "leader"', seeded)).toBe('npx tinykv test 2aa --seed 4 --test "[2AA] elections [2AA] one \\"leader\\""');
  expect(firstFailureLine('\nError: expect(received).toBe(expected)\n\nExpected: 1')).toBe('Error: expect(received).toBe(expected)');
  expect(replayLine('[1] raw API [1] rawGet works', 'Error: boom')).toBe('npx tinykv test 1 --test "[1] raw API [1] rawGet works"');
});

const SKIP = new Set(['.git', '.tinykv', 'node_modules', 'docs-site']);

function copyKit(target: string): void {
  fs.cpSync(KIT_ROOT, target, { recursive: true, filter: (source) => !SKIP.has(path.basename(source)) || path.dirname(source) !== KIT_ROOT });
  fs.symlinkSync(kitPath('node_modules'), path.join(target, 'node_modules'), 'dir');
}

test('reruns on save, shows what changed, shows a type error instead of a pass count, and survives a syntax error', async () => {
  const kit = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-watch-')), 'kit');
  copyKit(kit);
  const child = execa(process.execPath, [path.join(kit, 'bin', 'tinykv.js'), 'watch', '1'], { reject: false, env: { NO_COLOR: '1', FORCE_COLOR: '0' } });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  /** The text of every finished run, in order. */
  const finishedRuns = () => output.split('— running').slice(1).filter((run) => run.includes('save a file to rerun'));
  /** Waits for a run after the first `after` runs that satisfies `wanted`; returns its text and the count so far. */
  const waitForRun = async (after: number, wanted: (run: string) => boolean, what: string): Promise<[string, number]> => {
    for (let waited = 0; ; waited += 100) {
      const runs = finishedRuns();
      const found = runs.slice(after).find(wanted);
      if (found !== undefined) return [found, runs.length];
      if (waited > 240_000) throw new Error(`watch never showed ${what}; output so far:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100)); // real-time: polling a real process
    }
  };
  try {
    let [run, seen] = await waitForRun(0, () => true, 'a first run');
    expect(run).toMatch(/0\/\d+ tests passing, 0\/\d+ points/);

    const storage = 'labs/1-standalone/src/standalone-storage.ts';
    fs.copyFileSync(kitPath(`reference/${storage.slice('labs/'.length)}`), path.join(kit, storage));
    [run, seen] = await waitForRun(seen, (text) => text.includes('newly passing: '), 'tests newly passing');

    const rawApi = path.join(kit, 'labs/1-standalone/src/raw-api.ts');
    fs.copyFileSync(kitPath('reference/1-standalone/src/raw-api.ts'), rawApi);
    [run, seen] = await waitForRun(seen, (text) => /(\d+)\/\1 tests passing/.test(text), 'every test passing');

    const solvedRawApi = fs.readFileSync(rawApi, 'utf8');
    fs.appendFileSync(rawApi, "\nexport const wrong: number = 'a string';\n");
    [run, seen] = await waitForRun(seen, (text) => text.includes('does not type-check'), 'the type error');
    expect(run).toContain('the grader would score stage 1 0');
    expect(run).toContain('labs/1-standalone/src/raw-api.ts');
    expect(run).not.toMatch(/tests passing/);

    fs.writeFileSync(rawApi, `${solvedRawApi}\nexport const broken = ;\n`);
    [run, seen] = await waitForRun(seen, (text) => text.includes('does not type-check') && text.includes('TS1109'), 'the syntax error');
    expect(child.exitCode).toBeNull(); // still watching after the syntax error

    fs.copyFileSync(kitPath('labs/1-standalone/src/raw-api.ts'), rawApi); // back to the stub
    [run, seen] = await waitForRun(seen, (text) => text.includes('newly failing: '), 'tests newly failing');
    expect(run).toMatch(/newly failing: [^\n]*\[1\][^\n]*\n\s+NotImplementedError: Not implemented \(1\)[^\n]*\n\s+replay: npx tinykv test 1 --test "[^"\n]*\[1\]/);
  } finally {
    child.kill('SIGINT');
    await child;
    fs.rmSync(path.dirname(kit), { recursive: true, force: true });
  }
});
