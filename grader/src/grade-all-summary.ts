/**
 * The outcome of grading one student in a batch, and the batch's summary in the two forms an
 * instructor feeds to a spreadsheet or a script: CSV (one row per student, one column per
 * stage) and JSON (the same, with each stage's status).
 *
 * @module
 */
import type { GradeReport } from './grade';

/**
 * How grading a student ended. `graded`: the grader finished and wrote its report (whatever the
 * score, and whatever the student's code did: a hang or a crash is inside the report);
 * `grader-error`: the grader itself exited without a report; `grader-timeout`: the grader ran
 * past the batch's limit for one submission and was killed.
 */
export type StudentStatus = 'graded' | 'grader-error' | 'grader-timeout';

/** One stage's result for one student. */
export interface StudentStageResult {
  readonly score: number;
  readonly max_score: number;
  /** The stage's status from the report (`passed`, `failed`, `timeout`, `crashed`, `type-error`, …). */
  readonly status: string;
}

/** One student's line of the summary; also the marker that says the student is done. */
export interface StudentOutcome {
  readonly student: string;
  readonly status: StudentStatus;
  readonly score: number;
  readonly max_score: number;
  readonly stages: Readonly<Record<string, StudentStageResult>>;
  /** Why the score is not simply the tests' verdict: stages that did not end normally, files not found, grader failures. */
  readonly reasons: readonly string[];
  readonly wall_ms: number;
  /** What was graded (see grade-all-resume.ts): a later run skips the student while it is unchanged. */
  readonly fingerprint: string;
}

/** The gist of a stage's reason: its first line, and the next one when the first announces it (ends with a colon). */
function gist(text: string | undefined): string {
  const lines = (text ?? '').split('\n').map((line) => line.trim()).filter((line) => line !== '');
  const shown = lines[0]?.endsWith(':') && lines.length > 1 ? `${lines[0]} ${lines[1]}` : (lines[0] ?? '');
  return shown.length > 240 ? `${shown.slice(0, 237)}...` : shown;
}

/** The outcome of a finished grade; `notes` say how the submission was found (see gradescope-submission-layout.ts). */
export function outcomeFromReport(student: string, report: GradeReport, wallMs: number, fingerprint: string, notes: readonly string[] = []): StudentOutcome {
  const reasons = [...notes];
  for (const stage of report.stages) {
    if (stage.status !== 'passed' && stage.status !== 'failed') reasons.push(`stage ${stage.stage} ${stage.status}: ${gist(stage.reason)}`);
  }
  return {
    student,
    status: 'graded',
    score: report.score,
    max_score: report.max_score,
    stages: Object.fromEntries(report.stages.map((stage) => [stage.stage, { score: stage.score, max_score: stage.max_score, status: stage.status }])),
    reasons,
    wall_ms: Math.round(wallMs),
    fingerprint,
  };
}

/** The outcome of a grade that produced no report: 0 on every stage, with the reason. */
export function outcomeWithoutReport(student: string, status: Exclude<StudentStatus, 'graded'>, reason: string, maxScores: Readonly<Record<string, number>>, wallMs: number, fingerprint: string): StudentOutcome {
  return {
    student,
    status,
    score: 0,
    max_score: Object.values(maxScores).reduce((sum, points) => sum + points, 0),
    stages: Object.fromEntries(Object.entries(maxScores).map(([stage, max]) => [stage, { score: 0, max_score: max, status }])),
    reasons: [reason],
    wall_ms: Math.round(wallMs),
    fingerprint,
  };
}

/** A CSV field, quoted when it holds a comma, a quote or a line break (RFC 4180). */
function csvField(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The percentage shown in summaries: one decimal, 0 when there is nothing to score. */
export function percentOf(score: number, max: number): number {
  return max === 0 ? 0 : Math.round((score * 1000) / max) / 10;
}

/** The CSV summary: student, status, total, max, percent, one column per stage, reasons. */
export function summaryCsv(stageIds: readonly string[], outcomes: readonly StudentOutcome[]): string {
  const header = ['student', 'status', 'score', 'max_score', 'percent', ...stageIds.map((id) => `stage ${id}`), 'reasons'];
  const rows = outcomes.map((outcome) => [
    outcome.student,
    outcome.status,
    outcome.score,
    outcome.max_score,
    percentOf(outcome.score, outcome.max_score),
    ...stageIds.map((id) => outcome.stages[id]?.score ?? ''),
    outcome.reasons.join('; '),
  ]);
  return `${[header, ...rows].map((row) => row.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** The JSON summary: the same rows, with each stage's maximum and status. */
export function summaryJson(stageIds: readonly string[], outcomes: readonly StudentOutcome[], pending: readonly string[]): string {
  const students = outcomes.map(({ fingerprint: _fingerprint, ...rest }) => ({ ...rest, percent: percentOf(rest.score, rest.max_score) }));
  return `${JSON.stringify({ stages: stageIds, graded: outcomes.length, pending, students }, null, 2)}\n`;
}
