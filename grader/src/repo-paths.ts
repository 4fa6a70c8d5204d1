/**
 * Where things are: the kit's root folder and the tools inside its node_modules.
 *
 * @module
 */
import * as path from 'node:path';

/**
 * The repository root (the folder holding package.json, labs/ and grader/). This file is
 * grader/src/repo-paths.ts, two folders below the root; bin/register-ts.js runs it from there.
 */
export const KIT_ROOT = path.resolve(__dirname, '..', '..');

/** Absolute path of a file inside the kit, from a `/`-separated repository-relative path. */
export function kitPath(relative: string): string {
  return path.join(KIT_ROOT, ...relative.split('/'));
}

/** The TypeScript compiler's command-line entry point. */
export const TSC_BIN = kitPath('node_modules/typescript/bin/tsc');

/** Jest's command-line entry point. */
export const JEST_BIN = kitPath('node_modules/jest/bin/jest.js');

/** The reporter each graded jest process writes its per-test results with. */
export const RESULTS_REPORTER = kitPath('grader/src/jest-results-reporter.js');

/** The reporter of `tinykv test` and `replay`: jest's output without skipped tests, plus a seeds summary. */
export const TEST_OUTPUT_REPORTER = kitPath('grader/src/test-output-reporter.js');

/** Scratch space for workspaces and temporary files; git ignores it. */
export const WORK_ROOT = kitPath('.tinykv/work');
