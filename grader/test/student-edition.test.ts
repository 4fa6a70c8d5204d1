// Goal: the exported student edition is complete and clean — it installs, type-checks, runs
// `make project1` (failing on the stubs, as it should), grades, and contains no solution text,
// hidden test or instructor note.
// Method: export into a temporary folder, install it from the npm cache, and use it as a
// student would; compare its text against the reference files line by line.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kitPath } from '../src/repo-paths';

jest.setTimeout(10 * 60_000);

function filesUnder(dir: string, skip = new Set(['node_modules'])): string[] {
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

beforeAll(async () => {
  edition = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-student-')), 'kit');
  const result = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'export-student', edition], { reject: false });
  if (result.exitCode !== 0) throw new Error(`export-student failed:\n${result.stderr}`);
});

afterAll(() => fs.rmSync(path.dirname(edition), { recursive: true, force: true }));

test('holds no solutions, hidden tests, mutants or instructor notes', () => {
  for (const gone of ['reference', 'grader/hidden', 'grader/mutants', 'docs/instructors.md', 'grader/test/kit-promises.test.ts']) {
    expect([gone, fs.existsSync(path.join(edition, gone))]).toEqual([gone, false]);
  }
  const readme = fs.readFileSync(path.join(edition, 'README.md'), 'utf8');
  expect(readme).not.toContain('instructors-only');
  expect(readme).not.toContain('reference solutions');
  expect(readme).toContain('npx tinykv grade');
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

test('installs, type-checks, runs make project1 (failing on the stubs) and grades', async () => {
  const install = await execa('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund'], { cwd: edition, reject: false });
  expect({ exitCode: install.exitCode, stderr: install.exitCode === 0 ? '' : install.stderr }).toEqual({ exitCode: 0, stderr: '' });
  const typecheck = await execa('npx', ['tsc', '-p', '.'], { cwd: edition, reject: false });
  expect({ exitCode: typecheck.exitCode, stdout: typecheck.stdout }).toEqual({ exitCode: 0, stdout: '' });
  const make = await execa('make', ['project1'], { cwd: edition, reject: false, env: { FORCE_COLOR: '0' } });
  expect(make.exitCode).not.toBe(0);
  expect(make.stderr).toContain('Not implemented (1)');
  const graded = await execa('npx', ['tinykv', 'grade', '1'], { cwd: edition, reject: false, env: { FORCE_COLOR: '0' } });
  expect(graded.exitCode).toBe(0);
  expect(graded.stdout).toMatch(/1\s+│ Standalone storage and the raw API │ 0\/\d+/);
  expect(graded.stdout).not.toContain('(hidden)');
});
