// Goal: the exported student edition is the product, and works as one. It holds no solution
// text, hidden test or instructor note and advises nothing only the instructor edition has; it
// installs; `npx tinykv grade` there gives solved stages exactly their public points, unsolved
// ones 0, and a stage that crashes `crashed` with its reason; `--reference` answers with one
// clear line; and every command its README shows runs there.
// Method: export into a temporary folder and install it from the npm cache; check its text
// against the reference files; then copy the reference solutions of stages 1 and 2A into it
// (read from this kit's reference/), make stage 4C's stub call process.exit at import, and use
// the edition as a student would. `npm test` inside the edition runs in CI (.ci/run): it is
// too slow for this file.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GradeReport } from '../src/grade';
import { kitPath } from '../src/repo-paths';
import { STAGES } from '../src/stages';
import { referenceTwin } from '../src/workspace';

jest.setTimeout(10 * 60_000);

function filesUnder(dir: string, skip = new Set(['node_modules', '.tinykv'])): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (skip.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full, skip) : [full];
  });
}

/** The lines that carry code: trimmed, non-empty, not comments or imports. */
function significantLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 4 && !line.startsWith('//') && !line.startsWith('*') && !line.startsWith('/*') && !line.startsWith('import '));
}

const WINDOW = 4;

/** Every run of WINDOW consecutive significant lines of a text, joined: a fingerprint of its code. */
function windows(text: string): string[] {
  const lines = significantLines(text);
  const out: string[] = [];
  for (let i = 0; i + WINDOW <= lines.length; i++) out.push(lines.slice(i, i + WINDOW).join('\n'));
  return out;
}

/** Fingerprints of the solutions: runs of reference code that its stub twin does not also contain. */
function solutionWindows(): string[] {
  const found = new Set<string>();
  for (const file of filesUnder(kitPath('reference'))) {
    const twin = kitPath(`labs/${path.relative(kitPath('reference'), file)}`);
    const shared = new Set(fs.existsSync(twin) ? windows(fs.readFileSync(twin, 'utf8')) : []);
    for (const window of windows(fs.readFileSync(file, 'utf8'))) if (!shared.has(window)) found.add(window);
  }
  return [...found];
}

let edition: string;

/** Runs a command in the edition as a student's shell would, without colours (NO_COLOR for picocolors, FORCE_COLOR=0 for jest). */
function inEdition(command: string, args: readonly string[], options: execa.Options = {}) {
  return execa(command, args, { cwd: edition, reject: false, env: { NO_COLOR: '1', FORCE_COLOR: '0' }, ...options });
}

/** The public points of a stage: the sum of its rubric in the edition. */
function publicPoints(stageId: string): number {
  const rubric = JSON.parse(fs.readFileSync(path.join(edition, 'grader', 'rubric', `${stageId}.json`), 'utf8')) as { tests: Record<string, number> };
  return Object.values(rubric.tests).reduce((sum, points) => sum + points, 0);
}

function stage(id: string) {
  return STAGES.find((candidate) => candidate.id === id)!;
}

beforeAll(async () => {
  edition = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-student-')), 'kit');
  const exported = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'export-student', edition], { reject: false });
  if (exported.exitCode !== 0) throw new Error(`export-student failed:\n${exported.stderr}`);
  const install = await inEdition('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund']);
  if (install.exitCode !== 0) throw new Error(`npm ci failed in the student edition:\n${install.stderr}`);
  // Every install script is settled by allowScripts in package.json (see README): npm has nothing to ask.
  expect(install.stderr).not.toContain('install-scripts');
});

afterAll(() => fs.rmSync(path.dirname(edition), { recursive: true, force: true }));

test('holds no solutions, hidden tests, mutants or instructor notes', () => {
  for (const gone of ['reference', 'grader/hidden', 'grader/mutants', 'docs/instructors.md', 'grader/test/kit-promises.test.ts', 'grader/test/mutants.test.ts']) {
    expect([gone, fs.existsSync(path.join(edition, gone))]).toEqual([gone, false]);
  }
  for (const kept of ['labs/1-standalone/README.md', 'labs/1-standalone/src/raw-api.ts', 'Makefile', 'package-lock.json', 'grader/rubric/1.json']) {
    expect([kept, fs.existsSync(path.join(edition, kept))]).toEqual([kept, true]);
  }
});

test('contains no solution text: no run of four reference code lines appears anywhere', () => {
  const solution = new Set(solutionWindows());
  expect(solution.size).toBeGreaterThan(100); // the comparison has something to find
  const leaks: string[] = [];
  for (const file of filesUnder(edition)) {
    for (const window of windows(fs.readFileSync(file, 'utf8'))) {
      if (solution.has(window)) leaks.push(`${path.relative(edition, file)}:\n${window}`);
    }
  }
  expect(leaks.slice(0, 5)).toEqual([]);
});

test('its README and students guide advise nothing that only the instructor edition has', () => {
  for (const file of ['README.md', 'docs/students.md']) {
    const text = fs.readFileSync(path.join(edition, file), 'utf8');
    for (const instructorOnly of ['instructors-only', 'reference solutions', '--reference', '--impl', 'reference/', 'hidden test', 'mutants']) {
      expect([file, instructorOnly, text.includes(instructorOnly)]).toEqual([file, instructorOnly, false]);
    }
  }
  expect(fs.readFileSync(path.join(edition, 'README.md'), 'utf8')).toContain('npx tinykv grade');
});

test('--reference and --impl reference answer with one clear line and exit 2', async () => {
  const attempts = [
    [process.execPath, ['bin/tinykv.js', 'test', '2b', '--reference', '2a']],
    [process.execPath, ['bin/tinykv.js', 'grade', '--impl', 'reference']],
    [process.execPath, ['bin/tinykv.js', 'replay', '1', 'x', '--seed', '1', '--impl', 'reference']],
  ] as const;
  for (const [command, args] of attempts) {
    const result = await inEdition(command, args);
    expect({ args, exitCode: result.exitCode, stderr: result.stderr.trim(), stdout: result.stdout }).toEqual({
      args,
      exitCode: 2,
      stderr: expect.stringMatching(/^error: The reference solutions are not shipped with the student edition[^\n]*$/),
      stdout: '',
    });
  }
});

test('--help shows only what works in the student edition', async () => {
  const top = await inEdition('npx', ['tinykv', '--help']);
  expect(top.exitCode).toBe(0);
  for (const command of ['grade', 'test', 'watch', 'replay', 'stages']) expect(top.stdout).toContain(`  ${command} `);
  for (const hidden of ['export-student', 'mutants']) expect([hidden, top.stdout.includes(hidden)]).toEqual([hidden, false]);
  for (const command of ['grade', 'test', 'replay']) {
    const help = await inEdition(process.execPath, ['bin/tinykv.js', command, '--help']);
    for (const option of ['--impl', '--reference', '--hidden']) expect([command, option, help.stdout.includes(option)]).toEqual([command, option, false]);
  }
});

describe('with stages 1 and 2A solved and stage 4C calling process.exit at import', () => {
  beforeAll(() => {
    for (const solved of [stage('1'), stage('2aa')]) {
      for (const file of solved.editable) fs.copyFileSync(kitPath(referenceTwin(file)), path.join(edition, file));
    }
    fs.appendFileSync(path.join(edition, 'labs/4-txn/src/scanner.ts'), '\nprocess.exit(3);\n');
  });

  test('npx tinykv grade gives the solved stages their public points, the unsolved ones 0, and says why 4C crashed', async () => {
    const json = path.join(edition, 'grade.json');
    const gradescope = path.join(edition, 'results.json');
    const graded = await inEdition('npx', ['tinykv', 'grade', '1', '2aa', '4a', '4c', '--json', json, '--gradescope', gradescope]);
    expect({ exitCode: graded.exitCode, stderr: graded.exitCode === 0 ? '' : graded.stderr }).toEqual({ exitCode: 0, stderr: '' });
    const report = JSON.parse(fs.readFileSync(json, 'utf8')) as GradeReport;
    const summary = Object.fromEntries(report.stages.map((entry) => [entry.stage, `${entry.score}/${entry.max_score} ${entry.status}`]));
    const full = (id: string) => `${publicPoints(id)}/${publicPoints(id)} passed`;
    expect(summary).toEqual({
      '1': full('1'),
      '2aa': full('2aa'),
      '4a': `0/${publicPoints('4a')} failed`,
      '4c': `0/${publicPoints('4c')} crashed`,
    });
    const crashed = report.stages.find((entry) => entry.stage === '4c')!;
    expect(crashed.reason).toContain('process.exit(3)');
    expect(crashed.reason).toContain('process.exit called with "3"'); // jest's own words, from its stderr
    expect(crashed.reason).toContain('labs/4-txn/src/scanner.ts');
    expect(graded.stdout).toContain('4C: KvScan');
    expect(graded.stdout).toMatch(/Stage 4C: [^\n]*CRASHED\n[^\n]*process\.exit\(3\)/);
    expect(graded.stdout).toContain('1 stage did not end normally (4c crashed): its reason is printed above');
    expect(graded.stdout).not.toContain('nothing is implemented');
    expect(graded.stdout).not.toContain('(hidden)');
    const results = JSON.parse(fs.readFileSync(gradescope, 'utf8')) as { score: number; output: string; tests: { number: string; output: string }[] };
    expect(results.score).toBe(report.score);
    expect(results.output).toMatch(/Stage 4c [^\n]*crashed — [^\n]*process\.exit\(3\)[\s\S]*process\.exit called with "3"/);
    for (const test of results.tests.filter((entry) => entry.number === '4c')) expect(test.output).toContain('process.exit called with "3"');
  });

  test('make project1, npm run project1 and npx tinykv test 1 pass on the solved stage', async () => {
    for (const [command, args] of [['make', ['project1']], ['npm', ['run', 'project1']], ['npx', ['tinykv', 'test', '1']]] as const) {
      const result = await inEdition(command, args);
      expect({ command, args, exitCode: result.exitCode, output: result.exitCode === 0 ? '' : `${result.stdout}\n${result.stderr}` }).toEqual({ command, args, exitCode: 0, output: '' });
      expect(result.stderr).toMatch(/Tests:\s+\d+ passed, \d+ total/);
    }
  });

  test('npx tinykv test 2aa --seeds 3 says how many seeds ran and that none failed', async () => {
    const result = await inEdition('npx', ['tinykv', 'test', '2aa', '--seeds', '3']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('Seeds: every seeded test ran under seeds 1..3.');
    expect(result.stderr).toContain('No seeded test failed under any of them.');
  });

  test('replay and test --test print the replayed test alone, under its seed', async () => {
    const rubric = JSON.parse(fs.readFileSync(path.join(edition, 'grader/rubric/2aa.json'), 'utf8')) as { tests: Record<string, number> };
    const name = Object.keys(rubric.tests).find((candidate) => candidate.includes('split vote'))!;
    expect(name).toBeDefined();
    for (const args of [['tinykv', 'replay', '2aa', name, '--seed', '7'], ['tinykv', 'test', '2aa', '--seed', '7', '--test', name]]) {
      const result = await inEdition('npx', args);
      expect({ args, exitCode: result.exitCode }).toEqual({ args, exitCode: 0 });
      const listed = result.stderr.split('\n').filter((line) => /^\s+[✓✕○]/.test(line));
      expect(listed).toHaveLength(1);
      expect(listed[0]).toContain('split vote');
      expect(result.stderr).toMatch(/Tests:\s+\d+ skipped, 1 passed/);
    }
  });

  test('npx tinykv stages lists the stages', async () => {
    const result = await inEdition('npx', ['tinykv', 'stages']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^1\s+Standalone storage/m);
  });

  test('npx tinykv watch 1 shows every test passing, then stops on Ctrl-C', async () => {
    // Its own process group, so that Ctrl-C reaches the command under npx as it would in a terminal.
    const child = inEdition('npx', ['tinykv', 'watch', '1'], { detached: true });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    try {
      for (let waited = 0; !output.includes('save a file to rerun'); waited += 100) {
        if (waited > 180_000) throw new Error(`watch never finished its first run; output so far:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 100)); // real-time: polling a real process
      }
      expect(output).toMatch(/(\d+)\/\1 tests passing, (\d+)\/\2 points/);
    } finally {
      process.kill(-child.pid!, 'SIGINT');
      await child;
    }
  });
});
