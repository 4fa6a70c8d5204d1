// Goal: the command line fails clearly on bad input — one line, exit code 2 — and `grade`
// exits 0 whatever the score unless --fail-under asks otherwise.
import execa from 'execa';
import { kitPath } from '../src/repo-paths';

jest.setTimeout(120_000);

function tinykv(...args: string[]) {
  return execa(process.execPath, [kitPath('bin/tinykv.js'), ...args], { reject: false, env: { FORCE_COLOR: '0' } });
}

test.each([
  [['grade', '9z'], 'Unknown stage "9z"'],
  [['grade', '--bogus'], "unknown option '--bogus'"],
  [['grade', '--impl', 'mine'], "argument 'mine' is invalid"],
  [['grade', '--seeds', 'many'], '--seeds must be a whole number'],
  [['grade', '--fail-under', '200'], '--fail-under must be a percentage'],
  [['test'], "missing required argument 'stages'"],
  [['test', '1', '--test', 'a', '-t', 'b'], 'Use either --test or --test-name-pattern'],
  [['frobnicate'], "unknown command 'frobnicate'"],
  [['replay', '1', 'no such test', '--seed', '3'], 'Stage 1 has no test named "no such test"'],
  [['replay', '1', 'x'], "required option '--seed <n>' not specified"],
  [['watch', '7z'], 'Unknown stage "7z"'],
  [['export-student', '.'], 'is inside the kit'],
])('tinykv %j is a usage error', async (args, message) => {
  const result = await tinykv(...(args as string[]));
  expect(result.exitCode).toBe(2);
  expect(result.stderr.split('\n')[0]).toContain(message);
  expect(result.stdout).toBe('');
});

test('stages lists every registry stage with its handout', async () => {
  const result = await tinykv('stages');
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/^1\s+Standalone storage/m);
});
