// Goal: `tinykv watch 1` reruns the stage on save, reports tests newly passing and newly failing
// with the score, and survives a syntax error mid-edit.
// Method: run the real command in a scratch copy of the kit and edit that copy's files.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KIT_ROOT, kitPath } from '../src/repo-paths';
import { diffRuns, summarizeRun } from '../src/watch-command';

jest.setTimeout(4 * 60_000);

test('diffRuns names the tests whose result changed, and nothing on the first run', () => {
  const rubric = { stage: '9', entries: ['a', 'b', 'c'].map((name) => ({ name, points: 1, hidden: false })) };
  const first = summarizeRun([rubric], [{ file: 'f', name: 'a', status: 'passed', durationMs: 1, message: '' }], []);
  expect(first.score).toBe(1);
  expect(diffRuns(undefined, first)).toEqual({ newlyPassing: [], newlyFailing: [] });
  const second = summarizeRun([rubric], ['b', 'c'].map((name) => ({ file: 'f', name, status: 'passed', durationMs: 1, message: '' })), []);
  expect(diffRuns(first, second)).toEqual({ newlyPassing: ['b', 'c'], newlyFailing: ['a'] });
});

const SKIP = new Set(['.git', '.tinykv', 'node_modules', 'docs-site']);

function copyKit(target: string): void {
  fs.cpSync(KIT_ROOT, target, { recursive: true, filter: (source) => !SKIP.has(path.basename(source)) || path.dirname(source) !== KIT_ROOT });
  fs.symlinkSync(kitPath('node_modules'), path.join(target, 'node_modules'), 'dir');
}

test('reruns on save, shows what changed, and survives a syntax error', async () => {
  const kit = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-watch-')), 'kit');
  copyKit(kit);
  const child = execa(process.execPath, [path.join(kit, 'bin', 'tinykv.js'), 'watch', '1'], { reject: false, env: { FORCE_COLOR: '0' } });
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
      if (waited > 120_000) throw new Error(`watch never showed ${what}; output so far:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
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

    fs.appendFileSync(rawApi, '\nexport const broken = ;\n');
    [run, seen] = await waitForRun(seen, (text) => text.includes('newly failing: '), 'tests newly failing');
    expect(run).toContain('failed to load');
    expect(child.exitCode).toBeNull(); // still watching after the syntax error
  } finally {
    child.kill('SIGINT');
    await child;
    fs.rmSync(path.dirname(kit), { recursive: true, force: true });
  }
});
