// Goal: the command line fails clearly on bad input — one line, exit code 2 — and its help
// shows what works in this edition. Holds in both editions (the student edition's npm test runs
// it); grader/test/student-edition.test.ts checks the student edition's own answers.
// Method: run the real command and read its exit code and output.
import execa from 'execa';
import { isStudentEdition } from '../src/edition';
import { kitPath } from '../src/repo-paths';

jest.setTimeout(120_000);

function tinykv(...args: string[]) {
  return execa(process.execPath, [kitPath('bin/tinykv.js'), ...args], { reject: false, env: { FORCE_COLOR: '0' } });
}

test.concurrent.each([
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
  [['test', '1', '--seed', '3', '--seeds', '5'], 'Use either --seed (one seed) or --seeds'],
  [['export-student', '.'], isStudentEdition() ? 'This is already the student edition' : 'is inside the kit'],
])('tinykv %j is a usage error', async (args, message) => {
  const result = await tinykv(...(args as string[]));
  expect(result.exitCode).toBe(2);
  expect(result.stderr.split('\n')[0]).toContain(message);
  expect(result.stdout).toBe('');
});

test.concurrent('stages lists every registry stage with its handout', async () => {
  const result = await tinykv('stages');
  expect(result.exitCode).toBe(0);
  expect(result.stdout).toMatch(/^1\s+Standalone storage/m);
});

test.concurrent('--help lists the commands, and the instructor options only where the reference is', async () => {
  const top = await tinykv('--help');
  expect(top.exitCode).toBe(0);
  for (const command of ['grade', 'test', 'watch', 'replay', 'stages']) expect(top.stdout).toContain(`  ${command} `);
  const gradeHelp = await tinykv('grade', '--help');
  expect(gradeHelp.exitCode).toBe(0);
  const instructorOptions = ['--impl', '--reference', '--hidden-visibility'];
  for (const option of instructorOptions) expect([option, gradeHelp.stdout.includes(option)]).toEqual([option, !isStudentEdition()]);
});
