/**
 * `tinykv test <stage>`: what `make project1` runs. Type-checks, then runs the stage's public
 * tests with jest's normal output, on the student's code in place (or on the reference in a
 * workspace, for instructors). Exits non-zero when a test fails, as `make` users expect.
 *
 * @module
 */
import execa from 'execa';
import * as path from 'node:path';
import pc from 'picocolors';
import { JEST_BIN, KIT_ROOT, WORK_ROOT } from './repo-paths';
import type { StageDefinition } from './stages';
import { diagnosticsForStage, formatDiagnostic, typecheckWorkspace } from './typecheck';
import { stageTestFiles } from './grade';
import { buildWorkspace, type Implementation } from './workspace';

/** What `tinykv test` was asked to do. */
export interface TestCommandOptions {
  readonly stages: readonly StageDefinition[];
  readonly impl: Implementation;
  readonly referenceStages: readonly StageDefinition[];
  /** Only tests whose full name matches this regular expression (jest's -t). */
  readonly testNamePattern?: string;
  /** Run exactly this seed (replaying a failure). */
  readonly seed?: number;
  /** Run every seeded test under seeds 1..N. */
  readonly seeds?: number;
  /** Include the hidden tests (instructor edition only). */
  readonly hidden: boolean;
  /** Skip the type-check (faster, but a type error then costs points only at grading). */
  readonly typecheck: boolean;
  /** More environment for the tests (e.g. TINYKV_TRACE_FILE for a replay). */
  readonly env?: Readonly<Record<string, string>>;
}

/** Runs the tests and returns the exit code to use. */
export async function runTestCommand(options: TestCommandOptions): Promise<number> {
  const inPlace = options.impl === 'labs' && options.referenceStages.length === 0;
  const dir = inPlace ? KIT_ROOT : buildWorkspace({ impl: options.impl, referenceStages: options.referenceStages }, path.join(WORK_ROOT, `test-${options.impl}`));

  if (options.typecheck) {
    const result = await typecheckWorkspace(dir);
    if (result.failure) {
      console.error(pc.red(result.failure));
      return 1;
    }
    const errors = options.stages.flatMap((stage) => diagnosticsForStage(stage, result.diagnostics));
    const unique = [...new Set(errors.map(formatDiagnostic))];
    if (unique.length > 0) {
      console.error(pc.red(`The code does not type-check, so the grader would score these stages 0. Fix these first:`));
      for (const line of unique) console.error(line);
      return 1;
    }
  }

  const files = options.stages.flatMap((stage) => (options.hidden ? stageTestFiles(stage, dir) : [...stage.tests]));
  const args = [JEST_BIN, '--config', path.join(dir, 'jest.config.js'), '--rootDir', dir, '--runTestsByPath', ...files.map((file) => path.join(dir, file))];
  if (options.testNamePattern !== undefined) args.push('--testNamePattern', options.testNamePattern);
  const env: Record<string, string> = { ...options.env };
  if (options.seed !== undefined) env.TINYKV_SEED = String(options.seed);
  if (options.seeds !== undefined) env.TINYKV_SEEDS = String(options.seeds);
  const result = await execa(process.execPath, args, { cwd: dir, stdio: 'inherit', reject: false, env });
  if (result.exitCode !== 0) {
    for (const stage of options.stages) console.error(pc.dim(`Stage ${stage.tag}: read ${stage.handout}. A failing seeded test prints the command that replays it.`));
  }
  return result.exitCode ?? 1;
}
