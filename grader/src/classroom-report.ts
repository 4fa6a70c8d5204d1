/**
 * `tinykv ci-report grade.json`: the score of a grade, published where a CI run shows it. In
 * GitHub Actions (GitHub Classroom runs its autograding there) that is
 *
 * - the job summary (`$GITHUB_STEP_SUMMARY`): a table per stage and the tests that failed;
 * - the step output `result` (`$GITHUB_OUTPUT`): the payload GitHub Classroom's grading
 *   reporter reads (base64 JSON: `status`, `max_score`, and one test per stage with its
 *   `score`), so that Classroom shows the points;
 *
 * and the exit code: 1 when the score is under `--fail-under`, which fails the run.
 *
 * @module
 */
import * as fs from 'node:fs';
import type { GradeReport } from './grade';

/** One entry of the Classroom reporter's payload. */
export interface ClassroomTest {
  readonly name: string;
  readonly status: 'pass' | 'fail';
  readonly score: number;
  readonly max_score: number;
  readonly message: string;
}

/** The payload of one runner for GitHub Classroom's grading reporter. */
export interface ClassroomRunnerResult {
  readonly version: 1;
  readonly status: 'pass' | 'fail';
  readonly max_score: number;
  readonly tests: readonly ClassroomTest[];
}

/** The report's percentage, 0 when there is nothing to score. */
export function reportPercent(report: GradeReport): number {
  return report.max_score === 0 ? 0 : (report.score * 100) / report.max_score;
}

/** Whether the grade meets the threshold (always, without one). */
export function meetsThreshold(report: GradeReport, failUnder: number | undefined): boolean {
  return failUnder === undefined || reportPercent(report) >= failUnder;
}

function firstLine(text: string | undefined): string {
  const line = (text ?? '').split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return line.length > 160 ? `${line.slice(0, 157)}...` : line;
}

/** The reporter's payload: one test per stage, so Classroom's points are the kit's points. */
export function classroomRunnerResult(report: GradeReport, failUnder: number | undefined): ClassroomRunnerResult {
  return {
    version: 1,
    status: meetsThreshold(report, failUnder) ? 'pass' : 'fail',
    max_score: report.max_score,
    tests: report.stages.map((stage) => {
      const failed = stage.tests.filter((test) => test.status !== 'passed');
      const message = stage.reason ? firstLine(stage.reason) : failed.length > 0 ? `${failed.length} test(s) did not pass, e.g. ${failed[0].name}: ${firstLine(failed[0].message)}` : '';
      return { name: `Stage ${stage.stage}: ${stage.title}`, status: stage.score === stage.max_score ? 'pass' : 'fail', score: stage.score, max_score: stage.max_score, message };
    }),
  };
}

/** A Markdown table cell: pipes and line breaks would break the table. */
function cell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Failed tests listed in the job summary, at most. */
const FAILURES_LISTED = 20;

/** The job summary: total, a row per stage, the first failures, the threshold's verdict. */
export function jobSummaryMarkdown(report: GradeReport, failUnder: number | undefined): string {
  const lines = [`## tinykv: ${report.score}/${report.max_score} (${reportPercent(report).toFixed(1)}%)`, '', '| stage | title | score | status |', '| --- | --- | ---: | --- |'];
  for (const stage of report.stages) lines.push(`| ${cell(stage.stage)} | ${cell(stage.title)} | ${stage.score}/${stage.max_score} | ${cell(stage.status)} |`);
  const failures = report.stages.flatMap((stage) => stage.tests.filter((test) => test.status !== 'passed').map((test) => ({ stage, test })));
  if (failures.length > 0) {
    lines.push('', `### Tests that did not pass (${failures.length})`, '');
    for (const { stage, test } of failures.slice(0, FAILURES_LISTED)) lines.push(`- \`${cell(test.name)}\`: ${cell(firstLine(test.message ?? stage.reason ?? test.status))}`);
    if (failures.length > FAILURES_LISTED) lines.push(`- … and ${failures.length - FAILURES_LISTED} more: run \`npx tinykv grade\` on your machine for all of them.`);
  }
  if (failUnder !== undefined) {
    lines.push('', meetsThreshold(report, failUnder) ? `Meets the threshold of ${failUnder}%.` : `**Below the threshold of ${failUnder}%**: this run fails.`);
  }
  return `${lines.join('\n')}\n`;
}

/** Reads a report written by `tinykv grade --json`. */
export function readGradeReport(file: string): GradeReport {
  const report = JSON.parse(fs.readFileSync(file, 'utf8')) as GradeReport;
  if (typeof report.score !== 'number' || typeof report.max_score !== 'number' || !Array.isArray(report.stages)) throw new Error(`${file} is not a report written by tinykv grade --json.`);
  return report;
}

/** Where to publish: files GitHub Actions names in the environment (absent outside Actions). */
export interface CiTargets {
  readonly summaryFile?: string;
  readonly outputFile?: string;
}

/**
 * Publishes the report: appends the job summary and the `result` output when Actions gave their
 * files, and returns the summary text (printed on a terminal outside Actions) and the verdict.
 */
export function publishCiReport(report: GradeReport, failUnder: number | undefined, targets: CiTargets): { readonly summary: string; readonly passed: boolean } {
  const summary = jobSummaryMarkdown(report, failUnder);
  if (targets.summaryFile) fs.appendFileSync(targets.summaryFile, summary);
  if (targets.outputFile) {
    const payload = Buffer.from(JSON.stringify(classroomRunnerResult(report, failUnder))).toString('base64');
    fs.appendFileSync(targets.outputFile, `result=${payload}\n`);
  }
  return { summary, passed: meetsThreshold(report, failUnder) };
}
