/**
 * Turning what a stage process reported into points through the rubric.
 *
 * Rules: a passing test earns its rubric points; a failing, skipped or missing test earns
 * none; a test that ran but is not in the rubric, or a rubric entry that names no test of a
 * stage that ran to completion, is a problem of the kit and is reported as such.
 *
 * @module
 */
import { errorExcerpt } from './error-excerpt';
import type { Rubric } from './rubric';
import type { ProcessEnding, ReportedTest, StageProcessResult } from './stage-process';

/** The mark the framework canary puts in its failures (labs/common/testkit/framework-canary.ts). */
export const TAMPER_MARK = 'TINYKV-TAMPER';

/** A test's result in the report. */
export type TestStatus = 'passed' | 'failed' | 'missing';

/** One test line of the report (JSON field names are part of the stable report format). */
export interface TestReport {
  readonly name: string;
  readonly status: TestStatus;
  readonly score: number;
  readonly max_score: number;
  readonly duration_ms: number;
  readonly hidden: boolean;
  /** The first seed that failed (seeded tests only). */
  readonly seed?: number;
  /** Every seed that failed (seeded tests only). */
  readonly failed_seeds?: readonly number[];
  readonly message?: string;
}

/** How a stage ended, as the report states it. */
export type StageStatus = 'passed' | 'failed' | 'timeout' | 'crashed' | 'out-of-memory' | 'type-error' | 'tampered' | 'kit-error';

/** A stage's scored result. */
export interface ScoredStage {
  readonly status: StageStatus;
  readonly reason?: string;
  readonly score: number;
  readonly max_score: number;
  readonly tests: readonly TestReport[];
  /** Problems of the kit itself (rubric and tests out of step); empty for a healthy kit. */
  readonly kitProblems: readonly string[];
}

const MESSAGE_LIMIT = 2000;

function cutMessage(message: string): string | undefined {
  const trimmed = message.trim();
  if (trimmed === '') return undefined;
  return trimmed.length > MESSAGE_LIMIT ? `${trimmed.slice(0, MESSAGE_LIMIT)} …` : trimmed;
}

/** The seeds a failing seeded test names (see labs/common/testkit/seeds.ts), first one first. */
export function failedSeeds(message: string): number[] {
  const match = /Failed under seeds? ([\d, ]+)/.exec(message);
  return match ? match[1].split(',').map((text) => Number(text.trim())).filter((seed) => Number.isSafeInteger(seed)) : [];
}

/** The first seed a failing seeded test names. */
export function failedSeed(message: string): number | undefined {
  return failedSeeds(message)[0];
}

/** Why a stage's process did not complete: a sentence, and the start of its error output for a crash. */
interface EndingReason {
  readonly summary: string;
  readonly errorOutput?: string;
}

function endingReason(ending: ProcessEnding, stderrHead: string, stderrTail: string): EndingReason | undefined {
  switch (ending.kind) {
    case 'completed':
      return undefined;
    case 'timeout':
      return { summary: `The stage's tests were stopped at the ${ending.limitSeconds} s time limit (an infinite loop or a hang?); tests that finished before that are scored.` };
    case 'out-of-memory':
      return { summary: `The stage's test process ran out of memory (limit ${ending.limitMb} MB); tests that finished before that are scored.` };
    case 'exited-early': {
      const how = ending.signal ? `was killed by ${ending.signal}` : `exited with code ${ending.exitCode}`;
      const exitCall = EXIT_CALL.exec(stderrTail) ?? EXIT_CALL.exec(stderrHead);
      const detail = exitCall ? ` (the code under test called process.exit(${exitCall[1]}))` : '';
      // The start of stderr is where jest (or node) says why it stopped: a configuration error,
      // the process.exit call and where it was made, a fatal throw.
      const excerpt = errorExcerpt(stderrHead || stderrTail);
      return {
        summary: `The stage's test process ${how} before finishing${detail}; tests that finished before that are scored.`,
        errorOutput: excerpt === '' ? 'It wrote nothing on stderr.' : `Its error output began:\n${excerpt.replace(/^/gm, '  ')}`,
      };
    }
  }
}

/** What jest prints when the code under test calls process.exit. */
const EXIT_CALL = /process\.exit called with "?([^"\s]+)"?/;

/** The ending's full text: its sentence, then the error output it quotes. */
function endingText(ending: EndingReason): string {
  return ending.errorOutput ? `${ending.summary}\n${ending.errorOutput}` : ending.summary;
}

function statusOf(ending: ProcessEnding, allPassed: boolean): StageStatus {
  switch (ending.kind) {
    case 'completed':
      return allPassed ? 'passed' : 'failed';
    case 'timeout':
      return 'timeout';
    case 'out-of-memory':
      return 'out-of-memory';
    case 'exited-early':
      return 'crashed';
  }
}

/** Scores one stage's process result against its rubric. */
export function scoreStage(rubric: Rubric, result: StageProcessResult): ScoredStage {
  // A file whose end-of-file framework check tripped cannot vouch for any of its tests.
  const tampered = new Map(result.fileErrors.filter((error) => error.error.includes(TAMPER_MARK)).map((error) => [error.file, error.error]));
  const reported = new Map<string, ReportedTest>();
  for (const test of result.tests) {
    const tamper = tampered.get(test.file);
    reported.set(test.name, tamper !== undefined ? { ...test, status: 'failed', message: tamper } : test);
  }
  const kitProblems: string[] = [];
  const completed = result.ending.kind === 'completed';
  const ending = endingReason(result.ending, result.stderrHead, result.stderrTail);
  const tests: TestReport[] = rubric.entries.map((entry) => {
    const run = reported.get(entry.name);
    if (!run) {
      const fileError = result.fileErrors.find((error) => !error.error.includes(TAMPER_MARK))?.error;
      if (completed && !fileError) kitProblems.push(`The rubric names "${entry.name}" but no such test ran.`);
      const why = fileError
        ? `Its test file failed to run: ${fileError}`
        : ending
          ? `This test did not run. ${endingText(ending)}`
          : 'This test did not run (it does not exist in the stage\'s test files).';
      return { name: entry.name, status: 'missing', score: 0, max_score: entry.points, duration_ms: 0, hidden: entry.hidden, message: cutMessage(why) };
    }
    const passed = run.status === 'passed';
    const message = passed ? undefined : cutMessage(run.message || `The test was ${run.status}.`);
    const seeds = passed ? [] : failedSeeds(run.message);
    return {
      name: entry.name,
      status: passed ? 'passed' : 'failed',
      score: passed ? entry.points : 0,
      max_score: entry.points,
      duration_ms: Math.round(run.durationMs),
      hidden: entry.hidden,
      ...(seeds.length > 0 ? { seed: seeds[0], failed_seeds: seeds } : {}),
      ...(message !== undefined ? { message } : {}),
    };
  });
  const named = new Set(rubric.entries.map((entry) => entry.name));
  for (const test of result.tests) {
    if (!named.has(test.name)) kitProblems.push(`The test "${test.name}" (${test.file}) is not in the rubric, so it earns nothing.`);
  }
  const score = tests.reduce((sum, test) => sum + test.score, 0);
  const max = tests.reduce((sum, test) => sum + test.max_score, 0);
  const allPassed = tests.every((test) => test.status === 'passed');
  const reasons: string[] = [];
  if (ending) reasons.push(endingText(ending));
  const firstTamper = [...tampered.values()][0] ?? result.tests.find((test) => test.message.includes(TAMPER_MARK))?.message;
  if (firstTamper) reasons.push(`The code under test changed the test framework; the tests affected score 0. ${firstTamper.split('\n')[0]}`);
  const loadError = result.fileErrors.find((error) => !error.error.includes(TAMPER_MARK));
  if (!ending && loadError) reasons.push(`A test file failed to load: ${loadError.file}: ${loadError.error.split('\n')[0]}`);
  if (result.forgedLines > 0) reasons.push(`Ignored ${result.forgedLines} result line(s) not written by the grader (the code under test wrote into the results file).`);
  const reason = reasons.length > 0 ? reasons.join('\n') : undefined;
  return { status: statusOf(result.ending, allPassed), ...(reason ? { reason } : {}), score, max_score: max, tests, kitProblems };
}
