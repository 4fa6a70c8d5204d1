/**
 * `tinykv watch <stage>`: the student's inner loop. Runs the stage's public tests (and its
 * type-check, alongside), then reruns them whenever a file under labs/ changes (debounced),
 * and prints what changed since the last run: tests newly passing; tests newly failing, each
 * with its first failure line and the command that replays it; and the score. Code that does
 * not type-check shows its type errors instead of a pass count, because grading would score
 * it 0. A syntax error mid-edit is just a failing run; the watcher keeps going until Ctrl-C.
 *
 * @module
 */
import * as chokidar from 'chokidar';
import * as path from 'node:path';
import pc from 'picocolors';
import { loadRubric, type Rubric } from './rubric';
import { KIT_ROOT, kitPath } from './repo-paths';
import { failedSeed } from './score-stage';
import { runStageProcess, type ReportedTest } from './stage-process';
import type { StageDefinition } from './stages';
import { typeErrorReport } from './test-command';
import { TypecheckSession } from './typecheck-session';

/** Quiet time after the last change before the tests rerun. */
const DEBOUNCE_MS = 300;

/** At most this many type errors are shown per run; the rest are counted. */
const TYPE_ERRORS_SHOWN = 8;

/** What one run of the watched stages found: test name → passed?, and the public score. */
export interface WatchRun {
  readonly passed: ReadonlyMap<string, boolean>;
  readonly score: number;
  readonly maxScore: number;
  /** Why nothing (or not everything) ran, e.g. a test file that failed to load. */
  readonly problems: readonly string[];
  /** Failure message per failing test (what jest reported), for the newly failing ones. */
  readonly failures?: ReadonlyMap<string, string>;
}

/** The difference between two runs, for the one-screen summary. */
export interface WatchDiff {
  readonly newlyPassing: readonly string[];
  readonly newlyFailing: readonly string[];
}

/** Tests whose result changed between `previous` (undefined on the first run) and `current`. */
export function diffRuns(previous: WatchRun | undefined, current: WatchRun): WatchDiff {
  const newlyPassing: string[] = [];
  const newlyFailing: string[] = [];
  for (const [name, passed] of current.passed) {
    const before = previous?.passed.get(name);
    if (passed && before !== true && previous !== undefined) newlyPassing.push(name);
    if (!passed && before === true) newlyFailing.push(name);
  }
  return { newlyPassing, newlyFailing };
}

/** Scores reported tests against the public rubrics of the watched stages. */
export function summarizeRun(rubrics: readonly Rubric[], tests: readonly ReportedTest[], problems: readonly string[]): WatchRun {
  const results = new Map(tests.map((test) => [test.name, test]));
  const passed = new Map<string, boolean>();
  const failures = new Map<string, string>();
  let score = 0;
  let maxScore = 0;
  // watch runs the public tests only, so hidden rubric entries are not part of its score.
  for (const entry of rubrics.flatMap((rubric) => rubric.entries).filter((candidate) => !candidate.hidden)) {
    const result = results.get(entry.name);
    const ok = result?.status === 'passed';
    passed.set(entry.name, ok);
    if (result && !ok) failures.set(entry.name, result.message);
    maxScore += entry.points;
    if (ok) score += entry.points;
  }
  return { passed, score, maxScore, problems, failures };
}

/**
 * The line that says why a test failed: the first line of its message, past the "Failed under
 * seed …" and "Replay the first with: …" lines a seeded failure starts with.
 */
export function firstFailureLine(message: string): string {
  const line = message
    .split('\n')
    .map((text) => text.trim())
    .find((text) => text !== '' && !/^(SeedFailure: )?Failed under seeds? /.test(text) && !text.startsWith('Replay the first with:'));
  if (line === undefined) return '(no message)';
  return line.length > 160 ? `${line.slice(0, 159)}…` : line;
}

/** The command that reruns one failing test: under its first failing seed when it has one. */
export function replayLine(testName: string, message: string): string {
  // Loaded only here, when a test newly fails: the grader loads no lab code at start-up.
  const { replayCommand, stageOfTestName } = require('../../labs/common/testkit/seeds') as typeof import('../../labs/common/testkit/seeds');
  const seed = failedSeed(message);
  if (seed !== undefined) return replayCommand(testName, seed);
  const quoted = testName.replace(/(["\\$`])/g, '\\$1');
  return `npx tinykv test ${stageOfTestName(testName) ?? '<stage>'} --test "${quoted}"`;
}

/** The lines printed after a run. */
export function formatWatchRun(run: WatchRun, diff: WatchDiff, firstRun: boolean): string {
  const lines: string[] = [];
  const passing = [...run.passed.values()].filter(Boolean).length;
  lines.push(pc.bold(`${passing}/${run.passed.size} tests passing, ${run.score}/${run.maxScore} points`));
  for (const name of diff.newlyPassing) lines.push(pc.green(`  newly passing: ${name}`));
  for (const name of diff.newlyFailing) {
    const message = run.failures?.get(name) ?? '';
    lines.push(pc.red(`  newly failing: ${name}`));
    lines.push(`      ${firstFailureLine(message)}`);
    lines.push(pc.dim(`      replay: ${replayLine(name, message)}`));
  }
  if (!firstRun && diff.newlyPassing.length === 0 && diff.newlyFailing.length === 0) lines.push(pc.dim('  no test changed'));
  for (const problem of run.problems) lines.push(pc.yellow(`  ${problem.split('\n')[0]}`));
  return lines.join('\n');
}

/** The lines printed instead of a pass count when the code does not type-check. */
export function formatTypeErrors(report: readonly string[]): string {
  const [headline, ...errors] = report;
  const shown = errors.slice(0, TYPE_ERRORS_SHOWN).map((line) => `  ${line}`);
  const more = errors.length > shown.length ? [pc.dim(`  … and ${errors.length - shown.length} more`)] : [];
  return [pc.red(pc.bold(headline)), ...shown, ...more].join('\n');
}

/** Watches labs/ and reruns `stages` until the process is interrupted. */
export async function runWatchCommand(stages: readonly StageDefinition[]): Promise<void> {
  const rubrics = stages.map((stage) => loadRubric(KIT_ROOT, stage));
  const testFiles = stages.flatMap((stage) => stage.tests);
  const timeLimitSeconds = Math.max(...stages.map((stage) => stage.timeLimitSeconds));
  const memoryLimitMb = Math.max(...stages.map((stage) => stage.memoryLimitMb));
  // Kept between runs: after a save only what changed is parsed and checked again.
  const session = new TypecheckSession(KIT_ROOT, stages);
  let previous: WatchRun | undefined;
  let running = false;
  let again = false;

  const runOnce = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    do {
      again = false;
      console.log(pc.dim(`\n— running ${stages.map((stage) => stage.id).join(', ')} —`));
      // The tests start in their own process; the type-check runs here meanwhile, and its
      // verdict decides what is shown.
      const testRun = runStageProcess({
        workspace: KIT_ROOT,
        testFiles,
        timeLimitSeconds,
        memoryLimitMb,
      });
      const typecheck = session.check();
      const result = await testRun;
      const typeErrors = typeErrorReport(stages, typecheck);
      if (typeErrors) {
        // The last good run stays the baseline: fixing the type error shows what changed since.
        console.log(formatTypeErrors(typeErrors));
        continue;
      }
      const problems = result.fileErrors.map((error) => `${error.file} failed to load: ${error.error}`);
      if (result.ending.kind !== 'completed') problems.push(`the test process ended early (${result.ending.kind})`);
      const current = summarizeRun(rubrics, result.tests, problems);
      console.log(formatWatchRun(current, diffRuns(previous, current), previous === undefined));
      previous = current;
    } while (again);
    running = false;
    console.log(pc.dim(`watching ${path.join('labs', path.sep)} — save a file to rerun, Ctrl-C to stop`));
  };

  let timer: NodeJS.Timeout | undefined;
  const watcher = chokidar.watch(kitPath('labs'), { ignoreInitial: true, ignored: (file: string) => file.includes(`${path.sep}node_modules`) });
  watcher.on('all', () => {
    if (timer) clearTimeout(timer); // real-time: debouncing the student's saves
    timer = setTimeout(() => void runOnce(), DEBOUNCE_MS); // real-time: debouncing the student's saves
  });
  await new Promise<void>((resolve) => watcher.on('ready', () => resolve()));
  await runOnce();
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await watcher.close();
}
