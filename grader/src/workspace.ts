/**
 * Workspaces: every implementation the grader runs is an ordinary copy of the tree built by
 * overlay (see DESIGN.md, "One source of truth: overlays").
 *
 * - `labs`: labs/ as it is;
 * - `reference`: labs/ with every file of reference/ copied over its twin;
 * - mixed: either of those with the editable files of chosen stages taken from reference/.
 *
 * Tests, hidden tests, configs and provided code always come from the kit; node_modules is
 * linked, not copied.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kitPath, KIT_ROOT } from './repo-paths';
import type { StageDefinition } from './stages';
import { takeSubmission, type SubmissionIntake } from './submission';

/** Which code a workspace runs. */
export type Implementation = 'labs' | 'reference';

/** What to put in a workspace. */
export interface WorkspacePlan {
  /** The base implementation. */
  readonly impl: Implementation;
  /** Stages whose editable files are taken from reference/ on top of the base (`--reference 2a`). */
  readonly referenceStages: readonly StageDefinition[];
  /**
   * A student's submission folder: its editable files replace the stubs (see submission.ts).
   * Applied before `referenceStages`, so `--reference 2a` still wins for those stages.
   */
  readonly submission?: { readonly dir: string; readonly stages: readonly StageDefinition[]; readonly graded?: readonly StageDefinition[] };
}

/** Files copied into every workspace next to labs/. */
const CONFIG_FILES = ['tsconfig.json', 'tsconfig.jest.json', 'jest.config.js', 'package.json'];

/** The twin under reference/ of an editable file under labs/. */
export function referenceTwin(labsPath: string): string {
  if (!labsPath.startsWith('labs/')) throw new Error(`Editable file ${labsPath} is not under labs/.`);
  return `reference/${labsPath.slice('labs/'.length)}`;
}

function copyTree(from: string, to: string): void {
  // verbatimSymlinks keeps a link a link: nothing outside the tree is ever followed into the copy.
  fs.cpSync(from, to, { recursive: true, verbatimSymlinks: true, filter: (source) => path.basename(source) !== 'node_modules' });
}

/** A built workspace: its folder and, for a submission, what was taken from it. */
export interface BuiltWorkspace {
  readonly dir: string;
  readonly submission?: SubmissionIntake;
}

/**
 * Builds the workspace described by `plan` in `dir` (emptied first) and returns `dir`.
 * Runs in a few hundred milliseconds: labs/ is small and node_modules is a link.
 */
export function buildWorkspace(plan: WorkspacePlan, dir: string): string {
  return buildWorkspaceWithReport(plan, dir).dir;
}

/** {@link buildWorkspace}, also returning what was taken from a submission. */
export function buildWorkspaceWithReport(plan: WorkspacePlan, dir: string): BuiltWorkspace {
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  copyTree(kitPath('labs'), path.join(dir, 'labs'));
  if (plan.impl === 'reference') {
    if (!fs.existsSync(kitPath('reference'))) {
      throw new Error('This is the student edition: it has no reference/ folder, so --impl reference and --reference are not available.');
    }
    copyTree(kitPath('reference'), path.join(dir, 'labs'));
  }
  const submission = plan.submission ? takeSubmission(plan.submission.dir, dir, plan.submission.stages, plan.submission.graded) : undefined;
  for (const stage of plan.referenceStages) {
    for (const file of stage.editable) {
      const twin = kitPath(referenceTwin(file));
      if (!fs.existsSync(twin)) throw new Error(`Stage ${stage.id} lists ${file} as editable but reference has no ${referenceTwin(file)}.`);
      fs.copyFileSync(twin, path.join(dir, ...file.split('/')));
    }
  }
  if (fs.existsSync(kitPath('grader/hidden'))) copyTree(kitPath('grader/hidden'), path.join(dir, 'grader', 'hidden'));
  for (const file of CONFIG_FILES) fs.copyFileSync(kitPath(file), path.join(dir, file));
  fs.symlinkSync(path.join(KIT_ROOT, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  return { dir, ...(submission ? { submission } : {}) };
}
