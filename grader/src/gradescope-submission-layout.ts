/**
 * Finding a student's editable files in whatever shape they were handed in. Gradescope takes a
 * repository (GitHub, Bitbucket: the files sit at their repository paths), a zip (often of the
 * repository's folder, so everything is one level down) or loose files dragged into the upload
 * box (`raft.ts` with no folders at all). Batch grading meets the same shapes in a folder of
 * downloaded submissions. The grader itself reads a repository-shaped folder
 * (`labs/2a-raft/src/raft.ts`), so this module says where that folder is, or builds one.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { editableManifest } from './submission';
import type { StageDefinition } from './stages';

/** How the submission was laid out. */
export type SubmissionShape = 'repository' | 'nested-repository' | 'loose-files' | 'empty';

/** A repository-shaped folder to grade, and how it was found. */
export interface LocatedSubmission {
  /** The folder to pass to the grader as the submission. */
  readonly dir: string;
  readonly shape: SubmissionShape;
  /** Sentences for the student about what was assumed (empty when the shape was the usual one). */
  readonly notes: readonly string[];
}

/** Folders never searched. */
const SKIPPED = new Set(['node_modules', '.git', '.tinykv', '__MACOSX']);
/** How deep a repository folder may sit inside an upload (a zip of a folder is one level). */
const NESTING_DEPTH = 2;
/** Upper bound on directory entries examined, so a pathological upload cannot stall the search. */
const ENTRY_BUDGET = 20_000;

function holdsEditableFile(dir: string, manifest: readonly string[]): boolean {
  return manifest.some((file) => {
    try {
      return fs.lstatSync(path.join(dir, ...file.split('/'))).isFile();
    } catch {
      return false;
    }
  });
}

function subfolders(dir: string): string[] {
  try {
    return fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && !SKIPPED.has(entry.name))
      .map((entry) => path.join(dir, entry.name))
      .sort();
  } catch {
    return [];
  }
}

/** Every regular file under `dir` (no links followed), by base name, within the entry budget. */
function filesByBaseName(dir: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const pending = [dir];
  let budget = ENTRY_BUDGET;
  while (pending.length > 0 && budget > 0) {
    const current = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (--budget <= 0) break;
      const full = path.join(current, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED.has(entry.name)) pending.push(full);
      } else if (entry.isFile()) {
        found.set(entry.name, [...(found.get(entry.name) ?? []), full]);
      }
    }
  }
  return found;
}

/**
 * Builds a repository-shaped copy of loose files in `stagingDir`: each editable file whose base
 * name is unique in the manifest and found exactly once in the upload is copied to its path.
 */
function stageLooseFiles(uploadDir: string, manifest: readonly string[], stagingDir: string): { placed: string[]; notes: string[] } {
  const byName = filesByBaseName(uploadDir);
  const manifestNames = new Map<string, number>();
  for (const file of manifest) manifestNames.set(path.posix.basename(file), (manifestNames.get(path.posix.basename(file)) ?? 0) + 1);
  const placed: string[] = [];
  const notes: string[] = [];
  fs.rmSync(stagingDir, { recursive: true, force: true });
  fs.mkdirSync(stagingDir, { recursive: true });
  for (const file of manifest) {
    const name = path.posix.basename(file);
    const candidates = byName.get(name) ?? [];
    if (candidates.length === 0) continue;
    if (manifestNames.get(name)! > 1 || candidates.length > 1) {
      notes.push(`${name} was found ${candidates.length} times or names more than one file of the kit, so it was not used: submit your repository (or its folder) so that every file keeps its path, e.g. ${file}.`);
      continue;
    }
    const target = path.join(stagingDir, ...file.split('/'));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(candidates[0], target);
    placed.push(file);
  }
  return { placed, notes };
}

/**
 * Finds the repository-shaped folder in an upload: the upload itself when an editable file sits
 * at its repository path; else the one folder (up to two levels down) that holds one; else a
 * copy of the loose files built in `stagingDir`.
 *
 * @param uploadDir - the submission as handed in (`/autograder/submission`, or a student's folder).
 * @param stages - every stage: their editable files are what is looked for.
 * @param stagingDir - a scratch folder this function may empty and fill (used for loose files only).
 */
export function locateSubmission(uploadDir: string, stages: readonly StageDefinition[], stagingDir: string): LocatedSubmission {
  const manifest = editableManifest(stages);
  if (holdsEditableFile(uploadDir, manifest)) return { dir: uploadDir, shape: 'repository', notes: [] };
  let level = [uploadDir];
  for (let depth = 1; depth <= NESTING_DEPTH; depth++) {
    level = level.flatMap(subfolders);
    const repositories = level.filter((dir) => holdsEditableFile(dir, manifest));
    if (repositories.length === 1) {
      const relative = path.relative(uploadDir, repositories[0]).split(path.sep).join('/');
      return { dir: repositories[0], shape: 'nested-repository', notes: [`Your files were read from the folder ${relative}/ of your submission.`] };
    }
    if (repositories.length > 1) {
      const names = repositories.map((dir) => `${path.relative(uploadDir, dir).split(path.sep).join('/')}/`);
      return { dir: uploadDir, shape: 'empty', notes: [`Your submission holds more than one copy of the kit (${names.join(', ')}), so none was graded: submit exactly one.`] };
    }
  }
  const { placed, notes } = stageLooseFiles(uploadDir, manifest, stagingDir);
  if (placed.length === 0) return { dir: uploadDir, shape: 'empty', notes: [...notes, 'No file of the kit that you edit was found in your submission, so every stage ran on the stubs.'] };
  return { dir: stagingDir, shape: 'loose-files', notes: [`Your files were matched to the kit by name: ${placed.join(', ')}.`, ...notes] };
}
