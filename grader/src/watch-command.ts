/**
 * `tinykv watch <stage>`: the student's inner loop. Runs the stage's public tests, then reruns
 * them whenever a file under labs/ changes (debounced), and prints what changed since the last
 * run — tests newly passing, newly failing — and the score. A syntax error mid-edit is just a
 * failing run; the watcher keeps going until Ctrl-C.
 *
 * @module
 */
import * as chokidar from 'chokidar';
import * as path from 'node:path';
import pc from 'picocolors';
import { loadRubric, type Rubric } from './rubric';
import { KIT_ROOT, kitPath } from './repo-paths';
import { runStageProcess, type ReportedTest } from './stage-process';
import type { StageDefinition } from './stages';

/** Quiet time after the last change before the tests rerun. */
const DEBOUNCE_MS = 300;

/** What one run of the watched stages found: test name → passed?, and the public score. */
export interface WatchRun {
  readonly passed: ReadonlyMap<string, boolean>;
  readonly score: number;
  readonly maxScore: number;
  /** Why nothing (or not everything) ran, e.g. a test file that failed to load. */
  readonly problems: readonly string[];
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
  const results = new Map(tests.map((test) => [test.name, test.status === 'passed']));
  const passed = new Map<string, boolean>();
  let score = 0;
  let maxScore = 0;
  // watch runs the public tests only, so hidden rubric entries are not part of its score.
  for (const entry of rubrics.flatMap((rubric) => rubric.entries).filter((candidate) => !candidate.hidden)) {
    const ok = results.get(entry.name) === true;
    passed.set(entry.name, ok);
    maxScore += entry.points;
    if (ok) score += entry.points;
  }
  return { passed, score, maxScore, problems };
}

/** The lines printed after a run. */
export function formatWatchRun(run: WatchRun, diff: WatchDiff, firstRun: boolean): string {
  const lines: string[] = [];
  const passing = [...run.passed.values()].filter(Boolean).length;
  lines.push(pc.bold(`${passing}/${run.passed.size} tests passing, ${run.score}/${run.maxScore} points`));
  for (const name of diff.newlyPassing) lines.push(pc.green(`  newly passing: ${name}`));
  for (const name of diff.newlyFailing) lines.push(pc.red(`  newly failing: ${name}`));
  if (!firstRun && diff.newlyPassing.length === 0 && diff.newlyFailing.length === 0) lines.push(pc.dim('  no test changed'));
  for (const problem of run.problems) lines.push(pc.yellow(`  ${problem.split('\n')[0]}`));
  return lines.join('\n');
}

/** Watches labs/ and reruns `stages` until the process is interrupted. */
export async function runWatchCommand(stages: readonly StageDefinition[]): Promise<void> {
  const rubrics = stages.map((stage) => loadRubric(KIT_ROOT, stage));
  const testFiles = stages.flatMap((stage) => stage.tests);
  const timeLimitSeconds = Math.max(...stages.map((stage) => stage.timeLimitSeconds));
  const memoryLimitMb = Math.max(...stages.map((stage) => stage.memoryLimitMb));
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
      const result = await runStageProcess({
        workspace: KIT_ROOT,
        testFiles,
        timeLimitSeconds,
        memoryLimitMb,
        resultsFile: kitPath(`.tinykv/watch/${stages.map((stage) => stage.id).join('-')}.jsonl`),
      });
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
