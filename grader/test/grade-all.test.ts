// Goal: `tinykv grade-all` grades a folder of mixed submissions on one machine with the right
// score and status for each — solved (full marks), empty (0, stubs), broken (a type error: 0,
// `type-error`), hanging (an infinite loop: 0, `timeout`) — writes every student's reports and a
// CSV and JSON summary, survives being interrupted (nothing left running, the finished student
// kept), and on the next run grades only the students not finished; a third run grades none.
// Method: four submission folders built from the reference's stage 1 files; grade-all on stage 1
// with --parallel 1 is sent SIGINT once the first student is graded; it is rerun with --parallel
// 2 to finish, then once more. Expected points come from the stage's rubrics. The summary's CSV
// quoting, the fingerprint that decides what to regrade, and the commands' usage errors are
// checked on their own first.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { settingsFingerprint, submissionFingerprint } from '../src/grade-all-resume';
import { summaryCsv, type StudentOutcome } from '../src/grade-all-summary';
import type { GradeReport } from '../src/grade';
import { KIT_ROOT, kitPath } from '../src/repo-paths';
import { STAGES } from '../src/stages';
import { referenceTwin } from '../src/workspace';

jest.setTimeout(10 * 60_000);

const STAGE_1 = STAGES.find((stage) => stage.id === '1')!;
const STORAGE = 'labs/1-standalone/src/standalone-storage.ts';
const RAW_API = 'labs/1-standalone/src/raw-api.ts';
/**
 * Several times what a solved stage 1 run takes on a busy two-core machine (3-6 s); the hanging
 * student costs this twice (public, then hidden run) while the others are graded beside it.
 */
const TIME_LIMIT_SECONDS = 20;

let scratch: string;
let submissions: string;
let reports: string;

function stageOnePoints(): number {
  const sum = (file: string) => Object.values((JSON.parse(fs.readFileSync(kitPath(file), 'utf8')) as { tests: Record<string, number> }).tests).reduce((total, points) => total + points, 0);
  return sum('grader/rubric/1.json') + sum('grader/hidden/1/rubric.json');
}

function reference(file: string): string {
  return fs.readFileSync(kitPath(referenceTwin(file)), 'utf8');
}

function writeSubmission(student: string, files: Record<string, string>): void {
  for (const [file, content] of Object.entries(files)) {
    const target = path.join(submissions, student, ...file.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, content);
  }
}

function gradeAllArgs(parallel: number): string[] {
  return [kitPath('bin/tinykv.js'), 'grade-all', submissions, '1', '--out', reports, '--parallel', String(parallel), '--time-limit', String(TIME_LIMIT_SECONDS)];
}

/** Processes whose command line mentions this test's scratch folder: graders it started. */
function processesOfThisTest(): string[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .flatMap((pid) => {
      try {
        const command = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
        return command.includes(scratch) ? [`${pid}: ${command}`] : [];
      } catch {
        return [];
      }
    });
}

function outcome(student: string): StudentOutcome {
  return JSON.parse(fs.readFileSync(path.join(reports, student, 'outcome.json'), 'utf8')) as StudentOutcome;
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-grade-all-'));
  // Left private, as mkdtemp makes it: the grader must cope (sandbox-home.ts).
  submissions = path.join(scratch, 'submissions');
  reports = path.join(scratch, 'reports');
  writeSubmission('alice-solved', { [STORAGE]: reference(STORAGE), [RAW_API]: reference(RAW_API) });
  writeSubmission('dave-empty', { 'README.md': 'Nothing yet.\n' });
  writeSubmission('carol-broken', { [STORAGE]: reference(STORAGE), [RAW_API]: `${reference(RAW_API)}\nexport const answer: number = 'forty-two';\n` });
  const hanging = reference(STORAGE).replace('constructor(readonly config: StandaloneStorageConfig) {}', 'constructor(readonly config: StandaloneStorageConfig) {\n    for (;;) {\n      // never returns\n    }\n  }');
  expect(hanging).toContain('for (;;)'); // the reference still has the constructor this edit targets
  writeSubmission('bob-hanging', { [STORAGE]: hanging, [RAW_API]: reference(RAW_API) });
});

afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

describe('the pieces', () => {
  test('the CSV summary quotes fields with commas, quotes and line breaks', () => {
    const row: StudentOutcome = { student: 'o"neil, jo', status: 'graded', score: 3, max_score: 4, stages: { '1': { score: 3, max_score: 4, status: 'failed' } }, reasons: ['line one\nline two'], wall_ms: 1, fingerprint: 'x' };
    expect(summaryCsv(['1'], [row])).toBe('student,status,score,max_score,percent,stage 1,reasons\r\n"o""neil, jo",graded,3,4,75,3,"line one\nline two"\r\n');
  });

  test('the fingerprint changes with the editable files and the settings, and with nothing else', () => {
    const dir = path.join(scratch, 'fingerprint');
    fs.mkdirSync(path.join(dir, 'labs/1-standalone/src'), { recursive: true });
    fs.writeFileSync(path.join(dir, RAW_API), 'v1');
    const settings = settingsFingerprint({ stages: [STAGE_1], hiddenVisibility: 'after_due_date' }, KIT_ROOT);
    const first = submissionFingerprint(dir, STAGES, settings);
    fs.writeFileSync(path.join(dir, 'notes.md'), 'not graded');
    expect(submissionFingerprint(dir, STAGES, settings)).toBe(first);
    fs.writeFileSync(path.join(dir, RAW_API), 'v2');
    expect(submissionFingerprint(dir, STAGES, settings)).not.toBe(first);
    const longer = settingsFingerprint({ stages: [STAGE_1], hiddenVisibility: 'after_due_date', timeLimitSeconds: 5 }, KIT_ROOT);
    expect(longer).not.toBe(settings);
  });
});

describe('usage errors: one line, exit code 2', () => {
  test.each([
    [['grade-all', '/no/such/folder', '--out', '/tmp/x'], '/no/such/folder is not a folder of submissions'],
    [['grade-all', '.'], "required option '--out <dir>' not specified"],
    [['grade-all', '.', '9z', '--out', '/tmp/x'], 'Unknown stage "9z"'],
    [['grade-all', '.', '--out', '/tmp/x', '--parallel', '0'], '--parallel must be a whole number'],
    [['gradescope-package', '/tmp/x.zip', '--node-version', 'v18.20.0'], '--node-version must be a Node.js release from 20 to 22'],
    [['ci-report', '/no/such/grade.json'], 'Cannot read the report /no/such/grade.json'],
  ])('tinykv %j', async (args, message) => {
    const result = await execa(process.execPath, [kitPath('bin/tinykv.js'), ...args], { reject: false, env: { NO_COLOR: '1' } });
    expect({ exitCode: result.exitCode, firstLine: result.stderr.split('\n')[0], stdout: result.stdout }).toEqual({ exitCode: 2, firstLine: expect.stringContaining(message), stdout: '' });
  });
});

describe('a grader that runs past --submission-timeout', () => {
  test('is killed with everything it started, recorded as grader-timeout with 0, and the batch ends normally', async () => {
    const folder = path.join(scratch, 'slow-grader');
    fs.mkdirSync(folder);
    fs.cpSync(path.join(submissions, 'alice-solved'), path.join(folder, 'alice-solved'), { recursive: true });
    const out = path.join(scratch, 'slow-grader-reports');
    const run = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'grade-all', folder, '1', '--out', out, '--submission-timeout', '1'], { reject: false, env: { NO_COLOR: '1' } });
    expect({ exitCode: run.exitCode, stdout: run.stdout }).toEqual({ exitCode: 0, stdout: expect.stringContaining('1 submission(s) could not be graded to the end: alice-solved (grader-timeout).') });
    const recorded = JSON.parse(fs.readFileSync(path.join(out, 'alice-solved', 'outcome.json'), 'utf8')) as StudentOutcome;
    expect({ status: recorded.status, score: recorded.score, max: recorded.max_score, reasons: recorded.reasons }).toEqual({ status: 'grader-timeout', score: 0, max: stageOnePoints(), reasons: ['the grader ran past 1 s and was killed; see alice-solved/grader.log'] });
    expect(fs.readFileSync(path.join(out, 'summary.csv'), 'utf8')).toContain(`alice-solved,grader-timeout,0,${stageOnePoints()},0,0,`);
    expect(processesOfThisTest()).toEqual([]);
  });
});

describe('grading a folder of solved, empty, broken and hanging submissions', () => {
  let firstRun: { exitCode: number; stderr: string };
  let aliceGradedAt: number;

  beforeAll(async () => {
    // Sequential, so that the interruption finds one student graded and the next in progress.
    const child = execa(process.execPath, gradeAllArgs(1), { reject: false, env: { NO_COLOR: '1' } });
    let stderr = '';
    await new Promise<void>((resolve) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (stderr.includes('[1/4] alice-solved')) resolve();
      });
      void child.then(() => resolve());
    });
    child.kill('SIGINT');
    const ended = await child;
    firstRun = { exitCode: ended.exitCode ?? -1, stderr: ended.stderr };
    aliceGradedAt = fs.statSync(path.join(reports, 'alice-solved', 'outcome.json')).mtimeMs;
  });

  test('an interrupted run keeps the finished student, leaves the rest pending, and nothing running', () => {
    expect({ exitCode: firstRun.exitCode, stderr: firstRun.stderr }).toEqual({ exitCode: 130, stderr: expect.stringContaining('4 submission(s): 0 already graded, 4 to grade, 1 at a time.') });
    const summary = JSON.parse(fs.readFileSync(path.join(reports, 'summary.json'), 'utf8')) as { graded: number; pending: string[] };
    expect(summary).toMatchObject({ graded: 1, pending: ['bob-hanging', 'carol-broken', 'dave-empty'] });
    expect(fs.existsSync(path.join(reports, 'bob-hanging', 'outcome.json'))).toBe(false);
    expect(processesOfThisTest()).toEqual([]);
  });

  test('the next run grades only the three left, each with the right score, status and reason', async () => {
    const run = await execa(process.execPath, gradeAllArgs(2), { reject: false, env: { NO_COLOR: '1' } });
    expect({ exitCode: run.exitCode, stderr: run.exitCode === 0 ? '' : run.stderr }).toEqual({ exitCode: 0, stderr: '' });
    expect(run.stderr).toContain('4 submission(s): 1 already graded, 3 to grade, 2 at a time.');
    expect(run.stderr).not.toMatch(/\] alice-solved/);
    expect(fs.statSync(path.join(reports, 'alice-solved', 'outcome.json')).mtimeMs).toBe(aliceGradedAt);
    const max = stageOnePoints();
    const brief = (student: string) => {
      const { status, score, max_score: maxScore, stages } = outcome(student);
      return { student, status, score, maxScore, stage: stages['1'].status };
    };
    expect(['alice-solved', 'bob-hanging', 'carol-broken', 'dave-empty'].map(brief)).toEqual([
      { student: 'alice-solved', status: 'graded', score: max, maxScore: max, stage: 'passed' },
      { student: 'bob-hanging', status: 'graded', score: 0, maxScore: max, stage: 'timeout' },
      { student: 'carol-broken', status: 'graded', score: 0, maxScore: max, stage: 'type-error' },
      { student: 'dave-empty', status: 'graded', score: 0, maxScore: max, stage: 'failed' },
    ]);
    expect(outcome('dave-empty').reasons.join(' ')).toContain('No file of the kit that you edit was found');
    expect(outcome('carol-broken').reasons.join(' ')).toMatch(/stage 1 type-error: .*raw-api\.ts.*TS2322/);
    expect(outcome('bob-hanging').reasons.join(' ')).toContain(`stage 1 timeout: The stage's tests were stopped at the ${TIME_LIMIT_SECONDS} s time limit`);
    expect(processesOfThisTest()).toEqual([]);
  });

  test("every student has the grade's JSON, JUnit and Gradescope reports", () => {
    for (const student of ['alice-solved', 'bob-hanging', 'carol-broken', 'dave-empty']) {
      const report = JSON.parse(fs.readFileSync(path.join(reports, student, 'grade.json'), 'utf8')) as GradeReport;
      expect({ student, score: report.score }).toEqual({ student, score: outcome(student).score });
      expect(fs.readFileSync(path.join(reports, student, 'junit.xml'), 'utf8')).toMatch(/^<\?xml/);
      expect((JSON.parse(fs.readFileSync(path.join(reports, student, 'results.json'), 'utf8')) as { score: number }).score).toBe(report.score);
    }
  });

  test('the summary has one row per student in CSV and JSON, with the total and the stage', () => {
    const max = stageOnePoints();
    const rows = fs.readFileSync(path.join(reports, 'summary.csv'), 'utf8').trimEnd().split('\r\n');
    expect(rows[0]).toBe('student,status,score,max_score,percent,stage 1,reasons');
    expect(rows.slice(1).map((row) => row.split(',').slice(0, 6).join(','))).toEqual([
      `alice-solved,graded,${max},${max},100,${max}`,
      `bob-hanging,graded,0,${max},0,0`,
      `carol-broken,graded,0,${max},0,0`,
      `dave-empty,graded,0,${max},0,0`,
    ]);
    const summary = JSON.parse(fs.readFileSync(path.join(reports, 'summary.json'), 'utf8')) as { stages: string[]; graded: number; pending: string[]; students: { student: string; stages: Record<string, { status: string }> }[] };
    expect({ stages: summary.stages, graded: summary.graded, pending: summary.pending }).toEqual({ stages: ['1'], graded: 4, pending: [] });
    expect(summary.students.map((student) => `${student.student} ${student.stages['1'].status}`)).toEqual(['alice-solved passed', 'bob-hanging timeout', 'carol-broken type-error', 'dave-empty failed']);
  });

  test('a third run finds everyone graded and grades no one', async () => {
    const run = await execa(process.execPath, gradeAllArgs(2), { reject: false, env: { NO_COLOR: '1' } });
    expect(run.exitCode).toBe(0);
    expect(run.stderr).toContain('4 submission(s): 4 already graded, 0 to grade');
    expect(run.stdout).toContain('Graded 0, skipped 4 already graded');
  });
});
