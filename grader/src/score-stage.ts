/**
 * Turning what a stage's runs reported into points through the rubric.
 *
 * Rules: a passing test earns its rubric points; a failing, skipped or missing test earns
 * none. A test that ran but is not in the rubric earns nothing and is reported as the code
 * under test's doing (its code can call `test()` too), never as the kit's; a rubric entry that
 * names no test of a run that completed cleanly is a problem of the kit.
 *
 * A stage is graded in up to two runs (see sandbox-run.ts): its public tests and its hidden
 * tests. A rubric entry is taken only from the run it belongs to. The stage's `reason` is shown
 * to students, so it quotes only the public run: of the hidden run it says what happened, never
 * what its code printed, threw or named. Every message is capped, and so is a stage's total.
 *
 * @module
 */
import { errorExcerpt } from './error-excerpt';
import type { Rubric, RubricEntry } from './rubric';
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
  /** Tests that ran but are not in the rubric: the code under test registered them (absent when none). */
  readonly unexpected_tests?: number;
}

/**
 * One run of a stage: `public` holds the public tests, `hidden` the hidden ones (kept out of
 * the stage's reason), `all` both (a trusted run: the bug catalog, `watch`).
 */
export interface StageRun {
  readonly part: 'public' | 'hidden' | 'all';
  readonly result: StageProcessResult;
}

/** The longest message kept for one test. */
const MESSAGE_LIMIT = 2000;
/** The most message text one stage keeps in all; later messages are replaced by a note. */
export const STAGE_MESSAGES_LIMIT = 24_000;
/** The longest reason a stage gives. */
const REASON_LIMIT = 6000;
/** How many unexpected test names a reason quotes, and how much of each. */
const UNEXPECTED_NAMES_SHOWN = 3;
const UNEXPECTED_NAME_LIMIT = 80;

function cut(text: string, limit: number): string {
  return text.length > limit ? `${text.slice(0, limit)} …` : text;
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

/** Why a run's process did not complete: a sentence, and the start of its error output for a crash. */
interface EndingReason {
  readonly summary: string;
  readonly errorOutput?: string;
}

/** What jest prints when the code under test calls process.exit. */
const EXIT_CALL = /process\.exit called with "?([^"\s]+)"?/;
function errorOutput(stderrHead: string, stderrTail: string): string {
  // The start of stderr is where jest (or node) says why it stopped: a configuration error,
  // the process.exit call and where it was made, a fatal throw.
  const excerpt = errorExcerpt(stderrHead || stderrTail);
  return excerpt === '' ? 'It wrote nothing on stderr.' : `Its error output began:\n${excerpt.replace(/^/gm, '  ')}`;
}

function exitCallDetail(result: StageProcessResult): string {
  const exitCall = EXIT_CALL.exec(result.stderrTail) ?? EXIT_CALL.exec(result.stderrHead);
  return exitCall ? ` (the code under test called process.exit(${exitCall[1]}))` : '';
}

function endingReason(result: StageProcessResult): EndingReason | undefined {
  const ending = result.ending;
  switch (ending.kind) {
    case 'completed':
      return undefined;
    case 'timeout':
      return { summary: `The stage's tests were stopped at the ${ending.limitSeconds} s time limit (an infinite loop or a hang?); tests that finished before that are scored.` };
    case 'out-of-memory':
      return { summary: `The stage's test process ran out of memory (limit ${ending.limitMb} MB); tests that finished before that are scored.` };
    case 'flooded':
      return { summary: `The stage's test process was stopped: it reported more than ${Math.round(ending.limitBytes / 1024 / 1024)} MiB of results (tests registered by the code under test?); tests reported before that are scored.` };
    case 'exited-early': {
      const how = ending.signal ? `was killed by ${ending.signal}` : `exited with code ${ending.exitCode}`;
      return { summary: `The stage's test process ${how} before finishing${exitCallDetail(result)}; tests that finished before that are scored.`, errorOutput: errorOutput(result.stderrHead, result.stderrTail) };
    }
  }
}

/** The ending's full text: its sentence, then the error output it quotes. */
function endingText(ending: EndingReason): string {
  return ending.errorOutput ? `${ending.summary}\n${ending.errorOutput}` : ending.summary;
}

/** What one run says about itself, worked out once. */
interface RunVerdict {
  readonly run: StageRun;
  readonly names: ReadonlySet<string>;
  readonly reported: ReadonlyMap<string, readonly ReportedTest[]>;
  readonly tampered: ReadonlyMap<string, string>;
  readonly ending?: EndingReason;
  readonly loadError?: { readonly file: string; readonly error: string };
  readonly unexpected: readonly ReportedTest[];
}

function belongsTo(entry: RubricEntry, run: StageRun): boolean {
  return run.part === 'all' || run.part === (entry.hidden ? 'hidden' : 'public');
}

function verdictOf(rubric: Rubric, run: StageRun): RunVerdict {
  const result = run.result;
  const names = new Set(rubric.entries.filter((entry) => belongsTo(entry, run)).map((entry) => entry.name));
  // A file whose end-of-file framework check tripped cannot vouch for any of its tests.
  const tampered = new Map(result.fileErrors.filter((error) => error.error.includes(TAMPER_MARK)).map((error) => [error.file, error.error]));
  const reported = new Map<string, ReportedTest[]>();
  const unexpected: ReportedTest[] = [];
  for (const test of result.tests) {
    if (!names.has(test.name)) {
      unexpected.push(test);
      continue;
    }
    const tamper = tampered.get(test.file);
    const taken = tamper !== undefined ? { ...test, status: 'failed', message: tamper } : test;
    reported.set(test.name, [...(reported.get(test.name) ?? []), taken]);
  }
  const loadError = result.fileErrors.find((error) => !error.error.includes(TAMPER_MARK));
  return { run, names, reported, tampered, ending: endingReason(result), unexpected, ...(loadError ? { loadError } : {}) };
}

/** A run whose results can show a kit problem: it completed and nothing in it misbehaved. */
function isClean(verdict: RunVerdict): boolean {
  const result = verdict.run.result;
  return result.ending.kind === 'completed' && result.fileErrors.length === 0 && verdict.unexpected.length === 0 && result.forgedLines === 0;
}

/** Why a rubric test has no result in its run. */
function missingMessage(verdict: RunVerdict | undefined): string {
  if (!verdict) return 'This test did not run (its run was not started).';
  if (verdict.ending) return `This test did not run. ${endingText(verdict.ending)}`;
  if (verdict.loadError) return `Its test file failed to run: ${verdict.loadError.error}`;
  if (verdict.tampered.size > 0) return `This test did not run. ${[...verdict.tampered.values()][0]}`;
  if (verdict.unexpected.length > 0) return 'This test did not run: the code under test registered tests of its own in its place.';
  return "This test did not run (it does not exist in the stage's test files).";
}

function scoreEntry(entry: RubricEntry, verdict: RunVerdict | undefined, kitProblems: string[]): TestReport {
  const runs = verdict?.reported.get(entry.name);
  if (!runs || runs.length === 0) {
    if (verdict && isClean(verdict)) kitProblems.push(`The rubric names "${entry.name}" but no such test ran.`);
    return { name: entry.name, status: 'missing', score: 0, max_score: entry.points, duration_ms: 0, hidden: entry.hidden, message: missingMessage(verdict) };
  }
  // A name reported twice (the code under test registered a twin) passes only if every report passed.
  const failing = runs.find((run) => run.status !== 'passed');
  const passed = failing === undefined;
  const message = passed ? undefined : failing.message || `The test was ${failing.status}.`;
  const seeds = passed ? [] : failedSeeds(failing.message);
  return {
    name: entry.name,
    status: passed ? 'passed' : 'failed',
    score: passed ? entry.points : 0,
    max_score: entry.points,
    duration_ms: Math.round(runs.reduce((sum, run) => sum + run.durationMs, 0)),
    hidden: entry.hidden,
    ...(seeds.length > 0 ? { seed: seeds[0], failed_seeds: seeds } : {}),
    ...(message !== undefined ? { message } : {}),
  };
}

/** Cuts every message, and stops keeping message text once the stage has kept its limit's worth. */
function capMessages(tests: TestReport[]): TestReport[] {
  let budget = STAGE_MESSAGES_LIMIT;
  return tests.map((test) => {
    if (test.message === undefined) return test;
    const trimmed = test.message.trim();
    if (trimmed === '') {
      const { message: _dropped, ...rest } = test;
      return rest;
    }
    const message = budget > 0 ? cut(trimmed, Math.min(MESSAGE_LIMIT, budget)) : `(message left out: this stage's messages reached their ${STAGE_MESSAGES_LIMIT}-character limit)`;
    budget -= Math.min(trimmed.length, MESSAGE_LIMIT);
    return { ...test, message };
  });
}

function unexpectedSentence(verdict: RunVerdict, quoteNames: boolean): string {
  const count = verdict.unexpected.length;
  const shown = quoteNames
    ? ` (${verdict.unexpected
        .slice(0, UNEXPECTED_NAMES_SHOWN)
        .map((test) => JSON.stringify(cut(test.name, UNEXPECTED_NAME_LIMIT)))
        .join(', ')}${count > UNEXPECTED_NAMES_SHOWN ? `, and ${count - UNEXPECTED_NAMES_SHOWN} more` : ''})`
    : '';
  return `${count} test(s) ran that the kit does not have${shown}: the code under test registered them, and they earn nothing.`;
}

/** How the hidden run ended, in words that quote nothing it printed. */
const HIDDEN_ENDINGS: Readonly<Record<ProcessEnding['kind'], string>> = {
  completed: 'it completed',
  timeout: 'it was stopped at its time limit',
  'out-of-memory': 'it ran out of memory',
  flooded: 'it reported too many results',
  'exited-early': 'its process exited early',
};

/** What a run adds to the stage's reason; for the hidden run, what happened and never what it said. */
function reasonLines(verdict: RunVerdict): string[] {
  const lines: string[] = [];
  const result = verdict.run.result;
  if (verdict.run.part === 'hidden') {
    if (verdict.ending) lines.push(`The hidden tests' run did not finish (${HIDDEN_ENDINGS[result.ending.kind]}); the hidden tests that finished are scored.`);
    if (verdict.tampered.size > 0) lines.push('The code under test changed the test framework while the hidden tests ran; the tests affected score 0.');
    if (!verdict.ending && verdict.loadError) lines.push('A hidden test file failed to load.');
    if (result.forgedLines > 0) lines.push(`Ignored ${result.forgedLines} result line(s) of the hidden tests' run not written by the grader.`);
    if (verdict.unexpected.length > 0) lines.push(`In the hidden tests' run, ${unexpectedSentence(verdict, false)}`);
    return lines;
  }
  if (verdict.ending) lines.push(endingText(verdict.ending));
  const firstTamper = [...verdict.tampered.values()][0] ?? result.tests.find((test) => test.message.includes(TAMPER_MARK))?.message;
  if (firstTamper) lines.push(`The code under test changed the test framework; the tests affected score 0. ${firstTamper.split('\n')[0]}`);
  if (!verdict.ending && verdict.loadError) lines.push(`A test file failed to load: ${verdict.loadError.file}: ${verdict.loadError.error.split('\n')[0]}`);
  if (result.forgedLines > 0) lines.push(`Ignored ${result.forgedLines} result line(s) not written by the grader (the code under test wrote into the results channel).`);
  if (verdict.unexpected.length > 0) lines.push(unexpectedSentence(verdict, true));
  return lines;
}

/** The stage's status: the worst way any of its runs ended, else passed or failed. */
function statusOf(verdicts: readonly RunVerdict[], allPassed: boolean): StageStatus {
  const endings = verdicts.map((verdict) => verdict.run.result.ending);
  const has = (kind: ProcessEnding['kind']) => endings.some((ending) => ending.kind === kind);
  if (has('timeout')) return 'timeout';
  if (has('out-of-memory')) return 'out-of-memory';
  if (has('exited-early') || has('flooded')) return 'crashed';
  return allPassed ? 'passed' : 'failed';
}

/** Scores a stage's runs against its rubric. */
export function scoreStageRuns(rubric: Rubric, runs: readonly StageRun[]): ScoredStage {
  const verdicts = runs.map((run) => verdictOf(rubric, run));
  const kitProblems: string[] = [];
  const tests = capMessages(rubric.entries.map((entry) => scoreEntry(entry, verdicts.find((verdict) => belongsTo(entry, verdict.run)), kitProblems)));
  const score = tests.reduce((sum, test) => sum + test.score, 0);
  const max = tests.reduce((sum, test) => sum + test.max_score, 0);
  const allPassed = tests.every((test) => test.status === 'passed');
  // The public run first: its lines are the ones a student can act on.
  const ordered = [...verdicts].sort((a, b) => Number(a.run.part === 'hidden') - Number(b.run.part === 'hidden'));
  const reason = ordered.flatMap(reasonLines).join('\n');
  const unexpected = verdicts.reduce((sum, verdict) => sum + verdict.unexpected.length, 0);
  return {
    status: statusOf(verdicts, allPassed),
    ...(reason ? { reason: cut(reason, REASON_LIMIT) } : {}),
    score,
    max_score: max,
    tests,
    kitProblems,
    ...(unexpected > 0 ? { unexpected_tests: unexpected } : {}),
  };
}

/** Scores one run that holds all of a stage's tests (a trusted run: the bug catalog, `watch`). */
export function scoreStage(rubric: Rubric, result: StageProcessResult): ScoredStage {
  return scoreStageRuns(rubric, [{ part: 'all', result }]);
}
