/**
 * `tinykv grade`: build the workspace, type-check it once, run each selected stage's public
 * and hidden tests in its own process (in parallel up to the core count), and score them.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadRubric, maxScore, type Rubric } from './rubric';
import { KIT_ROOT, WORK_ROOT } from './repo-paths';
import { scoreStage, type ScoredStage } from './score-stage';
import { changedFiles, fingerprintTree } from './tree-fingerprint';
import { runStageProcess } from './stage-process';
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
  readonly stages: readonly StageReport[];
}

/** A short label for the workspace folder: `labs`, `reference`, `labs+ref-2aa-2ab`, `submission-alice`. */
export function workspaceLabel(impl: Implementation, referenceStages: readonly StageDefinition[], submissionDir?: string): string {
  const base = submissionDir ? `submission-${path.basename(path.resolve(submissionDir)).replace(/[^A-Za-z0-9_.-]/g, '_')}` : impl;
  return referenceStages.length === 0 ? base : `${base}+ref-${referenceStages.map((stage) => stage.id).join('-')}`;
}

/** The test files of a stage that exist in the workspace: public ones and, if present, hidden ones. */
export function stageTestFiles(stage: StageDefinition, workspace: string): string[] {
  const files = [...stage.tests];
  const hiddenDir = path.join(workspace, ...stage.hiddenDir.split('/'));
  if (fs.existsSync(hiddenDir)) {
    for (const entry of fs.readdirSync(hiddenDir).sort()) {
      if (entry.endsWith('.test.ts')) files.push(`${stage.hiddenDir}/${entry}`);
    }
  }
  return files;
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

/** The score of a stage whose code changed the workspace's files: 0, with the files named. */
function treeChanged(rubric: Rubric, changed: readonly string[]): ScoredStage {
  const shown = changed.slice(0, 10).join(', ') + (changed.length > 10 ? ` and ${changed.length - 10} more` : '');
  const reason = `The code under test added, changed or deleted files of the workspace (${shown}), so no result of this stage can be trusted and it scores 0.`;
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

/** Runs one stage in its own copy of the workspace and scores it. */
async function runStage(
  stage: StageDefinition,
  rubric: Rubric,
  root: string,
  workspace: string,
  options: GradeOptions,
  signal: AbortSignal,
  emit: (event: GradeEvent) => void,
): Promise<StageReport> {
  const stageWorkspace = path.join(root, `stage-${stage.id}`);
  fs.cpSync(workspace, stageWorkspace, { recursive: true, verbatimSymlinks: true });
  const total = rubric.entries.length;
  emit({ kind: 'stage-start', stage: stage.id, tests: total });
  const before = fingerprintTree(stageWorkspace);
  const result = await runStageProcess({
    workspace: stageWorkspace,
    testFiles: stageTestFiles(stage, stageWorkspace),
    timeLimitSeconds: Math.min(stage.timeLimitSeconds, options.timeLimitSeconds ?? Number.POSITIVE_INFINITY),
    memoryLimitMb: stage.memoryLimitMb,
    resultsFile: path.join(stageWorkspace, '.results', `${stage.id}.jsonl`),
    env: options.seeds !== undefined ? { TINYKV_SEEDS: String(options.seeds) } : {},
    signal,
    onProgress: (finished) => emit({ kind: 'stage-progress', stage: stage.id, finished, tests: total }),
  });
  const changed = changedFiles(before, fingerprintTree(stageWorkspace));
  const scored = changed.length > 0 ? treeChanged(rubric, changed) : scoreStage(rubric, result);
  const report: StageReport = { stage: stage.id, title: stage.title, handout: stage.handout, wall_ms: Math.round(result.wallMs), ...scored };
  emit({ kind: 'stage-end', stage: stage.id, report });
  return report;
}

/** Last known wall time per stage, so the longest stages start first next time. */
const TIMINGS_FILE = path.join(WORK_ROOT, 'timings.json');

function readTimings(): Record<string, number> {
  try {
    return JSON.parse(fs.readFileSync(TIMINGS_FILE, 'utf8')) as Record<string, number>;
  } catch {
    return {};
  }
}

function writeTimings(previous: Record<string, number>, reports: readonly StageReport[]): void {
  const next = { ...previous };
  for (const report of reports) if (report.status === 'passed' || report.status === 'failed') next[report.stage] = report.wall_ms;
  try {
    writeFileAtomically(TIMINGS_FILE, `${JSON.stringify(next)}\n`);
  } catch {
    // Only a scheduling hint: losing it costs nothing but order.
  }
}

/** The wall time a stage is expected to take: its last time, or its time limit as a rough stand-in. */
function expectedMs(stage: StageDefinition, timings: Record<string, number>): number {
  return timings[stage.id] ?? stage.timeLimitSeconds * 100;
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

/** Grades the selected stages and returns the report (it never throws for a broken submission). */
export async function grade(options: GradeOptions): Promise<GradeReport> {
  const started = process.hrtime.bigint();
  const label = workspaceLabel(options.impl, options.referenceStages, options.submissionDir);
  fs.mkdirSync(WORK_ROOT, { recursive: true });
  const claim = claimWorkspaceRoot(options.workspaceDir ?? path.join(WORK_ROOT, label));
  try {
    return await gradeIn(claim.dir, label, options, started);
  } finally {
    claim.release();
  }
}

async function gradeIn(root: string, label: string, options: GradeOptions, started: bigint): Promise<GradeReport> {
  const emit = options.onEvent ?? (() => undefined);
  fs.rmSync(root, { recursive: true, force: true });
  // One tree is type-checked; each stage then runs in its own copy of it, so whatever one
  // stage's code does to its files cannot change another stage's tests.
  const workspace = path.join(root, 'tree');
  const built = buildWorkspaceWithReport(
    {
      impl: options.impl,
      referenceStages: options.referenceStages,
      ...(options.submissionDir ? { submission: { dir: options.submissionDir, stages: STAGES, graded: options.stages } } : {}),
    },
    workspace,
  );

  const reports = new Map<string, StageReport>();
  const runnable: { stage: StageDefinition; rubric: Rubric }[] = [];
  for (const stage of options.stages) {
    try {
      runnable.push({ stage, rubric: loadRubric(KIT_ROOT, stage) });
    } catch (error) {
      reports.set(stage.id, zeroStage(stage, { stage: stage.id, entries: [] }, 'kit-error', (error as Error).message, 'Not run.'));
    }
  }

  // The type-check runs alongside the stages rather than before them: its verdict only decides
  // which results count, so waiting for it would leave the cores idle. A stage found not to
  // type-check is stopped (or never started) and scores 0.
  emit({ kind: 'typecheck-start' });
  const stopped = new Map<string, AbortController>(runnable.map(({ stage }) => [stage.id, new AbortController()]));
  const typeErrors = new Map<string, string>();
  const typecheckDone = typecheckWorkspace(workspace).then((typecheck) => {
    emit({ kind: 'typecheck-end', durationMs: typecheck.durationMs, errors: typecheck.diagnostics.length });
    for (const { stage } of runnable) {
      const reason = typeErrorReason(stage, typecheck);
      if (reason === undefined) continue;
      typeErrors.set(stage.id, reason);
      stopped.get(stage.id)!.abort();
    }
  });

  const timings = readTimings();
  const longestFirst = [...runnable].sort((a, b) => expectedMs(b.stage, timings) - expectedMs(a.stage, timings));
  await runPool(longestFirst, options.parallelism ?? os.cpus().length, async ({ stage, rubric }) => {
    const signal = stopped.get(stage.id)!.signal;
    if (!signal.aborted) {
      const report = await runStage(stage, rubric, root, workspace, options, signal, emit);
      if (!signal.aborted) reports.set(stage.id, report);
    }
  });
  await typecheckDone;
  for (const { stage, rubric } of runnable) {
    const reason = typeErrors.get(stage.id);
    if (reason !== undefined) reports.set(stage.id, zeroStage(stage, rubric, 'type-error', reason, 'Not run: the stage does not type-check.'));
  }
  writeTimings(timings, [...reports.values()]);

  const stages = options.stages.map((stage) => reports.get(stage.id)!);
  if (options.submissionDir && !options.keepWorkspace) fs.rmSync(root, { recursive: true, force: true });
  return {
    score: stages.reduce((sum, stage) => sum + stage.score, 0),
    max_score: stages.reduce((sum, stage) => sum + stage.max_score, 0),
    impl: label,
    ...(options.seeds !== undefined ? { seeds: options.seeds } : {}),
    wall_ms: Math.round(Number(process.hrtime.bigint() - started) / 1e6),
    ...(built.submission ? { submission: built.submission } : {}),
    stages,
  };
}
