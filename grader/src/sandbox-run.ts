/**
 * The folder one graded stage run lives in, and the containment it runs under.
 *
 * A stage is graded in two runs, each in a process of its own: its public tests, and its hidden
 * tests. Each run gets a folder holding
 * - `workspace/`: a copy of the graded tree's `labs/` and configs, and for the hidden run that
 *   stage's hidden tests (never another stage's, never a rubric, never `reference/`); its
 *   `node_modules` is a link to the read-only dependencies (read-only-dependencies.ts);
 *   `.grader/` holds what the grader adds: the jest configuration, transformer and results
 *   reporter of graded runs, the guard process, and the compiled outputs of the workspace's
 *   own TypeScript files (precompile.ts);
 * - `scratch/`: the only folder the run may write (TMPDIR, HOME, jest's cache).
 * The run may read its workspace, the dependencies and its scratch folder, and write its scratch
 * folder, nothing else (permission-model.ts). When the grader is root, the run's folder belongs
 * to the run's own group and only its scratch folder to its user (sandbox-user.ts): another
 * run, public or hidden, cannot even list it.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { confinementFlags } from './permission-model';
import { provideCompiled, type PrecompiledTree } from './precompile';
import { kitPath } from './repo-paths';
import type { StageContainment } from './stage-process';
import type { StageDefinition } from './stages';
import { labFoldersOf, stageById, withPrerequisites } from './stage-selection';
import { claimSandboxUser, sandboxUsersAvailable, type ClaimedSandboxUser } from './sandbox-user';

/** Which of a stage's tests a run holds. */
export type RunPart = 'public' | 'hidden';

/** A prepared run: where it runs, what it runs, how it is contained. */
export interface SandboxRun {
  readonly part: RunPart;
  readonly workspace: string;
  /** Test files, relative to the workspace. */
  readonly testFiles: readonly string[];
  readonly containment: StageContainment;
  /** Kills whatever is left of the run's user and frees it (the folder stays, for the tamper check). */
  release(): void;
}

/** Files of the graded tree every run needs next to labs/. */
const CONFIG_FILES = ['jest.config.js', 'tsconfig.jest.json', 'tsconfig.json', 'package.json'];
/** The jest configuration that loads precompiled outputs, and its transformer: kit file → name in `.grader/`. */
export const PRECOMPILED_JEST_FILES: readonly (readonly [string, string])[] = [
  ['grader/src/graded-jest.config.js', 'jest.config.js'],
  ['grader/src/precompiled-transform.js', 'precompiled-transform.js'],
];

/** The grader's own files a run loads (plain JavaScript, no secrets), and their names in `.grader/`. */
const GRADER_FILES: readonly (readonly [string, string])[] = [
  ...PRECOMPILED_JEST_FILES,
  ['grader/src/jest-results-reporter.js', 'jest-results-reporter.js'],
  ['grader/src/stage-process-guard.js', 'stage-process-guard.js'],
];

/** The hidden test files of `stage` in `tree` (relative, `/`-separated), in name order. */
export function hiddenTestFiles(stage: StageDefinition, tree: string): string[] {
  const dir = path.join(tree, ...stage.hiddenDir.split('/'));
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((entry) => entry.endsWith('.test.ts'))
    .sort()
    .map((entry) => `${stage.hiddenDir}/${entry}`);
}

/** The lab folders a run of `stage` holds: labs/common and the labs of the stage and of every stage it builds on. */
export function labFoldersForRun(stage: StageDefinition): string[] {
  const needed = [stage, ...stage.buildsOn.flatMap((id) => withPrerequisites(stageById(id)))];
  return [...new Set(['labs/common', ...needed.flatMap(labFoldersOf)])];
}

/** Copies a folder of the tree; links stay links (never followed), rubrics stay behind. */
function copyFolder(from: string, to: string): void {
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (source) => path.basename(source) !== 'node_modules' && path.basename(source) !== 'rubric.json' });
}

/** Hands `dir` to `user`'s group, readable and searchable by it alone (root keeps ownership). */
function openToGroupOnly(dir: string, user: ClaimedSandboxUser | undefined): void {
  if (!user) {
    fs.chmodSync(dir, 0o700);
    return;
  }
  fs.chownSync(dir, 0, user.gid);
  fs.chmodSync(dir, 0o750);
}

/**
 * Prepares the `part` run of `stage` in `dir` (emptied first) from the type-checked `tree`.
 *
 * @param dependencies - the folder holding the read-only `node_modules`.
 * @param precompiled - the tree's compiled TypeScript; the run gets its own files' outputs.
 */
export function prepareSandboxRun(stage: StageDefinition, part: RunPart, tree: string, dir: string, dependencies: string, precompiled: PrecompiledTree): SandboxRun {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const user = sandboxUsersAvailable() ? claimSandboxUser() : undefined;
  try {
    openToGroupOnly(dir, user);
    const workspace = path.join(dir, 'workspace');
    const scratch = path.join(dir, 'scratch');
    // Only what the stage's tests can load: copying costs more than it seems, twice per stage.
    const folders = labFoldersForRun(stage);
    for (const folder of folders) copyFolder(path.join(tree, ...folder.split('/')), path.join(workspace, ...folder.split('/')));
    for (const file of CONFIG_FILES) fs.copyFileSync(path.join(tree, file), path.join(workspace, file));
    if (part === 'hidden') copyFolder(path.join(tree, ...stage.hiddenDir.split('/')), path.join(workspace, ...stage.hiddenDir.split('/')));
    const graderDir = path.join(workspace, '.grader');
    fs.mkdirSync(graderDir);
    for (const [file, name] of GRADER_FILES) fs.copyFileSync(kitPath(file), path.join(graderDir, name));
    const compiledPrefixes = folders.map((folder) => `${folder}/`);
    provideCompiled(precompiled, part === 'public' ? compiledPrefixes : [...compiledPrefixes, `${stage.hiddenDir}/`], path.join(graderDir, 'compiled'));
    fs.symlinkSync(path.join(dependencies, 'node_modules'), path.join(workspace, 'node_modules'), 'dir');
    fs.mkdirSync(scratch, { mode: 0o700 });
    if (user) fs.chownSync(scratch, user.uid, user.gid);
    const nodeFlags = confinementFlags({ read: [workspace, dependencies, scratch], write: [scratch] });
    return {
      part,
      workspace,
      testFiles: part === 'public' ? [...stage.tests] : hiddenTestFiles(stage, tree),
      containment: {
        jestBin: path.join(dependencies, 'node_modules', 'jest', 'bin', 'jest.js'),
        guard: path.join(graderDir, 'stage-process-guard.js'),
        config: path.join(graderDir, 'jest.config.js'),
        reporter: path.join(graderDir, 'jest-results-reporter.js'),
        scratch,
        nodeFlags,
        ...(user ? { user: { uid: user.uid, gid: user.gid } } : {}),
      },
      release: () => user?.release(),
    };
  } catch (error) {
    user?.release();
    throw error;
  }
}
