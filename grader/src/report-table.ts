/**
 * The grade as a person reads it on a terminal: one table per stage, then a summary table.
 *
 * @module
 */
import Table from 'cli-table3';
import pc from 'picocolors';
import type { GradeReport, StageReport } from './grade';
import { reviewLines, type ReviewFinding } from './needs-review';
import type { TestReport } from './score-stage';
import { STAGES } from './stages';
import type { SubmissionIntake } from './submission';

/** Above this many tests a stage table lists only the tests that did not pass. */
const LIST_ALL_TESTS_UP_TO = 12;

function percent(score: number, max: number): string {
  return max === 0 ? '—' : `${Math.floor((score * 100) / max)}%`;
}

function statusCell(test: TestReport): string {
  if (test.status === 'passed') return pc.green('pass');
  if (test.status === 'missing') return pc.yellow('did not run');
  if (test.failed_seeds && test.failed_seeds.length > 1) return pc.red(`fail (seeds ${test.failed_seeds.slice(0, 3).join(', ')}${test.failed_seeds.length > 3 ? ', …' : ''})`);
  return pc.red(test.seed !== undefined ? `fail (seed ${test.seed})` : 'fail');
}

function firstLine(text: string | undefined): string {
  if (!text) return '';
  const line = text.split('\n').find((candidate) => candidate.trim() !== '') ?? '';
  return line.length > 100 ? `${line.slice(0, 97)}...` : line;
}

/** The table of one stage's tests (all of them, or the failures when there are many). */
export function formatStage(stage: StageReport): string {
  const lines: string[] = [];
  // A stage that did not end normally (crashed, timeout…) says so in its header: its 0 is not a plain 0.
  const ended = stage.status === 'passed' || stage.status === 'failed' ? '' : `  ${stage.status.toUpperCase()}`;
  const header = `Stage ${stage.stage.toUpperCase()}: ${stage.title}  ${stage.score}/${stage.max_score} (${percent(stage.score, stage.max_score)})${ended}`;
  lines.push(stage.score === stage.max_score && stage.max_score > 0 ? pc.green(pc.bold(header)) : pc.bold(header));
  if (stage.reason) lines.push(pc.yellow(stage.reason));
  const notStarted = stage.tests.length > 0 && stage.tests.every((test) => test.status !== 'passed' && (test.message ?? '').includes('Not implemented'));
  if (notStarted) {
    lines.push(pc.dim(`Not started: all ${stage.tests.length} tests stop at a stub's "Not implemented". Read ${stage.handout}.`));
    return lines.join('\n');
  }
  const noneRan = stage.tests.length > 0 && stage.tests.every((test) => test.status === 'missing');
  if (noneRan && stage.status !== 'type-error') {
    lines.push(pc.dim(`None of its ${stage.tests.length} tests ran. Read ${stage.handout}.`));
    for (const problem of stage.kitProblems) lines.push(pc.magenta(`kit problem: ${problem}`));
    return lines.join('\n');
  }
  const listed = stage.tests.length <= LIST_ALL_TESTS_UP_TO ? stage.tests : stage.tests.filter((test) => test.status !== 'passed');
  if (listed.length > 0 && stage.status !== 'type-error') {
    const table = new Table({ head: ['test', 'result', 'points', 'why'], style: { head: [], border: [] }, wordWrap: true, colWidths: [58, 16, 8, 50] });
    for (const test of listed) {
      const name = test.hidden ? `${test.name} ${pc.dim('(hidden)')}` : test.name;
      table.push([name, statusCell(test), `${test.score}/${test.max_score}`, firstLine(test.message)]);
    }
    lines.push(table.toString());
  }
  const passed = stage.tests.filter((test) => test.status === 'passed').length;
  if (listed.length === 0 && passed === stage.tests.length && passed > 0) lines.push(pc.green(`All ${passed} tests passed.`));
  else if (listed.length < stage.tests.length) lines.push(pc.dim(`${passed} other tests passed.`));
  if (stage.score < stage.max_score) lines.push(pc.dim(`Read ${stage.handout}; each failing test's message says what was expected.`));
  for (const problem of stage.kitProblems) lines.push(pc.magenta(`kit problem: ${problem}`));
  return lines.join('\n');
}

/** The summary table of every stage, with the total. */
export function formatSummary(report: GradeReport): string {
  const table = new Table({ head: ['stage', 'title', 'score', '%', 'status', 'time'], style: { head: [], border: [] } });
  for (const stage of report.stages) {
    table.push([stage.stage, stage.title, `${stage.score}/${stage.max_score}`, percent(stage.score, stage.max_score), stage.status, `${(stage.wall_ms / 1000).toFixed(1)} s`]);
  }
  table.push([pc.bold('total'), '', pc.bold(`${report.score}/${report.max_score}`), pc.bold(percent(report.score, report.max_score)), '', `${(report.wall_ms / 1000).toFixed(1)} s`]);
  const lines = [table.toString()];
  const unfinished = report.stages.filter((stage) => stage.status !== 'passed' && stage.status !== 'failed');
  if (unfinished.length > 0) {
    const which = unfinished.map((stage) => `${stage.stage} ${stage.status}`).join(', ');
    const one = unfinished.length === 1;
    lines.push(`${unfinished.length} stage${one ? '' : 's'} did not end normally (${which}): ${one ? 'its reason is' : 'their reasons are'} printed above, under ${one ? 'its table' : 'their tables'}.`);
  }
  const unimplemented = report.stages.every((stage) => stage.status === 'failed' && stage.tests.every((test) => test.status !== 'passed'));
  if (report.score === 0 && unimplemented && report.impl.startsWith('labs')) {
    const first = STAGES.find((stage) => stage.id === report.stages[0]?.stage) ?? STAGES[0];
    lines.push(
      `Every stage scores 0: nothing is implemented yet (the stubs throw "Not implemented"). ` +
        `That is where everyone starts: read ${first.handout}, then run \`npx tinykv test ${first.id}\` as you work.`,
    );
  }
  return lines.join('\n');
}

/** What was taken from a submission, in a few lines. */
export function formatSubmission(intake: SubmissionIntake): string {
  const lines = [pc.bold(`Submission ${intake.dir}`), `used ${intake.used.length} editable file(s): ${intake.used.join(', ') || 'none'}`];
  if (intake.missing.length > 0) lines.push(`not in the submission (the stub is used): ${intake.missing.join(', ')}`);
  for (const { file, reason } of intake.rejected) lines.push(pc.yellow(`refused ${file}: ${reason} (the stub is used)`));
  if (intake.ignoredCount > 0) {
    const more = intake.ignoredCount > intake.ignored.length ? ` and ${intake.ignoredCount - intake.ignored.length} more` : '';
    lines.push(pc.dim(`ignored ${intake.ignoredCount} other file(s), which always come from the kit: ${intake.ignored.join(', ')}${more}`));
  }
  return lines.join('\n');
}

/** How many review findings the terminal lists (the JSON report has them all). */
const REVIEW_LISTED = 20;

/** What needs review in a submission: for the instructor grading it (`--submission` only). */
export function formatReview(findings: readonly ReviewFinding[]): string {
  const more = findings.length > REVIEW_LISTED ? [pc.dim(`… and ${findings.length - REVIEW_LISTED} more, listed under "review" in the JSON report`)] : [];
  return [
    pc.magenta(pc.bold(`Needs review (instructors only): ${findings.length} place(s) in the submitted files do what no lab solution needs. The score is unchanged.`)),
    ...reviewLines(findings.slice(0, REVIEW_LISTED)).map((line) => `  ${line}`),
    ...more,
  ].join('\n');
}

/** The whole report for a terminal. */
export function formatReport(report: GradeReport): string {
  const seeds = report.seeds !== undefined ? `, every seeded test under ${report.seeds} seeds` : '';
  const submission = report.submission ? [formatSubmission(report.submission)] : [];
  const review = report.review && report.review.length > 0 ? [formatReview(report.review)] : [];
  return [pc.bold(`Grading ${report.impl}${seeds}`), ...submission, ...report.stages.map(formatStage), formatSummary(report), ...review].join('\n\n');
}
