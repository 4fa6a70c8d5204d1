/**
 * `tinykv test <stage>`: what `make project1` runs. Type-checks the stage's scope and runs its
 * public tests with jest's usual output, on the student's code in place (or on the reference
 * in a workspace, for instructors). Exits non-zero when a test fails or the code does not
 * type-check, as `make` users expect.
 *
 * When nothing changed since the last type-check, its verdict stands and jest runs at once. Else
 * the type-check and the tests run at the same time (two cores do both in the time of the
 * slower one), and jest's output is held back until the type-check has passed: code that does
 * not type-check shows only its type errors, exactly as when the check ran first, because the
 * grader would score it 0 whatever its tests say.
 *
 * @module
 */
import execa from 'execa';
import * as path from 'node:path';
import pc from 'picocolors';
import { JEST_BIN, KIT_ROOT, TEST_OUTPUT_REPORTER, WORK_ROOT } from './repo-paths';
import type { StageDefinition } from './stages';
import { diagnosticsForStage, formatDiagnostic, knownTypecheck, typecheckWorkspace, type TypecheckResult } from './typecheck';
import { stageTestFiles } from './grade';
import { buildWorkspace, type Implementation } from './workspace';

/** What `tinykv test` was asked to do. */
export interface TestCommandOptions {
  readonly stages: readonly StageDefinition[];
  readonly impl: Implementation;
  readonly referenceStages: readonly StageDefinition[];
  /** Only tests whose full name matches this regular expression (jest's -t). */
  readonly testNamePattern?: string;
  /** True when only some tests were asked for (`--test`, `-t`, a replay). */
  readonly onlyNamedTests?: boolean;
  /** Run exactly this seed (replaying a failure). */
  readonly seed?: number;
  /** Run every seeded test under seeds 1..N. */
  readonly seeds?: number;
  /** Include the hidden tests (instructor edition only). */
  readonly hidden: boolean;
  /** Type-check the stages' scope (a type error makes the command fail, as grading scores it 0). */
  readonly typecheck: boolean;
  /** More environment for the tests (e.g. TINYKV_TRACE_FILE for a replay). */
  readonly env?: Readonly<Record<string, string>>;
}

/** The lines that tell a student their code does not type-check, or undefined when it does. */
export function typeErrorReport(stages: readonly StageDefinition[], result: TypecheckResult): string[] | undefined {
  if (result.failure) return [result.failure];
  const errors = [...new Set(stages.flatMap((stage) => diagnosticsForStage(stage, result.diagnostics)).map(formatDiagnostic))];
  if (errors.length === 0) return undefined;
  const which = stages.map((stage) => stage.tag).join(', ');
  return [`The code does not type-check, so the grader would score stage${stages.length === 1 ? '' : 's'} ${which} 0. Fix these first:`, ...errors];
}

/** Output held back from a child process until it may be shown, then passed straight through. */
class HeldOutput {
  private readonly chunks: [NodeJS.WriteStream, Buffer][] = [];
  private released = false;

  write(stream: NodeJS.WriteStream, chunk: Buffer): void {
    if (this.released) stream.write(chunk);
    else this.chunks.push([stream, chunk]);
  }

  /** Shows what was held, in order, and everything that comes after. */
  release(): void {
    this.released = true;
    for (const [stream, chunk] of this.chunks.splice(0)) stream.write(chunk);
  }
}

/** Prints the type errors that stop a run. */
function printTypeErrors(report: readonly string[]): void {
  console.error(pc.red(report[0]));
  for (const line of report.slice(1)) console.error(line);
}

/** Runs the tests and returns the exit code to use. */
export async function runTestCommand(options: TestCommandOptions): Promise<number> {
  const inPlace = options.impl === 'labs' && options.referenceStages.length === 0;
  const dir = inPlace ? KIT_ROOT : buildWorkspace({ impl: options.impl, referenceStages: options.referenceStages }, path.join(WORK_ROOT, `test-${options.impl}`));

  // Nothing changed since the last check: its verdict stands, and jest runs on the terminal as usual.
  const known = options.typecheck ? knownTypecheck(dir, options.stages) : undefined;
  const knownErrors = known ? typeErrorReport(options.stages, known) : undefined;
  if (knownErrors) {
    printTypeErrors(knownErrors);
    return 1;
  }
  const typecheck = options.typecheck && !known ? typecheckWorkspace(dir, 180, options.stages) : undefined;

  const files = options.stages.flatMap((stage) => (options.hidden ? stageTestFiles(stage, dir) : [...stage.tests]));
  const args = [
    JEST_BIN,
    '--config', path.join(dir, 'jest.config.js'),
    '--rootDir', dir,
    '--reporters', TEST_OUTPUT_REPORTER,
    '--reporters', 'summary',
    '--runTestsByPath', ...files.map((file) => path.join(dir, file)),
  ];
  if (options.testNamePattern !== undefined) args.push('--testNamePattern', options.testNamePattern);
  const env: Record<string, string> = { ...options.env };
  if (options.seed !== undefined) env.TINYKV_SEED = String(options.seed);
  if (options.seeds !== undefined) env.TINYKV_SEEDS = String(options.seeds);

  let exitCode: number;
  if (typecheck === undefined) {
    const result = await execa(process.execPath, args, { cwd: dir, stdio: 'inherit', reject: false, env });
    exitCode = result.exitCode ?? 1;
  } else {
    // Held output goes through a pipe: keep jest's colours when the terminal has them.
    if (process.stderr.isTTY && process.env.NO_COLOR === undefined && process.env.FORCE_COLOR === undefined) env.FORCE_COLOR = '1';
    const child = execa(process.execPath, args, { cwd: dir, reject: false, env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', buffer: false });
    const held = new HeldOutput();
    child.stdout?.on('data', (chunk: Buffer) => held.write(process.stdout, chunk));
    child.stderr?.on('data', (chunk: Buffer) => held.write(process.stderr, chunk));
    const typeErrors = typeErrorReport(options.stages, await typecheck);
    if (typeErrors) {
      child.kill('SIGTERM', { forceKillAfterTimeout: 2000 });
      await child;
      printTypeErrors(typeErrors);
      return 1;
    }
    held.release();
    exitCode = (await child).exitCode ?? 1;
  }
  if (exitCode !== 0) {
    const handouts = [...new Set(options.stages.map((stage) => stage.handout))];
    const seeded = options.onlyNamedTests ? '' : ' A failing seeded test prints the command that replays it.';
    console.error(pc.dim(`Read ${handouts.join(' and ')}.${seeded}`));
  }
  return exitCode;
}
