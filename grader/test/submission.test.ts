// Goal: the grader survives anything a submission does — the hostile-submission catalog.
// For each case the grader must finish within its limits, award no more than was earned,
// say why in the report, and keep every other stage's result.
// Method: build submissions from the reference files with one hostile change each, grade them
// with `tinykv grade --submission` (stage 1, plus stage 4a where the point is isolation), and
// read the JSON report.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GradeReport, StageReport } from '../src/grade';
import { KIT_ROOT, kitPath } from '../src/repo-paths';

jest.setTimeout(5 * 60_000);

const RAW_API = 'labs/1-standalone/src/raw-api.ts';
const STORAGE = 'labs/1-standalone/src/standalone-storage.ts';
const MVCC = 'labs/4-txn/src/mvcc-txn.ts';

type FileChange = string | Buffer | { readonly symlinkTo: string };

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-hostile-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

function reference(file: string): string {
  return fs.readFileSync(kitPath(`reference/${file.slice('labs/'.length)}`), 'utf8');
}

/** Inserts `code` as the first statement of the method whose signature line starts with `signature`. */
function inject(file: string, signature: string, code: string): string {
  const source = reference(file);
  const at = source.indexOf(signature);
  if (at < 0) throw new Error(`${signature} not found in ${file}`);
  const brace = source.indexOf('{', source.indexOf(')', at));
  return `${source.slice(0, brace + 1)}\n    ${code}\n${source.slice(brace + 1)}`;
}

/** A submission folder: the reference's editable files of stages 1 and 4a, with `changes` applied. */
function submission(name: string, changes: Record<string, FileChange | null> = {}): string {
  const dir = path.join(scratch, name);
  const files: Record<string, FileChange | null> = { [RAW_API]: reference(RAW_API), [STORAGE]: reference(STORAGE), [MVCC]: reference(MVCC), ...changes };
  for (const [file, content] of Object.entries(files)) {
    if (content === null) continue;
    const target = path.join(dir, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    if (typeof content === 'object' && !Buffer.isBuffer(content)) fs.symlinkSync(content.symlinkTo, target);
    else fs.writeFileSync(target, content);
  }
  return dir;
}

async function grade(dir: string, stages: string[] = ['1'], timeLimitSeconds = 25): Promise<{ report: GradeReport; stdout: string; stderr: string; exitCode: number }> {
  const json = path.join(dir, '..', `${path.basename(dir)}.json`);
  const result = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'grade', ...stages, '--submission', dir, '--time-limit', String(timeLimitSeconds), '--json', json], { reject: false, env: { FORCE_COLOR: '0' } });
  if (!fs.existsSync(json)) throw new Error(`no report (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  return { report: JSON.parse(fs.readFileSync(json, 'utf8')) as GradeReport, stdout: result.stdout, stderr: result.stderr, exitCode: result.exitCode ?? -1 };
}

function stage(report: GradeReport, id: string): StageReport {
  return report.stages.find((candidate) => candidate.stage === id)!;
}

function expectFullMarks(report: GradeReport, id: string): void {
  const entry = stage(report, id);
  expect({ stage: id, score: entry.score, status: entry.status }).toEqual({ stage: id, score: entry.max_score, status: 'passed' });
}

function expectPartial(entry: StageReport): void {
  expect(entry.score).toBeLessThan(entry.max_score);
  const earned = entry.tests.filter((test) => test.status === 'passed').reduce((sum, test) => sum + test.max_score, 0);
  expect(entry.score).toBe(earned); // never more than the passing tests are worth
}

test('control: the reference submitted as a submission earns full marks on both stages', async () => {
  const { report, exitCode } = await grade(submission('control'), ['1', '4a']);
  expect(exitCode).toBe(0);
  expectFullMarks(report, '1');
  expectFullMarks(report, '4a');
  expect(report.submission?.used).toEqual([STORAGE, RAW_API, MVCC]);
});

test('an infinite loop is stopped at the time limit; the other stage keeps its result', async () => {
  const { report } = await grade(submission('infinite-loop', { [RAW_API]: inject(RAW_API, 'async rawScan(', 'for (;;) { /* spin */ }') }), ['1', '4a'], 12);
  expect(stage(report, '1').status).toBe('timeout');
  expect(stage(report, '1').reason).toContain('time limit');
  expectPartial(stage(report, '1'));
  expectFullMarks(report, '4a');
});

test('a throw at import fails the tests that load the file, and says a file failed to load', async () => {
  const { report } = await grade(submission('throw-at-import', { [RAW_API]: `throw new Error('kaboom at import');\n${reference(RAW_API)}` }), ['1', '4a']);
  expectPartial(stage(report, '1'));
  expect(stage(report, '1').reason).toContain('failed to load');
  expect(stage(report, '1').reason).toContain('kaboom at import');
  expectFullMarks(report, '4a');
});

test('process.exit(0) in the middle of a test ends the stage as crashed, scored as far as it got', async () => {
  const { report } = await grade(submission('process-exit', { [RAW_API]: inject(RAW_API, 'async rawDelete(', 'process.exit(0);') }));
  expect(stage(report, '1').status).toBe('crashed');
  expect(stage(report, '1').reason).toContain('process.exit');
  expectPartial(stage(report, '1'));
});

test('a never-settling promise fails its tests by timeout without hanging the grader', async () => {
  const { report } = await grade(submission('never-settles', { [RAW_API]: inject(RAW_API, 'async rawScan(', 'await new Promise<void>(() => undefined);') }), ['1'], 12);
  expectPartial(stage(report, '1'));
  expect(['failed', 'timeout']).toContain(stage(report, '1').status);
});

test('unbounded memory growth is stopped by the heap limit', async () => {
  const { report } = await grade(submission('memory-hog', { [RAW_API]: inject(RAW_API, 'async rawPut(', 'const hoard: number[][] = []; for (;;) hoard.push(new Array(1_000_000).fill(1));') }));
  expect(stage(report, '1').status).toBe('out-of-memory');
  expectPartial(stage(report, '1'));
});

test('megabytes of console output do not disturb grading or bloat the report', async () => {
  const noise = "console.log('x'.repeat(1_000_000)); process.stdout.write('y'.repeat(1_000_000)); console.error('z'.repeat(200_000));";
  const dir = submission('noisy', { [RAW_API]: inject(RAW_API, 'async rawGet(', noise) });
  const { report, stdout } = await grade(dir);
  expectFullMarks(report, '1');
  expect(stdout.length).toBeLessThan(100_000);
  expect(fs.statSync(path.join(dir, '..', 'noisy.json')).size).toBeLessThan(200_000);
});

test('deleting test files scores the stage 0 and names the files; other stages are untouched', async () => {
  const wipe = "require('node:fs').rmSync(require('node:path').join(__dirname, '..', '..', '4-txn', 'test'), { recursive: true, force: true }); require('node:fs').rmSync(require('node:path').join(__dirname, '..', 'test', 'standalone-storage.test.ts'), { force: true });";
  const { report } = await grade(submission('deletes-tests', { [STORAGE]: `${wipe}\n${reference(STORAGE)}` }), ['1', '4a']);
  expect(stage(report, '1')).toMatchObject({ status: 'tampered', score: 0 });
  expect(stage(report, '1').reason).toContain('labs/1-standalone/test/standalone-storage.test.ts');
  expectFullMarks(report, '4a');
  expect(fs.existsSync(kitPath('labs/4-txn/test'))).toBe(true); // the kit's own files are never the ones touched
});

test('editing a test file at run time scores the stage 0', async () => {
  const edit = "require('node:fs').writeFileSync(require('node:path').join(__dirname, '..', 'test', 'raw-api.test.ts'), \"test('[1] fake', () => undefined);\");";
  const { report } = await grade(submission('edits-tests', { [STORAGE]: `${edit}\n${reference(STORAGE)}` }));
  expect(stage(report, '1')).toMatchObject({ status: 'tampered', score: 0 });
});

test('tests, harness and package.json in the submission are ignored and listed', async () => {
  const dir = submission('extra-files', {
    'labs/1-standalone/test/raw-api.test.ts': "test('[1] always passes', () => undefined);",
    'labs/common/engine/memory-engine.ts': 'export {};',
    'package.json': '{"scripts":{"test":"true"}}',
    'grader/rubric/1.json': '{"stage":"1","tests":{"[1] always passes":1000}}',
    'notes.txt': 'hello',
  });
  const { report, stdout } = await grade(dir);
  expectFullMarks(report, '1');
  expect(report.submission?.ignored).toEqual(expect.arrayContaining(['labs/1-standalone/test/raw-api.test.ts', 'package.json', 'grader/rubric/1.json', 'notes.txt']));
  expect(stdout).toContain('ignored 5 other file(s)');
});

test('replacing expect so every assertion passes earns nothing', async () => {
  const stub = fs.readFileSync(kitPath(RAW_API), 'utf8');
  const patch = "(globalThis as unknown as { expect: unknown }).expect = () => new Proxy({}, { get: () => () => undefined });";
  const { report } = await grade(submission('patches-expect', { [RAW_API]: `${patch}\n${stub}`, [STORAGE]: fs.readFileSync(kitPath(STORAGE), 'utf8') }));
  expect(stage(report, '1').score).toBe(0);
  expect(stage(report, '1').reason).toContain('changed the test framework');
});

test('patching Math.random and Date.now changes nothing: the kit never reads them', async () => {
  const patch = 'Math.random = () => 0; Date.now = () => 0;';
  const { report } = await grade(submission('patches-clock', { [RAW_API]: `${patch}\n${reference(RAW_API)}` }));
  expectFullMarks(report, '1');
});

test('patching the timers may break what the submission itself uses, but grading finishes and earns no extra', async () => {
  // lmdb renews its read transactions on a timer, so a dead setImmediate can break snapshots:
  // that is the submission's own doing and costs it those tests, nothing more.
  const patch = '(globalThis as { setTimeout: unknown }).setTimeout = () => 0; (globalThis as { setImmediate: unknown }).setImmediate = () => 0;';
  const { report } = await grade(submission('patches-timers', { [RAW_API]: `${patch}\n${reference(RAW_API)}` }), ['1', '4a']);
  expect(['passed', 'failed']).toContain(stage(report, '1').status);
  if (stage(report, '1').status === 'failed') expectPartial(stage(report, '1'));
  expectFullMarks(report, '4a');
});

test('a syntax error scores that stage 0 as a type error with the message; other stages keep theirs', async () => {
  const { report } = await grade(submission('syntax-error', { [RAW_API]: `${reference(RAW_API)}\nexport const broken = ;\n` }), ['1', '4a']);
  expect(stage(report, '1')).toMatchObject({ status: 'type-error', score: 0 });
  expect(stage(report, '1').reason).toContain('raw-api.ts');
  expectFullMarks(report, '4a');
});

test('a type error scores that stage 0 with the compiler message', async () => {
  const { report } = await grade(submission('type-error', { [STORAGE]: `${reference(STORAGE)}\nexport const wrong: number = 'text';\n` }));
  expect(stage(report, '1')).toMatchObject({ status: 'type-error', score: 0 });
  expect(stage(report, '1').reason).toContain("Type 'string' is not assignable to type 'number'");
});

test('a file that is not UTF-8 is refused and the stub is used', async () => {
  const { report } = await grade(submission('not-utf8', { [RAW_API]: Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]) }));
  expect(report.submission?.rejected).toEqual([{ file: RAW_API, reason: 'it is not valid UTF-8 text' }]);
  expectPartial(stage(report, '1'));
});

test('a symlink pointing outside the submission is refused', async () => {
  const { report } = await grade(submission('symlink', { [RAW_API]: { symlinkTo: kitPath(`reference/${RAW_API.slice('labs/'.length)}`) } }));
  expect(report.submission?.rejected).toEqual([{ file: RAW_API, reason: 'it is a symbolic link; only regular files are taken' }]);
  expectPartial(stage(report, '1'));
});

test('an enormous file is refused', async () => {
  const { report } = await grade(submission('enormous', { [RAW_API]: `${reference(RAW_API)}\n//${'x'.repeat(2 * 1024 * 1024)}\n` }));
  expect(report.submission?.rejected[0]).toMatchObject({ file: RAW_API });
  expect(report.submission?.rejected[0].reason).toContain('over the');
  expectPartial(stage(report, '1'));
});

test('result lines forged by the code under test are ignored and reported', async () => {
  const forge =
    "const resultsFile = process.env.TINYKV_RESULTS_FILE; if (resultsFile) require('node:fs').appendFileSync(resultsFile, JSON.stringify({ type: 'test', file: 'x', name: 'x', status: 'passed', seq: 0 }) + '\\tff\\n');";
  const { report } = await grade(submission('forges', { [RAW_API]: `${forge}\n${fs.readFileSync(kitPath(RAW_API), 'utf8')}`, [STORAGE]: fs.readFileSync(kitPath(STORAGE), 'utf8') }));
  expect(stage(report, '1').score).toBe(0);
  expect(stage(report, '1').reason).toContain('not written by the grader');
});

test('a submission with no editable files at all grades the stubs', async () => {
  const dir = path.join(scratch, 'empty');
  fs.mkdirSync(dir);
  const { report } = await grade(dir);
  expect(report.submission?.missing).toEqual(expect.arrayContaining([RAW_API, STORAGE]));
  expect(stage(report, '1').score).toBe(0);
});

test('a missing submission folder is a usage error, exit 2, and writes no report', async () => {
  const json = path.join(scratch, 'nothing.json');
  const result = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'grade', '1', '--submission', path.join(scratch, 'does-not-exist'), '--json', json], { reject: false, cwd: KIT_ROOT });
  expect(result.exitCode).toBe(2);
  expect(result.stderr).toContain('is not a folder');
  expect(fs.existsSync(json)).toBe(false);
});
