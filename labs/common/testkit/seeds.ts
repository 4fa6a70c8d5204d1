/**
 * Seeds for randomised tests, and the replay line a failing seed prints.
 *
 * A seeded test runs its body once per seed. The seeds come from the environment so the
 * grader and the CLI can change them without touching the test:
 * - `TINYKV_SEED=S` runs exactly seed `S` (replaying a failure);
 * - `TINYKV_SEEDS=N` runs seeds `1..N` (`tinykv test 2aa --seeds 50`, `tinykv grade --seeds N`);
 * - neither: seeds `1..defaultCount`.
 *
 * @module
 */
import { NotImplementedError } from '../not-implemented';

/** Thrown when a seeded body fails under one or more seeds: carries them and how to replay the first. */
export class SeedFailure extends Error {
  /**
   * @param seeds - every seed that failed, in the order run (at least one).
   * @param seedsRun - how many seeds were run in all.
   * @param replay - the command that reruns the first failing seed.
   * @param failure - what the first failing seed threw.
   */
  constructor(
    readonly seeds: readonly number[],
    readonly seedsRun: number,
    readonly replay: string,
    readonly failure: unknown,
  ) {
    const reason = failure instanceof Error ? failure.message : String(failure);
    const which = seeds.length === 1 ? `seed ${seeds[0]}` : `seeds ${seeds.join(', ')}`;
    super(`Failed under ${which} (${seeds.length} of ${seedsRun} run).\nReplay the first with: ${replay}\n\n${reason}`);
    this.name = 'SeedFailure';
    // The failure's own frames, without its message: jest prints the message (and any diff in it) once, from ours.
    if (failure instanceof Error && failure.stack) this.stack = `${this.name}: ${this.message}\n${stackFrames(failure.stack)}`;
  }

  /** The first failing seed. */
  get seed(): number {
    return this.seeds[0];
  }
}

/** The `    at ...` lines of a stack, without the message above them (which may span many lines). */
function stackFrames(stack: string): string {
  const lines = stack.split('\n');
  const first = lines.findIndex((line) => /^\s+at /.test(line));
  return first === -1 ? '' : lines.slice(first).join('\n');
}

function parsePositiveInteger(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got "${text}".`);
  }
  return value;
}

/** The seeds a seeded test should run, read from `TINYKV_SEED` / `TINYKV_SEEDS`. */
export function testSeeds(defaultCount: number): number[] {
  const single = process.env.TINYKV_SEED;
  if (single !== undefined && single !== '') return [parsePositiveInteger('TINYKV_SEED', single)];
  const countText = process.env.TINYKV_SEEDS;
  const count = countText !== undefined && countText !== '' ? parsePositiveInteger('TINYKV_SEEDS', countText) : defaultCount;
  return Array.from({ length: Math.max(1, count) }, (_, i) => i + 1);
}

/** The stage tag at the start of a test title (`[2AA] ...` gives `2aa`), if any. */
export function stageOfTestName(testName: string): string | undefined {
  const match = /\[([0-9][A-Za-z]*)\]/.exec(testName);
  return match ? match[1].toLowerCase() : undefined;
}

/** The command that reruns one test under one seed. */
export function replayCommand(testName: string, seed: number): string {
  const stage = stageOfTestName(testName) ?? '<stage>';
  const quoted = testName.replace(/(["\\$`])/g, '\\$1');
  return `npx tinykv test ${stage} --seed ${seed} --test "${quoted}"`;
}

let runningSeed: number | undefined;

/**
 * The seed {@link forEachSeed} is running now, or undefined outside it. A test may derive its
 * cluster's seed from it (`seed + 100`); a failure report must still name this one, since it is
 * what `--seed` replays.
 */
export function currentTestSeed(): number | undefined {
  return runningSeed;
}

/**
 * Runs `body` once per seed (see {@link testSeeds}). Every seed runs, so a failure reports all
 * the seeds that fail, with the command that replays the first. Use inside a jest `test`.
 * When every seed fails with a {@link NotImplementedError} (a stub), that error is thrown as it
 * is: no seed is to blame, and the student sees only which function to write.
 *
 * @example
 * ```ts
 * test('[2AA] at most one leader per term', () => forEachSeed(20, (seed) => runScenario(seed)));
 * ```
 */
export async function forEachSeed(defaultCount: number, body: (seed: number) => void | Promise<void>): Promise<void> {
  const testName = expect.getState().currentTestName ?? '<test>';
  const seeds = testSeeds(defaultCount);
  const failed: number[] = [];
  let firstFailure: unknown;
  for (const seed of seeds) {
    runningSeed = seed;
    try {
      await body(seed);
    } catch (error) {
      if (failed.length === 0) firstFailure = error;
      failed.push(seed);
    } finally {
      runningSeed = undefined;
    }
  }
  if (failed.length === 0) return;
  if (failed.length === seeds.length && firstFailure instanceof NotImplementedError) throw firstFailure;
  throw new SeedFailure(failed, seeds.length, replayCommand(testName, failed[0]), firstFailure);
}
