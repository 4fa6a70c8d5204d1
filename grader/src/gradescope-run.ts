/**
 * What `run_autograder` runs inside Gradescope's container (`tinykv gradescope-run`): grade
 * `<root>/submission` with the submission grading (only the editable files are taken) and write
 * `<root>/results/results.json` in Gradescope's format. It always leaves a valid results file:
 * if grading itself fails, the file says so with a score of 0 and the instructor sees why in the
 * autograder output (stdout, which students do not see).
 *
 * The settings chosen when the package was built (stages, visibility of hidden tests, time
 * limit) come from `<root>/source/tinykv-autograder.json`.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomically } from './atomic-write';
import { grade, type GradeReport } from './grade';
import { gradescopeResultsProblems, GRADESCOPE_VISIBILITIES } from './gradescope-results-schema';
import { locateSubmission } from './gradescope-submission-layout';
import { toGradescopeResults, type GradescopeVisibility } from './report-formats';
import { formatReport } from './report-table';
import { WORK_ROOT } from './repo-paths';
import { selectStages } from './stage-selection';
import { STAGES } from './stages';
import type { SubmissionIntake } from './submission';

/** The file in the package (next to setup.sh) holding the settings chosen at packaging time. */
export const AUTOGRADER_CONFIG_FILE = 'tinykv-autograder.json';

/** The settings `tinykv gradescope-package` bakes into the package. */
export interface AutograderConfig {
  /** Stage ids to grade, e.g. `["1"]` or every stage. */
  readonly stages: readonly string[];
  /** How Gradescope shows hidden tests to students. */
  readonly hiddenVisibility: GradescopeVisibility;
  /** Caps every stage's time limit, in seconds. */
  readonly timeLimitSeconds?: number;
  /** Stage processes at once (default: the container's core count). */
  readonly parallel?: number;
}

/** Reads and checks the package's settings. */
export function readAutograderConfig(file: string): AutograderConfig {
  const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<AutograderConfig>;
  if (!Array.isArray(parsed.stages) || parsed.stages.some((id) => typeof id !== 'string')) throw new Error(`${file}: "stages" must be a list of stage ids.`);
  if (!GRADESCOPE_VISIBILITIES.includes(parsed.hiddenVisibility as GradescopeVisibility)) throw new Error(`${file}: "hiddenVisibility" must be one of ${GRADESCOPE_VISIBILITIES.join(', ')}.`);
  for (const field of ['timeLimitSeconds', 'parallel'] as const) {
    const value = parsed[field];
    if (value !== undefined && (!Number.isSafeInteger(value) || value < 1)) throw new Error(`${file}: "${field}" must be a whole number of at least 1.`);
  }
  return parsed as AutograderConfig;
}

/** One sentence listing files, or nothing. */
function fileSentence(label: string, files: readonly string[]): string[] {
  return files.length === 0 ? [] : [`${label}: ${files.join(', ')}.`];
}

/** What the student should know about which of their files were graded. */
function intakeLines(intake: SubmissionIntake | undefined): string[] {
  if (!intake) return [];
  return [
    ...fileSentence('Graded your files', intake.used),
    ...fileSentence('Not found in your submission (the kit’s stubs were used)', intake.missing),
    ...intake.rejected.map((entry) => `Not used: ${entry.file}, because ${entry.reason}.`),
  ];
}

/**
 * The results.json for a finished grade: the kit's Gradescope format, with the run's time, the
 * notes about the submission first in the overall output, and the kit's total kept in
 * `extra_data` (Gradescope's format has no top-level maximum: the assignment sets it).
 */
export function autograderResults(report: GradeReport, hiddenVisibility: GradescopeVisibility, notes: readonly string[], executionSeconds: number): Record<string, unknown> {
  const { max_score: maxScore, output, ...rest } = toGradescopeResults(report, hiddenVisibility) as Record<string, unknown>;
  const header = [...notes, ...intakeLines(report.submission)];
  return {
    ...rest,
    execution_time: Math.round(executionSeconds),
    output: [...header, ...(header.length > 0 ? [''] : []), String(output ?? '')].join('\n'),
    extra_data: { max_score: maxScore, stages: report.stages.map((stage) => ({ stage: stage.stage, score: stage.score, max_score: stage.max_score, status: stage.status })) },
  };
}

/** The results.json written when grading could not run: a valid file, score 0, a sentence for the student. */
export function failedRunResults(): Record<string, unknown> {
  return {
    score: 0,
    output: 'The autograder could not grade this submission because of a problem on the grading side, not in your code. Your instructor can see the details; please tell them.',
    stdout_visibility: 'hidden',
    tests: [],
  };
}

/**
 * Grades the submission under `root` (Gradescope's `/autograder`, or a simulated one) and writes
 * `root/results/results.json`. Never throws: a failure is written as {@link failedRunResults}
 * and printed for the instructor.
 *
 * @returns the grade, or undefined when grading failed.
 */
export async function runAutograder(root: string, log: (line: string) => void = console.log): Promise<GradeReport | undefined> {
  const started = process.hrtime.bigint();
  const resultsFile = path.join(root, 'results', 'results.json');
  try {
    const config = readAutograderConfig(path.join(root, 'source', AUTOGRADER_CONFIG_FILE));
    const located = locateSubmission(path.join(root, 'submission'), STAGES, path.join(WORK_ROOT, 'gradescope-loose-files'));
    for (const note of located.notes) log(`submission: ${note}`);
    const report = await grade({
      stages: selectStages(config.stages),
      impl: 'labs',
      referenceStages: [],
      submissionDir: located.dir,
      timeLimitSeconds: config.timeLimitSeconds,
      parallelism: config.parallel,
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const results = autograderResults(report, config.hiddenVisibility, located.notes, seconds);
    const problems = gradescopeResultsProblems(results);
    if (problems.length > 0) throw new Error(`The results do not follow Gradescope's format:\n${problems.join('\n')}`);
    writeFileAtomically(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
    log(formatReport(report));
    return report;
  } catch (error) {
    log(`tinykv autograder failed: ${(error as Error).stack ?? String(error)}`);
    writeFileAtomically(resultsFile, `${JSON.stringify(failedRunResults(), null, 2)}\n`);
    return undefined;
  }
}
