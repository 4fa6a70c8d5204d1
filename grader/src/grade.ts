/**
 * `tinykv grade`: build the workspace, type-check it once, run each selected stage's public
 * and hidden tests in its own process (in parallel up to the core count), and score them.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRubric, maxScore, type Rubric } from './rubric';
import { KIT_ROOT, WORK_ROOT, kitPath } from './repo-paths';
import { sandboxHome } from './sandbox-home';
import { reviewSubmission, type ReviewFinding } from './needs-review';
import { precompileTree, type PrecompiledTree } from './precompile';
import { readOnlyDependencies } from './read-only-dependencies';
import { hiddenTestFiles, prepareSandboxRun, type RunPart } from './sandbox-run';
import { scoreStageRuns, type ScoredStage } from './score-stage';
import { changedFiles, fingerprintTree } from './tree-fingerprint';
import { runStageProcess, type StageProcessResult } from './stage-process';
import { STAGES, type StageDefinition } from './stages';
import type { SubmissionIntake } from './submission';
import { diagnosticsForStage, formatDiagnostic, typecheckWorkspace, type TypecheckResult } from './typecheck';
import { writeFileAtomically } from './atomic-write';
import { claimWorkspaceRoot } from './workspace-claim';
import { buildWorkspaceWithReport, type Implementation } from './workspace';

/** What to grade and how. */
export interface GradeOptions {
  readonly stages: readonly StageDefinition[];
  readonly impl: Implementation;
  /** Stages whose editable files come from reference/ instead (`--reference 2a`). */
  readonly referenceStages: readonly StageDefinition[];
  /** Each seeded test must pass under this many seeds. */
  readonly seeds?: number;
  /** How many stage processes run at once (default: the core count). */
  readonly parallelism?: number;
  /** A student's submission folder: only its editable files are used (see submission.ts). */
  readonly submissionDir?: string;
  /** Where the workspace is built (default: .tinykv/work/<label>). */
  readonly workspaceDir?: string;
  /** Keep a submission's workspace after grading (it is removed by default). */
  readonly keepWorkspace?: boolean;
  /** Caps every stage's time limit (seconds), e.g. to grade many submissions quickly. */
  readonly timeLimitSeconds?: number;
  /** Called when a stage starts, progresses or ends (for the terminal display). */
  readonly onEvent?: (event: GradeEvent) => void;
}

/** Progress events for a live display. */
export type GradeEvent =
  | { readonly kind: 'typecheck-start' }
  | { readonly kind: 'typecheck-end'; readonly durationMs: number; readonly errors: number }
  | { readonly kind: 'stage-start'; readonly stage: string; readonly tests: number }
  | { readonly kind: 'stage-progress'; readonly stage: string; readonly finished: number; readonly tests: number }
  | { readonly kind: 'stage-end'; readonly stage: string; readonly report: StageReport };

/** One stage in the report. Field names are the stable JSON format: add fields, never rename. */
export interface StageReport extends ScoredStage {
  readonly stage: string;
  readonly title: string;
  /** The handout a student should read about this stage's failures. */
  readonly handout: string;
  readonly wall_ms: number;
}

/** The whole grade. */
export interface GradeReport {
  readonly score: number;
  readonly max_score: number;
  readonly impl: string;
  readonly seeds?: number;
  readonly wall_ms: number;
  /** For `--submission`: which files were used, missing, refused or ignored. */
  readonly submission?: SubmissionIntake;
  /**
   * For `--submission`, for the instructor only: places in the submitted files that need a
   * human look (see needs-review.ts). Never part of what students are shown.
   */
  readonly review?: readonly ReviewFinding[];
  readonly stages: readonly StageReport[];
}

/** A short label for the workspace folder: `labs`, `reference`, `labs+ref-2aa-2ab`, `submission-alice`. */
export function workspaceLabel(impl: Implementation, referenceStages: readonly StageDefinition[], submissionDir?: string): string {
  const base = submissionDir ? `submission-${path.basename(path.resolve(submissionDir)).replace(/[^A-Za-z0-9_.-]/g, '_')}` : impl;
  return referenceStages.length === 0 ? base : `${base}+ref-${referenceStages.map((stage) => stage.id).join('-')}`;
}

/** The test files of a stage that exist in the workspace: public ones and, if present, hidden ones. */
export function stageTestFiles(stage: StageDefinition, workspace: string): string[] {
  return [...stage.tests, ...hiddenTestFiles(stage, workspace)];
}

function zeroStage(stage: StageDefinition, rubric: Rubric, status: 'type-error' | 'kit-error', reason: string, message: string): StageReport {
  return {
    stage: stage.id,
    title: stage.title,
    handout: stage.handout,
    status,
    reason,
    score: 0,
    max_score: maxScore(rubric),
    wall_ms: 0,
    kitProblems: status === 'kit-error' ? [reason] : [],
    tests: rubric.entries.map((entry) => ({ name: entry.name, status: 'missing', score: 0, max_score: entry.points, duration_ms: 0, hidden: entry.hidden, message })),
  };
}

/**
 * The score of a stage whose code changed the workspace's files: 0, with the files named (the
 * hidden run's only counted: the reason is shown to students).
 */
function treeChanged(rubric: Rubric, publicChanged: readonly string[], hiddenChanged: number): ScoredStage {
  const named = publicChanged.slice(0, 10).join(', ') + (publicChanged.length > 10 ? ` and ${publicChanged.length - 10} more` : '');
  const counted = hiddenChanged > 0 ? `${named === '' ? '' : '; '}${hiddenChanged} file(s) of the hidden tests' workspace` : '';
  const reason = `The code under test added, changed or deleted files of the workspace (${named}${counted}), so no result of this stage can be trusted and it scores 0.`;
  return {
    status: 'tampered',
    reason,
    score: 0,
    max_score: maxScore(rubric),
    kitProblems: [],
    tests: rubric.entries.map((entry) => ({ name: entry.name, status: 'failed', score: 0, max_score: entry.points, duration_ms: 0, hidden: entry.hidden, message: reason })),
  };
}

/** Why a stage scores 0 for its type errors, or undefined when it type-checks. */
function typeErrorReason(stage: StageDefinition, typecheck: TypecheckResult): string | undefined {
  if (typecheck.failure) return typecheck.failure;
  const errors = diagnosticsForStage(stage, typecheck.diagnostics);
  if (errors.length === 0) return undefined;
  const shown = errors.slice(0, 20).map(formatDiagnostic);
  const more = errors.length > shown.length ? [`… and ${errors.length - shown.length} more`] : [];
  return `The code does not type-check (${errors.length} error${errors.length === 1 ? '' : 's'}), so the stage scores 0:\n${[...shown, ...more].join('\n')}`;
}

/** One stage's scored runs, and what the stage's report starts from. */
interface StagePlan {
  readonly stage: StageDefinition;
  readonly rubric: Rubric;
  /** The runs the stage needs: its public tests and, where the kit has them, its hidden tests. */
  readonly parts: readonly RunPart[];
}

/** What one finished run left: its results, and the workspace files it changed (none, normally). */
interface FinishedRun {
  readonly part: RunPart;
  readonly result: StageProcessResult;
  readonly changed: readonly string[];
}

/**
 * Runs one part of a stage (its public or its hidden tests) in a folder of its own, contained
 * (see sandbox-run.ts), and notes which workspace files it changed.
 */
async function runPart(
  plan: StagePlan,
  part: RunPart,
  runsRoot: string,
  tree: string,
  dependencies: string,
  precompiled: PrecompiledTree,
  options: GradeOptions,
  signal: AbortSignal,
  onProgress: (finished: number) => void,
): Promise<FinishedRun> {
  const run = prepareSandboxRun(plan.stage, part, tree, path.join(runsRoot, `${plan.stage.id}-${part}`), dependencies, precompiled);
  try {
    const before = fingerprintTree(run.workspace);
    const result = await runStageProcess({
      workspace: run.workspace,
      testFiles: run.testFiles,
      timeLimitSeconds: Math.min(plan.stage.timeLimitSeconds, options.timeLimitSeconds ?? Number.POSITIVE_INFINITY),
      memoryLimitMb: plan.stage.memoryLimitMb,
      env: options.seeds !== undefined ? { TINYKV_SEEDS: String(options.seeds) } : {},
      signal,
      onProgress,
      containment: run.containment,
    });
    return { part, result, changed: changedFiles(before, fingerprintTree(run.workspace)) };
  } finally {
    run.release();
  }
}

/** Scores a stage from its finished runs. */
function stageReport(plan: StagePlan, runs: readonly FinishedRun[]): StageReport {
  const publicChanged = runs.filter((run) => run.part === 'public').flatMap((run) => run.changed);
  const hiddenChanged = runs.filter((run) => run.part === 'hidden').reduce((sum, run) => sum + run.changed.length, 0);
  const scored = publicChanged.length + hiddenChanged > 0 ? treeChanged(plan.rubric, publicChanged, hiddenChanged) : scoreStageRuns(plan.rubric, runs.map((run) => ({ part: run.part, result: run.result })));
  const wallMs = runs.reduce((sum, run) => sum + run.result.wallMs, 0);
  return { stage: plan.stage.id, title: plan.stage.title, handout: plan.stage.handout, wall_ms: Math.round(wallMs), ...scored };
}

/** Last known wall time per run (`2b` for a stage's public run, `2b/hidden` for its hidden run), so the longest start first. */
const TIMINGS_FILE = path.join(WORK_ROOT, 'timings.json');

function readTimings(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(TIMINGS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function timingKey(stage: StageDefinition, part: RunPart): string {
  return part === 'public' ? stage.id : `${stage.id}/hidden`;
}

function writeTimings(previous: Record<string, number>, measured: ReadonlyMap<string, number>): void {
  try {
    writeFileAtomically(TIMINGS_FILE, `${JSON.stringify({ ...previous, ...Object.fromEntries(measured) })}\n`);
  } catch {
    // Only a scheduling hint: losing it costs nothing but order.
  }
}

/** The wall time a run is expected to take: its last time, or its stage's time limit as a rough stand-in. */
function expectedMs(stage: StageDefinition, part: RunPart, timings: Record<string, number>): number {
  return timings[timingKey(stage, part)] ?? stage.timeLimitSeconds * (part === 'public' ? 100 : 50);
}

async function runPool<T>(items: readonly T[], parallelism: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(parallelism, items.length)) }, async () => {
    while (next < items.length) {
      const item = items[next++];
      await work(item);
    }
  });
  await Promise.all(workers);
}

/** The folder under .tinykv/work where submissions are graded, one after another (see {@link grade}). */
const SUBMISSION_FOLDER = 'submission';

/** Grades the selected stages and returns the report (it never throws for a broken submission). */
export async function grade(options: GradeOptions): Promise<GradeReport> {
  const started = process.hrtime.bigint();
  const label = workspaceLabel(options.impl, options.referenceStages, options.submissionDir);
  fs.mkdirSync(WORK_ROOT, { recursive: true });
  // Submissions share one folder (unless kept for a look): the next submission's type-check
  // then rechecks only what differs from the last one's, a few seconds less per student.
  const folder = options.submissionDir && !options.keepWorkspace ? SUBMISSION_FOLDER : label;
  const claim = claimWorkspaceRoot(options.workspaceDir ?? path.join(WORK_ROOT, folder));
  try {
    return await gradeIn(claim.dir, label, options, started);
  } finally {
    claim.release();
  }
}

/**
 * The report of a grade that could not be carried out at all (the kit itself is broken, a
 * folder cannot be written): every selected stage scores 0 as a kit error that says why. The
 * CLI writes it so that a grade always leaves a valid report.
 */
export function failedGrade(options: GradeOptions, error: unknown): GradeReport {
  const message = `The grader could not grade this: ${(error as Error)?.message ?? String(error)}`;
  const stages = options.stages.map((stage) => {
    let rubric: Rubric = { stage: stage.id, entries: [] };
    try {
      rubric = loadRubric(KIT_ROOT, stage);
    } catch {
      // The stage is reported with no tests.
    }
    return zeroStage(stage, rubric, 'kit-error', message, 'Not run.');
  });
  return {
    score: 0,
    max_score: stages.reduce((sum, stage) => sum + stage.max_score, 0),
    impl: workspaceLabel(options.impl, options.referenceStages, options.submissionDir),
    ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
    wall_ms: 0,
    stages,
  };
}

/**
 * Where the runs of a grade in `root` go: `root/runs/<label>`, or under the grader's own folder
 * when the kit is closed to run users (sandbox-home.ts). The label in the path makes every run
 * process's command line say whose submission it is (`ps` during a batch, leftover checks).
 */
function runsRootFor(root: string, label: string): string {
  const home = sandboxHome();
  const base = home === kitPath('.tinykv') ? path.join(root, 'runs') : path.join(home, 'runs', crypto.createHash('sha256').update(root).digest('hex').slice(0, 12));
  return path.join(base, label);
}

async function gradeIn(root: string, label: string, options: GradeOptions, started: bigint): Promise<GradeReport> {
  const emit = options.onEvent ?? (() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
  const runsRoot = runsRootFor(root, label);
  // The folder owns every runs folder under it (see workspace-claim.ts): an earlier grade's go too.
  fs.rmSync(path.dirname(runsRoot), { recursive: true, force: true });
  // One tree is built and type-checked; each stage's public and hidden tests then run in copies
  // of it, each in a folder of its own (sandbox-run.ts), so whatever one run's code does cannot
  // change another's tests or read another's files. The tree itself holds every stage's hidden
  // tests, so it is closed to everyone but the grader.
  const workspace = path.join(root, 'tree');
  const built = buildWorkspaceWithReport(
    {
      impl: options.impl,
      referenceStages: options.referenceStages,
      ...(options.submissionDir ? { submission: { dir: options.submissionDir, stages: STAGES, graded: options.stages } } : {}),
    },
    workspace,
  );
  fs.chmodSync(workspace, 0o700);
  const review = built.submission ? reviewSubmission(workspace, built.submission.used) : undefined;

  const reports = new Map<string, StageReport>();
  const plans: StagePlan[] = [];
  for (const stage of options.stages) {
    try {
      const rubric = loadRubric(KIT_ROOT, stage);
      const parts: RunPart[] = ['public', ...(hiddenTestFiles(stage, workspace).length > 0 ? (['hidden'] as const) : [])];
      plans.push({ stage, rubric, parts });
    } catch (error) {
      reports.set(stage.id, zeroStage(stage, { stage: stage.id, entries: [] }, 'kit-error', (error as Error).message, 'Not run.'));
    }
  }
  let dependencies: string;
  try {
    dependencies = readOnlyDependencies();
  } catch (error) {
    throw new Error(`could not prepare the read-only copy of node_modules: ${(error as Error).message}`);
  }
  const precompiled = precompileTree(workspace, path.join(root, 'compiled'));

  // The type-check runs alongside the stages rather than before them: its verdict only decides
  // which results count, so waiting for it would leave the cores idle. A stage found not to
  // type-check is stopped (or never started) and scores 0.
  emit({ kind: 'typecheck-start' });
  const stopped = new Map<string, AbortController>(plans.map(({ stage }) => [stage.id, new AbortController()]));
  const typeErrors = new Map<string, string>();
  // Only the selected stages' folders (and what they build on) are checked: an error elsewhere sinks no graded stage.
  const typecheckDone = typecheckWorkspace(workspace, 180, options.stages).then((typecheck) => {
    emit({ kind: 'typecheck-end', durationMs: typecheck.durationMs, errors: typecheck.diagnostics.length });
    for (const { stage } of plans) {
      const reason = typeErrorReason(stage, typecheck);
      if (reason === undefined) continue;
      typeErrors.set(stage.id, reason);
      stopped.get(stage.id)!.abort();
    }
  });

  // Runs are scheduled one by one, longest expected first; a stage is scored when its last run ends.
  const timings = readTimings();
  const measured = new Map<string, number>();
  const finished = new Map<string, FinishedRun[]>();
  const progress = new Map<string, Map<RunPart, number>>();
  const jobs = plans.flatMap((plan) => plan.parts.map((part) => ({ plan, part })));
  jobs.sort((a, b) => expectedMs(b.plan.stage, b.part, timings) - expectedMs(a.plan.stage, a.part, timings));
  await runPool(jobs, options.parallelism ?? os.cpus().length, async ({ plan, part }) => {
    const { stage, rubric } = plan;
    const signal = stopped.get(stage.id)!.signal;
    if (signal.aborted || reports.has(stage.id)) return;
    if (!progress.has(stage.id)) {
      progress.set(stage.id, new Map());
      emit({ kind: 'stage-start', stage: stage.id, tests: rubric.entries.length });
    }
    const counts = progress.get(stage.id)!;
    let run: FinishedRun;
    try {
      run = await runPart(plan, part, runsRoot, workspace, dependencies, precompiled, options, signal, (count) => {
        counts.set(part, count);
        emit({ kind: 'stage-progress', stage: stage.id, finished: [...counts.values()].reduce((sum, value) => sum + value, 0), tests: rubric.entries.length });
      });
    } catch (error) {
      // A stage whose run could not even be set up is the grader's failure, reported as such;
      // the other stages carry on.
      const report = zeroStage(stage, rubric, 'kit-error', `The grader could not run this stage: ${(error as Error).message}`, 'Not run.');
      reports.set(stage.id, report);
      emit({ kind: 'stage-end', stage: stage.id, report });
      return;
    }
    if (signal.aborted) return;
    const runs = [...(finished.get(stage.id) ?? []), run];
    finished.set(stage.id, runs);
    if (runs.length < plan.parts.length) return;
    const report = stageReport(plan, runs);
    if (report.status === 'passed' || report.status === 'failed') for (const done of runs) measured.set(timingKey(stage, done.part), Math.round(done.result.wallMs));
    reports.set(stage.id, report);
    emit({ kind: 'stage-end', stage: stage.id, report });
  });
  await typecheckDone;
  for (const { stage, rubric } of plans) {
    const reason = typeErrors.get(stage.id);
    if (reason !== undefined) reports.set(stage.id, zeroStage(stage, rubric, 'type-error', reason, 'Not run: the stage does not type-check.'));
  }
  writeTimings(timings, measured);

  const stages = options.stages.map((stage) => reports.get(stage.id)!);
  if (options.submissionDir && !options.keepWorkspace) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(path.dirname(runsRoot), { recursive: true, force: true });
  }
  return {
    score: stages.reduce((sum, stage) => sum + stage.score, 0),
    max_score: stages.reduce((sum, stage) => sum + stage.max_score, 0),
    impl: label,
    ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
    wall_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
    ...(built.submission ? { submission: built.submission } : {}),
    ...(review ? { review } : {}),
    stages,
  };
}
