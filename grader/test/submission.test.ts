// Goal: the grader survives anything a submission does — the hostile-submission catalog.
// For each case the grader must finish within its limits, award no more than was earned,
// say why in the report, keep every other stage's result, leave nothing running, leave the kit
// unchanged and show nothing secret in any output a student sees. What no lever closes inside
// the test's own process (jest's state, its realm) is flagged for the instructor, file and
// line, with no hint in what the student sees.
// Method: build submissions from the reference files (or the stubs) with hostile changes, grade
// them with `tinykv grade --submission` (stage 1, plus stage 4a where the point is isolation),
// and read the JSON, Gradescope and JUnit reports.
import execa from 'execa';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { GradeReport, StageReport } from '../src/grade';
import type { ReviewCategory } from '../src/needs-review';
import { REVIEW_ENTRY_NAME } from '../src/report-formats';
import { KIT_ROOT, kitPath } from '../src/repo-paths';
import { sandboxUsersAvailable } from '../src/sandbox-user';
import { processesMentioning } from './processes-mentioning';

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

/** One entry of Gradescope's results.json, as the grader writes it. */
interface GradescopeTest {
  readonly name: string;
  readonly score: number;
  readonly max_score: number;
  readonly output: string;
  readonly visibility: string;
}

interface Graded {
  readonly report: GradeReport;
  readonly gradescope: { readonly output: string; readonly tests: readonly GradescopeTest[] };
  readonly junit: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly exitCode: number;
  /** The report files, for checks that nothing rewrites them after the grader ends. */
  readonly files: readonly string[];
  /** The grader's process id. */
  readonly pid: number;
}

async function grade(dir: string, stages: string[] = ['1'], timeLimitSeconds = 25): Promise<Graded> {
  const base = path.join(dir, '..', path.basename(dir));
  const files = [`${base}.json`, `${base}.results.json`, `${base}.xml`];
  const child = execa(process.execPath, [kitPath('bin/tinykv.js'), 'grade', ...stages, '--submission', dir, '--time-limit', String(timeLimitSeconds), '--json', files[0], '--gradescope', files[1], '--junit', files[2]], {
    reject: false,
    env: { FORCE_COLOR: '0' },
  });
  const pid = child.pid ?? -1;
  const result = await child;
  if (!fs.existsSync(files[0])) throw new Error(`no report (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  return {
    report: JSON.parse(fs.readFileSync(files[0], 'utf8')) as GradeReport,
    gradescope: JSON.parse(fs.readFileSync(files[1], 'utf8')) as Graded['gradescope'],
    junit: fs.readFileSync(files[2], 'utf8'),
    stdout: result.stdout,
    stderr: result.stderr,
    exitCode: result.exitCode ?? -1,
    files,
    pid,
  };
}

/**
 * Everything of a grade a student may ever see: Gradescope's summary and every entry it shows
 * students now or after the due date (not the `hidden` ones), and the JUnit report.
 */
function studentVisible(graded: Graded): string {
  const shown = graded.gradescope.tests.filter((test) => test.visibility !== 'hidden');
  return [graded.gradescope.output, ...shown.flatMap((test) => [test.name, test.output]), graded.junit].join('\n');
}

/** Lines of a kit file long and particular enough that finding one elsewhere means it leaked. */
function telltaleLines(file: string): string[] {
  return fs
    .readFileSync(kitPath(file), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line.length >= 40 && !line.startsWith('//') && !line.startsWith('*') && !line.startsWith('import ') && !/^(test|it|describe)\(/.test(line));
}

/** Line numbers (1-based) of `text` that carry `marker`. */
function linesMarked(text: string, marker: string): number[] {
  return text.split('\n').flatMap((line, index) => (line.includes(marker) ? [index + 1] : []));
}

/** Workspace locks under .tinykv/work still held in the name of the grader `pid` (see workspace-claim.ts). */
function graderLocksOf(pid: number): string[] {
  const work = kitPath('.tinykv/work');
  return fs.readdirSync(work).filter((entry) => entry.endsWith('.lock') && fs.existsSync(path.join(work, entry, 'pid')) && fs.readFileSync(path.join(work, entry, 'pid'), 'utf8') === String(pid));
}

/** Waits a little (real time: a detached process would need it to act), then lists what is left. */
async function leftAfterAWhile(marker: string): Promise<string[]> {
  await new Promise((resolve) => setTimeout(resolve, 1500)); // real-time: giving an escaped process time to act
  return processesMentioning(marker);
}

/** The findings of the report's review for `file`, as `line category` strings. */
function reviewed(report: GradeReport, file: string): string[] {
  return (report.review ?? []).filter((finding) => finding.file === file).map((finding) => `${finding.line} ${finding.category}`);
}

/** Every marked line of the submitted `content` is flagged, in `category`, in the instructor's review. */
function expectFlagged(graded: Graded, file: string, content: string, marker: string, category: ReviewCategory): void {
  const flagged = reviewed(graded.report, file);
  for (const line of linesMarked(content, marker)) expect(flagged).toContain(`${line} ${category}`);
  // The instructor sees it on the hidden Gradescope entry; a student sees no trace of the check.
  expect(graded.gradescope.tests.find((test) => test.name === REVIEW_ENTRY_NAME)).toMatchObject({ visibility: 'hidden', score: 0, max_score: 0 });
  expect(studentVisible(graded)).not.toMatch(/needs review|instructors only|\(realm-escape\)|\(jest-internals\)/i);
}

function stage(report: GradeReport, id: string): StageReport {
  return report.stages.find((candidate) => candidate.stage === id)!;
}

function expectFullMarks(report: GradeReport, id: string): void {
  const entry = stage(report, id);
  expect({ stage: id, score: entry.score, status: entry.status }).toEqual({ stage: id, score: entry.max_score, status: 'passed' });
}

function expectPartial(entry: StageReport): void {
  expect(entry.status).not.toBe('kit-error');
  expect(entry.score).toBeLessThan(entry.max_score);
  const earned = entry.tests.filter((test) => test.status === 'passed').reduce((sum, test) => sum + test.max_score, 0);
  expect(entry.score).toBe(earned); // never more than the passing tests are worth
}

test('control: the reference submitted as a submission earns full marks on both stages, with nothing to review', async () => {
  const { report, exitCode, gradescope } = await grade(submission('control'), ['1', '4a']);
  expect(exitCode).toBe(0);
  expectFullMarks(report, '1');
  expectFullMarks(report, '4a');
  expect(report.submission?.used).toEqual([STORAGE, RAW_API, MVCC]);
  expect(report.review).toEqual([]);
  expect(gradescope.tests.some((test) => test.name === REVIEW_ENTRY_NAME)).toBe(false);
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

// ----- Reaching the kit, other runs and the hidden tests; leaking through failure messages -----

/** Code that tries to read and write everything it should not, and reports what it managed. */
function prober(canary: string): string {
  const kit = JSON.stringify(KIT_ROOT);
  return `
const probeFs = require('node:fs') as typeof import('node:fs');
const probePath = require('node:path') as typeof import('node:path');
const probed: string[] = [];
function probe(name: string, attempt: () => unknown): void {
  try {
    attempt();
    probed.push(name + '=DONE');
  } catch (error) {
    probed.push(name + '=' + String((error as { code?: string }).code ?? 'error'));
  }
}
const probeWorkspace = probePath.resolve(__dirname, '..', '..', '..');
const probeRuns = probePath.resolve(probeWorkspace, '..', '..');
probe('read-reference', () => probeFs.readFileSync(${kit} + '/reference/1-standalone/src/raw-api.ts'));
probe('read-kit-hidden', () => probeFs.readFileSync(${kit} + '/grader/hidden/1/raw-api-hidden.test.ts'));
probe('read-hidden-run', () => probeFs.readdirSync(probeRuns + '/1-hidden/workspace/grader/hidden/1'));
probe('read-tree', () => probeFs.readdirSync(probeRuns + '/../tree/grader/hidden'));
probe('read-compiled', () => probeFs.readdirSync(probeRuns + '/../compiled'));
probe('read-other-grades', () => probeFs.readdirSync(${kit} + '/.tinykv/work'));
probe('walk-up-from-jest', () => {
  let dir = probeFs.realpathSync(require.resolve('jest'));
  for (let level = 0; level < 8; level++) {
    dir = probePath.dirname(dir);
    probeFs.readdirSync(dir);
  }
});
probe('read-proc-mem', () => probeFs.readFileSync('/proc/self/mem'));
probe('read-proc-environ', () => probeFs.readFileSync('/proc/self/environ'));
probe('write-kit', () => probeFs.appendFileSync(${JSON.stringify(canary)}, 'written by the submission'));
probe('write-dependencies', () => probeFs.appendFileSync(probeFs.realpathSync(require.resolve('jest')), '// poisoned'));
probe('write-own-test', () => probeFs.appendFileSync(probeWorkspace + '/labs/1-standalone/test/raw-api.test.ts', "test('[1] planted', () => undefined);"));
probe('delete-own-test', () => probeFs.rmSync(probeWorkspace + '/labs/1-standalone/test/standalone-storage.test.ts'));
probe('delete-other-stage', () => probeFs.rmSync(probeRuns + '/4a-public/workspace/labs/4-txn/test', { recursive: true }));
probe('plant-results-file', () => probeFs.writeFileSync(probeWorkspace + '/.results', 'x'));
`;
}

test('reaching for the kit, the reference, the hidden tests and other runs finds every door closed, and nothing leaks into what students see', async () => {
  const canary = kitPath(`.tinykv/hostile-canary-${process.pid}-${crypto.randomBytes(4).toString('hex')}.txt`);
  fs.writeFileSync(canary, 'unchanged');
  try {
    let source = `${prober(canary)}\n${reference(RAW_API)}`;
    source = source.replace('async rawDelete(request: RawDeleteRequest): Promise<RawDeleteResponse> {', "async rawDelete(request: RawDeleteRequest): Promise<RawDeleteResponse> {\n    throw new Error('PROBE ' + probed.join(' '));");
    // Every rawGet fails with a quarter of a megabyte of text: messages must stay capped.
    source = source.replace('async rawGet(request: RawGetRequest): Promise<RawGetResponse> {', "async rawGet(request: RawGetRequest): Promise<RawGetResponse> {\n    throw new Error('leak '.repeat(50_000));");
    const graded = await grade(submission('reaches-for-the-kit', { [RAW_API]: source }), ['1', '4a']);
    const { report } = graded;
    expectPartial(stage(report, '1'));
    expectFullMarks(report, '4a'); // its tests were never deleted
    const probeReport = stage(report, '1').tests.map((test) => test.message ?? '').find((message) => message.includes('PROBE '));
    expect(probeReport).toBeDefined();
    const outcomes = /PROBE ([^\n]*)/.exec(probeReport!)![1].split(' ');
    expect(outcomes).toHaveLength(15);
    expect(outcomes.filter((outcome) => !/=(ERR_ACCESS_DENIED|EACCES|EPERM)$/.test(outcome))).toEqual([]);
    expect(fs.readFileSync(canary, 'utf8')).toBe('unchanged');
    // Nothing of the reference or the hidden tests in anything a student sees; messages capped.
    const visible = studentVisible(graded);
    for (const line of [...telltaleLines('reference/1-standalone/src/raw-api.ts'), ...telltaleLines('grader/hidden/1/raw-api-hidden.test.ts')]) expect(visible).not.toContain(line);
    for (const test of graded.gradescope.tests) expect(test.output.length).toBeLessThan(2200);
    expect(fs.statSync(graded.files[1]).size).toBeLessThan(150_000);
  } finally {
    fs.rmSync(canary, { force: true });
  }
});

// ----- Forging results in-process -----

test('forging in-process: a realm opened through a core function, a polluted toJSON, lines written into the results pipe and /proc — the stubs still score 0, and the instructor sees where', async () => {
  const stub = fs.readFileSync(kitPath(RAW_API), 'utf8');
  const forge = `
const forgeFs = require('node:fs') as typeof import('node:fs');
try {
  const outer = (forgeFs.readFileSync as unknown as { constructor: (body: string) => () => unknown }).constructor('return this')(); // HOSTILE-REALM
  void outer;
} catch {
  // code generation from strings is disallowed
}
const outerObject = Object.getPrototypeOf(forgeFs) as Record<string, unknown>; // HOSTILE-REALM
outerObject.toJSON = function (this: Record<string, unknown>) { // HOSTILE-REALM
  return typeof this.status === 'string' ? { ...this, status: 'passed', message: '' } : { ...this };
};
try {
  forgeFs.readFileSync('/proc/self/mem'); // HOSTILE-PROC
} catch {
  // the key is not there to be read
}
const pipe = Number(process.env.TINYKV_RESULTS_FD);
for (let seq = 0; seq < 200; seq++) {
  try {
    forgeFs.writeSync(pipe, JSON.stringify({ type: 'test', file: 'x', name: 'forged ' + seq, status: 'passed', durationMs: 1, message: '', seq }) + '\\t' + '0'.repeat(64) + '\\n');
  } catch {
    break;
  }
}
`;
  const content = `${forge}\n${stub}`;
  const graded = await grade(submission('forges-in-process', { [RAW_API]: content, [STORAGE]: fs.readFileSync(kitPath(STORAGE), 'utf8') }));
  expect(stage(graded.report, '1').score).toBe(0);
  expect(stage(graded.report, '1').reason).toContain('not written by the grader');
  expectFlagged(graded, RAW_API, content, 'HOSTILE-REALM', 'realm-escape');
  expectFlagged(graded, RAW_API, content, 'HOSTILE-PROC', 'proc');
});

test("hooking jest-circus's event handlers: the framework check trips on the plain hook, the thorough hook no lever closes is flagged for the instructor, file and line", async () => {
  // Stage 1 (plain): a handler that empties each test's errors when it is done. The canary's
  // end-of-file check sees the handler list changed and its report is not cleared.
  const plainHook = `
const plainHandlers = (globalThis as unknown as Record<symbol, unknown[]>)[Symbol.for('EVENT_HANDLERS')]; // HOSTILE-JEST
plainHandlers.push((event: { name: string; test?: { errors: unknown[] } }) => {
  if (event.name === 'test_done' && event.test) event.test.errors.length = 0; // HOSTILE-JEST
});
`;
  // Stage 4a (thorough): it also empties every hook's and file's errors, so nothing in the test
  // process reports it: only the review can.
  const thoroughHook = `
const circusState = Object.getOwnPropertySymbols(globalThis).find((symbol) => String(symbol.description) === 'JEST_STATE_SYMBOL'); // HOSTILE-JEST
const thoroughHandlers = (globalThis as unknown as Record<symbol, unknown[]>)[Symbol.for('EVENT_HANDLERS')]; // HOSTILE-JEST
thoroughHandlers.push((event: { name: string; test?: { errors: unknown[] }; describeBlock?: unknown }) => {
  if (event.test) event.test.errors.length = 0;
  const state = circusState ? (globalThis as unknown as Record<symbol, { unhandledErrors: unknown[] }>)[circusState] : undefined;
  if (state) state.unhandledErrors.length = 0; // HOSTILE-JEST
});
`;
  const rawApi = `${plainHook}\n${fs.readFileSync(kitPath(RAW_API), 'utf8')}`;
  const mvcc = `${thoroughHook}\n${fs.readFileSync(kitPath(MVCC), 'utf8')}`;
  const graded = await grade(submission('hooks-jest-circus', { [RAW_API]: rawApi, [STORAGE]: fs.readFileSync(kitPath(STORAGE), 'utf8'), [MVCC]: mvcc }), ['1', '4a']);
  expect(stage(graded.report, '1').score).toBe(0);
  expect(stage(graded.report, '1').reason).toContain('changed the test framework');
  expectFlagged(graded, RAW_API, rawApi, 'HOSTILE-JEST', 'jest-internals');
  expectFlagged(graded, MVCC, mvcc, 'HOSTILE-JEST', 'jest-internals');
});

// ----- Outliving the stage; taking the grader down -----

test('a detached process, a fork, a worker, a giant sparse file: nothing outlives the grade and the reports stay as written', async () => {
  const marker = `tinykv-outlives-${crypto.randomBytes(4).toString('hex')}`;
  const escape = `
const escapeFs = require('node:fs') as typeof import('node:fs');
const escapeOs = require('node:os') as typeof import('node:os');
const escapeMarker = ${JSON.stringify(marker)};
for (const attempt of [
  () => (require('node:child_process') as typeof import('node:child_process')).spawn(process.execPath, ['-e', 'setInterval(() => 0, 1000)', escapeMarker], { detached: true, stdio: 'ignore' }).unref(),
  () => (require('node:child_process') as typeof import('node:child_process')).fork('-e', [escapeMarker], { detached: true }),
  () => new (require('node:worker_threads') as typeof import('node:worker_threads')).Worker('setInterval(() => 0, 1000)', { eval: true }),
  () => { const file = escapeOs.tmpdir() + '/sparse'; escapeFs.writeFileSync(file, ''); escapeFs.truncateSync(file, 3 * 1024 ** 3); },
]) {
  try {
    attempt();
  } catch {
    // closed
  }
}
`;
  const graded = await grade(submission('outlives-the-stage', { [RAW_API]: `${escape}\n${reference(RAW_API)}` }));
  expectFullMarks(graded.report, '1');
  const written = graded.files.map((file) => fs.readFileSync(file, 'utf8'));
  expect(await leftAfterAWhile(marker)).toEqual([]);
  expect(graded.files.map((file) => fs.readFileSync(file, 'utf8'))).toEqual(written);
  // Every run's folder (named after the submission, see runsRootFor) is on its processes' command lines.
  expect(processesMentioning('submission-outlives-the-stage')).toEqual([]);
  expect(graderLocksOf(graded.pid)).toEqual([]);
});

test('killing its parent mid-test ends that stage as crashed; the grader writes its report, the other stage keeps its marks, nothing is left', async () => {
  const graded = await grade(submission('kills-its-parent', { [RAW_API]: inject(RAW_API, 'async rawDelete(', "process.kill(process.ppid, 'SIGKILL');") }), ['1', '4a']);
  expect(stage(graded.report, '1').status).toBe('crashed');
  expect(stage(graded.report, '1').reason).toContain('SIGKILL');
  expectPartial(stage(graded.report, '1'));
  expectFullMarks(graded.report, '4a');
  expect(await leftAfterAWhile('submission-kills-its-parent')).toEqual([]);
  expect(graderLocksOf(graded.pid)).toEqual([]);
});

(sandboxUsersAvailable() ? test : test.skip)('as root: signalling every process it may (kill -1) reaches only its own run', async () => {
  const graded = await grade(submission('kills-everything', { [RAW_API]: inject(RAW_API, 'async rawDelete(', "process.kill(-1, 'SIGKILL');") }), ['1', '4a']);
  expect(stage(graded.report, '1').status).toBe('crashed');
  expectPartial(stage(graded.report, '1'));
  expectFullMarks(graded.report, '4a');
  expect(await leftAfterAWhile('submission-kills-everything')).toEqual([]);
});

test('flooding the results pipe with junk stops that stage at the pipe limit, in bounded time', async () => {
  const flood = "const pipe = Number(process.env.TINYKV_RESULTS_FD); const junk = Buffer.alloc(1024 * 1024, 'j'); for (let megabytes = 0; megabytes < 64; megabytes++) require('node:fs').writeSync(pipe, junk);";
  const started = process.hrtime.bigint();
  const graded = await grade(submission('floods-the-pipe', { [RAW_API]: inject(RAW_API, 'async rawGet(', flood) }));
  expect(stage(graded.report, '1').status).toBe('crashed');
  expect(stage(graded.report, '1').reason).toContain('MiB of results');
  expectPartial(stage(graded.report, '1'));
  expect(Number(process.hrtime.bigint() - started) / 1e9).toBeLessThan(120);
});

test('twenty thousand tests registered by the code under test earn nothing, are its problem, not the kit\'s, and keep the report small', async () => {
  const register = "for (let index = 0; index < 20_000; index++) test('registered ' + index, () => undefined);";
  const graded = await grade(submission('registers-tests', { [RAW_API]: `${register}\n${reference(RAW_API)}` }), ['1'], 180);
  const entry = stage(graded.report, '1');
  expect(entry.score).toBe(entry.max_score); // the kit's own tests still ran and passed
  expect(entry.unexpected_tests).toBeGreaterThanOrEqual(20_000);
  expect(entry.kitProblems).toEqual([]);
  expect(entry.reason).toContain('the code under test registered them');
  expect(graded.stderr).not.toContain('The kit itself has');
  expect(fs.statSync(graded.files[0]).size).toBeLessThan(200_000);
});
