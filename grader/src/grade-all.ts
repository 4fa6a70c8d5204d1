/**
 * `tinykv grade-all DIR --out REPORTS`: grades every submission folder under DIR (one per
 * student) on one machine. Each student is graded by its own `tinykv grade --submission`
 * process, so nothing a submission does to its grader reaches the batch: a grader that crashes
 * is recorded as `grader-error`, one that runs past the per-submission limit is killed with its
 * whole process group and recorded as `grader-timeout`, and the batch goes on. (A submission
 * that hangs or crashes its *tests* is already handled inside `grade`: the stage scores what it
 * passed and says why.)
 *
 * REPORTS gets one folder per student (grade.json, junit.xml, results.json for Gradescope,
 * grader.log, and outcome.json last) and summary.csv / summary.json, rewritten after every
 * student so that an interrupted batch still has a summary. Run again, it skips every student
 * whose outcome matches what would be graded now (see grade-all-resume.ts).
 *
 * @module
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomically } from './atomic-write';
import type { GradeReport } from './grade';
import { clearOutcome, readOutcome, settingsFingerprint, submissionFingerprint, writeOutcome } from './grade-all-resume';
import { outcomeFromReport, outcomeWithoutReport, summaryCsv, summaryJson, type StudentOutcome } from './grade-all-summary';
import { locateSubmission } from './gradescope-submission-layout';
import type { GradescopeVisibility } from './report-formats';
import { KIT_ROOT, kitPath } from './repo-paths';
import { loadRubric, maxScore } from './rubric';
import { STAGES, type StageDefinition } from './stages';

/** What to grade and how. */
export interface GradeAllOptions {
  /** The folder holding one submission folder per student. */
  readonly submissionsDir: string;
  /** Where the reports and the summary go. */
  readonly outDir: string;
  readonly stages: readonly StageDefinition[];
  /** Submissions graded at once. */
  readonly parallel: number;
  /** Stage processes per submission (default: the cores shared out among the submissions). */
  readonly stageParallel?: number;
  /** Caps every stage's time limit, in seconds (passed to `grade --time-limit`). */
  readonly timeLimitSeconds?: number;
  /** Past this, a submission's grader is killed (default: every stage's limit in turn, plus 5 minutes). */
  readonly submissionTimeoutSeconds?: number;
  readonly hiddenVisibility: GradescopeVisibility;
  /** Regrade everyone, ignoring recorded outcomes. */
  readonly fresh?: boolean;
  /** Stops the batch: running graders are killed and their students left for the next run. */
  readonly signal?: AbortSignal;
  readonly onEvent?: (event: GradeAllEvent) => void;
}

/** Progress of a batch. */
export type GradeAllEvent =
  | { readonly kind: 'start'; readonly students: number; readonly toGrade: number; readonly alreadyGraded: number; readonly parallel: number }
  | { readonly kind: 'student-start'; readonly student: string }
  | { readonly kind: 'student-end'; readonly outcome: StudentOutcome; readonly finished: number; readonly toGrade: number; readonly elapsedMs: number };

/** How the batch ended. */
export interface GradeAllResult {
  /** Every student with an outcome, in name order. */
  readonly outcomes: readonly StudentOutcome[];
  /** Students graded by this run. */
  readonly gradedNow: readonly string[];
  /** Students skipped because their recorded outcome still holds. */
  readonly skipped: readonly string[];
  /** Students left without an outcome (the run was stopped). */
  readonly pending: readonly string[];
  readonly interrupted: boolean;
}

/** Files in REPORTS next to the students' folders. */
export const SUMMARY_CSV = 'summary.csv';
export const SUMMARY_JSON = 'summary.json';
/** Folder in REPORTS where loose-file submissions are laid out as repositories. */
const STAGING_FOLDER = '.staging';
/** How long a grader has to stop its stage processes after SIGTERM before its group is killed. */
const KILL_GRACE_MS = 5_000;
/** Extra time a submission's grader gets beyond its stages' limits: workspace, type-check, a loaded machine. */
const GRADER_SLACK_SECONDS = 300;

/** The student folders under `dir`, in name order; hidden folders and the reports folder are skipped. */
export function listStudents(dir: string, outDir: string): string[] {
  const out = path.resolve(outDir);
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && !entry.name.startsWith('.') && path.resolve(dir, entry.name) !== out)
    .map((entry) => entry.name)
    .sort();
}

/** Claims REPORTS for this run: two batches writing one summary would lose students. */
function claimReports(outDir: string): () => void {
  const lock = path.join(outDir, '.grade-all.lock');
  fs.mkdirSync(outDir, { recursive: true });
  try {
    fs.mkdirSync(lock);
  } catch {
    const owner = Number(fs.readFileSync(path.join(lock, 'pid'), { encoding: 'utf8', flag: 'a+' }));
    let alive = false;
    try {
      alive = owner > 0 && process.kill(owner, 0);
    } catch (error) {
      alive = (error as NodeJS.ErrnoException).code === 'EPERM';
    }
    if (alive) throw new Error(`Another grade-all (process ${owner}) is writing to ${outDir}; wait for it or choose another --out.`);
  }
  fs.writeFileSync(path.join(lock, 'pid'), String(process.pid));
  return () => fs.rmSync(lock, { recursive: true, force: true });
}

interface GraderRun {
  readonly exitCode: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  readonly aborted: boolean;
}

/** Runs `tinykv grade` for one submission in its own process group, killed whole on timeout or abort. */
function runGrader(args: readonly string[], logFile: string, timeoutSeconds: number, signal: AbortSignal | undefined): Promise<GraderRun> {
  return new Promise((resolve) => {
    const log = fs.openSync(logFile, 'w');
    const child = spawn(process.execPath, [kitPath('bin/tinykv.js'), ...args], {
      cwd: KIT_ROOT,
      detached: true, // its own process group, so its jest processes go with it
      stdio: ['ignore', log, log],
      env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
    });
    fs.closeSync(log);
    let timedOut = false;
    let aborted = false;
    let grace: NodeJS.Timeout | undefined;
    const signalGroup = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // the group is already empty
      }
    };
    // SIGTERM first, so that a grader can stop its own stage processes (which may run in groups
    // of their own); whatever is left of the group a few seconds later is killed.
    const killGroup = () => {
      signalGroup('SIGTERM');
      grace ??= setTimeout(() => signalGroup('SIGKILL'), KILL_GRACE_MS); // real-time: grace period before SIGKILL
    };
    const timer = setTimeout(() => { // real-time: the batch's guard against a grader that never ends
      timedOut = true;
      killGroup();
    }, timeoutSeconds * 1000);
    const onAbort = () => {
      aborted = true;
      killGroup();
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    const finish = (exitCode: number | null, exitSignal: NodeJS.Signals | null) => {
      if (settled) return;
      settled = true;
      // Nothing the submission started in the grader's group outlives it.
      if (child.pid !== undefined) signalGroup('SIGKILL');
      clearTimeout(timer);
      clearTimeout(grace);
      signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal: exitSignal, timedOut, aborted });
    };
    child.on('error', () => finish(null, null)); // could not start: recorded as a grader error
    child.on('close', finish);
  });
}

function tail(file: string, lines: number): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

function readReport(file: string): GradeReport | undefined {
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8')) as GradeReport;
    return Array.isArray(report.stages) && typeof report.score === 'number' ? report : undefined;
  } catch {
    return undefined;
  }
}

/** What every student's grade in a batch shares. */
interface BatchSettings {
  readonly stageIds: readonly string[];
  readonly maxScores: Readonly<Record<string, number>>;
  readonly stageParallel: number;
  readonly timeoutSeconds: number;
}

/** One student to grade: where their repository-shaped submission is, and what it looks like now. */
interface StudentWork {
  readonly student: string;
  readonly dir: string;
  readonly fingerprint: string;
  readonly notes: readonly string[];
}

/**
 * Grades one student with `tinykv grade --submission` into `studentOut` and records the outcome
 * (last, atomically). Returns undefined when the batch was stopped meanwhile: nothing is recorded.
 */
async function gradeStudent(item: StudentWork, studentOut: string, batch: BatchSettings, options: GradeAllOptions): Promise<StudentOutcome | undefined> {
  fs.mkdirSync(studentOut, { recursive: true });
  clearOutcome(studentOut);
  const reportFile = path.join(studentOut, 'grade.json');
  for (const file of ['grade.json', 'junit.xml', 'results.json']) fs.rmSync(path.join(studentOut, file), { force: true });
  const args = [
    'grade', ...batch.stageIds,
    '--submission', path.resolve(item.dir),
    '--json', reportFile,
    '--junit', path.join(studentOut, 'junit.xml'),
    '--gradescope', path.join(studentOut, 'results.json'),
    '--hidden-visibility', options.hiddenVisibility,
    '--parallel', String(batch.stageParallel),
    ...(options.timeLimitSeconds !== undefined ? ['--time-limit', String(options.timeLimitSeconds)] : []),
  ];
  const started = process.hrtime.bigint();
  const run = await runGrader(args, path.join(studentOut, 'grader.log'), batch.timeoutSeconds, options.signal);
  if (run.aborted) return undefined;
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const report = run.timedOut ? undefined : readReport(reportFile);
  let outcome: StudentOutcome;
  if (report) {
    outcome = outcomeFromReport(item.student, report, wallMs, item.fingerprint, item.notes);
  } else if (run.timedOut) {
    outcome = outcomeWithoutReport(item.student, 'grader-timeout', `the grader ran past ${batch.timeoutSeconds} s and was killed; see ${item.student}/grader.log`, batch.maxScores, wallMs, item.fingerprint);
  } else {
    const ending = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.exitCode}`;
    const last = tail(path.join(studentOut, 'grader.log'), 3).replace(/\s*\n\s*/g, ' | ');
    outcome = outcomeWithoutReport(item.student, 'grader-error', `the grader ${ending} without a report${last ? `: ${last}` : ''}`, batch.maxScores, wallMs, item.fingerprint);
  }
  writeOutcome(studentOut, outcome);
  return outcome;
}

/** Grades every student under `submissionsDir` that is not already graded, and writes the summary. */
export async function gradeAll(options: GradeAllOptions): Promise<GradeAllResult> {
  const started = process.hrtime.bigint();
  const outDir = path.resolve(options.outDir);
  const release = claimReports(outDir);
  try {
    return await gradeAllClaimed(options, outDir, started);
  } finally {
    release();
  }
}

async function gradeAllClaimed(options: GradeAllOptions, outDir: string, started: bigint): Promise<GradeAllResult> {
  const emit = options.onEvent ?? (() => undefined);
  const stageIds = options.stages.map((stage) => stage.id);
  const maxScores = Object.fromEntries(options.stages.map((stage) => [stage.id, maxScore(loadRubric(KIT_ROOT, stage))]));
  const settingsDigest = settingsFingerprint(options, KIT_ROOT);
  const students = listStudents(options.submissionsDir, outDir);
  const stageParallel = options.stageParallel ?? Math.max(1, Math.floor(os.cpus().length / options.parallel));
  const timeoutSeconds =
    options.submissionTimeoutSeconds ?? options.stages.reduce((sum, stage) => sum + Math.min(stage.timeLimitSeconds, options.timeLimitSeconds ?? Number.POSITIVE_INFINITY), 0) + GRADER_SLACK_SECONDS;

  const outcomes = new Map<string, StudentOutcome>();
  const work: StudentWork[] = [];
  const skipped: string[] = [];
  for (const student of students) {
    const located = locateSubmission(path.join(options.submissionsDir, student), STAGES, path.join(outDir, STAGING_FOLDER, student));
    const fingerprint = submissionFingerprint(located.dir, STAGES, settingsDigest);
    const recorded = options.fresh ? undefined : readOutcome(path.join(outDir, student));
    if (recorded && recorded.fingerprint === fingerprint) {
      outcomes.set(student, recorded);
      skipped.push(student);
    } else {
      work.push({ student, dir: located.dir, fingerprint, notes: located.notes });
    }
  }
  const writeSummary = () => {
    const done = students.filter((student) => outcomes.has(student)).map((student) => outcomes.get(student)!);
    const pending = students.filter((student) => !outcomes.has(student));
    writeFileAtomically(path.join(outDir, SUMMARY_CSV), summaryCsv(stageIds, done));
    writeFileAtomically(path.join(outDir, SUMMARY_JSON), summaryJson(stageIds, done, pending));
  };
  emit({ kind: 'start', students: students.length, toGrade: work.length, alreadyGraded: skipped.length, parallel: options.parallel });
  writeSummary();

  const gradedNow: string[] = [];
  const batch: BatchSettings = { stageIds, maxScores, stageParallel, timeoutSeconds };
  let next = 0;
  const worker = async () => {
    while (next < work.length && !options.signal?.aborted) {
      const item = work[next++];
      emit({ kind: 'student-start', student: item.student });
      const outcome = await gradeStudent(item, path.join(outDir, item.student), batch, options);
      if (!outcome) return; // stopped: the student stays pending
      outcomes.set(item.student, outcome);
      gradedNow.push(item.student);
      writeSummary();
      emit({ kind: 'student-end', outcome, finished: gradedNow.length, toGrade: work.length, elapsedMs: Number(process.hrtime.bigint() - started) / 1e6 });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, work.length)) }, worker));
  writeSummary();
  return {
    outcomes: students.filter((student) => outcomes.has(student)).map((student) => outcomes.get(student)!),
    gradedNow,
    skipped,
    pending: students.filter((student) => !outcomes.has(student)),
    interrupted: options.signal?.aborted ?? false,
  };
}
