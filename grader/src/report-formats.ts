/**
 * The grade in the formats other systems read: JUnit XML (CI systems, GitHub Classroom) and
 * Gradescope's results.json. Both are derived from the same {@link GradeReport} as the JSON.
 *
 * @module
 */
import type { GradeReport } from './grade';
import { REVIEW_CATEGORIES, reviewLines } from './needs-review';

/** Characters XML 1.0 cannot carry at all (control characters other than tab, newline, return). */
const XML_INVALID = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;

function xmlEscape(text: string): string {
  return text
    .replace(XML_INVALID, '\ufffd')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

/** JUnit XML: one `<testsuite>` per stage, one `<testcase>` per rubric test. */
export function toJUnitXml(report: GradeReport): string {
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const total = report.stages.reduce((sum, stage) => sum + stage.tests.length, 0);
  const failed = report.stages.reduce((sum, stage) => sum + stage.tests.filter((t) => t.status === 'failed').length, 0);
  const errors = report.stages.reduce((sum, stage) => sum + stage.tests.filter((t) => t.status === 'missing').length, 0);
  lines.push(`<testsuites name="tinykv ${xmlEscape(report.impl)}" tests="${total}" failures="${failed}" errors="${errors}" time="${seconds(report.wall_ms)}">`);
  for (const stage of report.stages) {
    const stageFailed = stage.tests.filter((t) => t.status === 'failed').length;
    const stageErrors = stage.tests.filter((t) => t.status === 'missing').length;
    lines.push(
      `  <testsuite name="stage ${xmlEscape(stage.stage)}: ${xmlEscape(stage.title)}" tests="${stage.tests.length}" failures="${stageFailed}" errors="${stageErrors}" time="${seconds(stage.wall_ms)}">`,
    );
    lines.push(`    <properties><property name="score" value="${stage.score}"/><property name="max_score" value="${stage.max_score}"/><property name="status" value="${xmlEscape(stage.status)}"/></properties>`);
    for (const test of stage.tests) {
      const open = `    <testcase classname="tinykv.stage${xmlEscape(stage.stage)}" name="${xmlEscape(test.name)}" time="${seconds(test.duration_ms)}"`;
      if (test.status === 'passed') {
        lines.push(`${open}/>`);
        continue;
      }
      const message = test.message ?? stage.reason ?? test.status;
      const element = test.status === 'missing' ? 'error' : 'failure';
      const firstLine = message.split('\n')[0];
      lines.push(`${open}>`, `      <${element} message="${xmlEscape(firstLine)}">${xmlEscape(message)}</${element}>`, '    </testcase>');
    }
    if (stage.reason) lines.push(`    <system-err>${xmlEscape(stage.reason)}</system-err>`);
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}

/**
 * A stage's reason for Gradescope's summary: its first line, or for a stage that did not run to
 * its end (crashed, timeout…) its first lines, which carry the process's own error output.
 */
function stageReason(stage: GradeReport['stages'][number]): string {
  if (!stage.reason) return '';
  const lines = stage.reason.split('\n');
  const shown = stage.status === 'passed' || stage.status === 'failed' ? lines.slice(0, 1) : lines.slice(0, 8);
  return ` — ${shown.join('\n')}`;
}

/** Gradescope's visibility values. */
export type GradescopeVisibility = 'visible' | 'hidden' | 'after_due_date' | 'after_published';

/** The name of the entry that lists what needs review. */
export const REVIEW_ENTRY_NAME = 'Needs review (instructors only)';

/**
 * The Gradescope entry listing what in the submission needs a human look (needs-review.ts):
 * worth nothing, `hidden` (Gradescope never shows it to students), present only when something
 * was found, so a student's view is the same either way.
 */
function reviewEntry(report: GradeReport): object[] {
  const findings = report.review ?? [];
  if (findings.length === 0) return [];
  const categories = [...new Set(findings.map((finding) => finding.category))].map((category) => `${category}: ${REVIEW_CATEGORIES[category]}`);
  const output = [`${findings.length} place(s) in the submitted files do what no lab solution needs; the score is unchanged. Look at:`, ...reviewLines(findings), '', ...categories].join('\n');
  return [{ name: REVIEW_ENTRY_NAME, number: 'review', score: 0, max_score: 0, status: 'passed', output, visibility: 'hidden' }];
}

/** Gradescope's results.json: overall score and one entry per test. */
export function toGradescopeResults(report: GradeReport, hiddenVisibility: GradescopeVisibility = 'after_due_date'): object {
  const tests = report.stages.flatMap((stage) =>
    stage.tests.map((test) => ({
      name: test.name,
      number: stage.stage,
      score: test.score,
      max_score: test.max_score,
      status: test.status === 'passed' ? 'passed' : 'failed',
      output: test.status === 'passed' ? '' : (test.message ?? stage.reason ?? test.status),
      visibility: test.hidden ? hiddenVisibility : 'visible',
    })),
  );
  const stageLines = report.stages.map((stage) => `Stage ${stage.stage} (${stage.title}): ${stage.score}/${stage.max_score} ${stage.status}${stageReason(stage)}`);
  return { score: report.score, max_score: report.max_score, output: stageLines.join('\n'), visibility: 'visible', stdout_visibility: 'hidden', tests: [...tests, ...reviewEntry(report)] };
}
