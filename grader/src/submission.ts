/**
 * Taking a student's submission into a workspace: only the files of the editable manifest
 * (every stage's `editable` list) are copied, and only when they are sane — a regular file
 * (not a link), not enormous, valid UTF-8. Everything else in the submission (changed tests,
 * harness, package.json, extra files) is ignored and listed, so the report says what was used.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { withPrerequisites } from './stage-selection';
import type { StageDefinition } from './stages';

/** Largest editable file accepted from a submission. */
export const MAX_SUBMITTED_FILE_BYTES = 1024 * 1024;
/** How many ignored files the report lists by name (the rest are counted). */
const IGNORED_LISTED = 50;
/** Folders never walked when listing what a submission holds. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.git', '.tinykv']);

/** What was taken from a submission and what was not. */
export interface SubmissionIntake {
  /** The submission folder, absolute. */
  readonly dir: string;
  /** Editable files taken from the submission. */
  readonly used: readonly string[];
  /** Editable files the submission lacks: the stub stays. */
  readonly missing: readonly string[];
  /** Editable files present but refused, with the reason (the stub stays). */
  readonly rejected: readonly { readonly file: string; readonly reason: string }[];
  /** Other files in the submission, ignored (the first few by name). */
  readonly ignored: readonly string[];
  /** How many files were ignored in all. */
  readonly ignoredCount: number;
}

/** Every editable file of every stage, once, in registry order. */
export function editableManifest(stages: readonly StageDefinition[]): string[] {
  return [...new Set(stages.flatMap((stage) => stage.editable))];
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** Why a submitted file cannot be used, or undefined when it can. */
function refusal(file: string): string | undefined {
  const stat = fs.lstatSync(file);
  if (stat.isSymbolicLink()) return 'it is a symbolic link; only regular files are taken';
  if (!stat.isFile()) return 'it is not a regular file';
  if (stat.size > MAX_SUBMITTED_FILE_BYTES) return `it is ${stat.size} bytes, over the ${MAX_SUBMITTED_FILE_BYTES}-byte limit`;
  if (!isUtf8(fs.readFileSync(file))) return 'it is not valid UTF-8 text';
  return undefined;
}

function listFiles(root: string, limit: number): string[] {
  const found: string[] = [];
  const pending = [''];
  while (pending.length > 0 && found.length < limit) {
    const relative = pending.pop()!;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) {
        if (!SKIPPED_FOLDERS.has(entry.name)) pending.push(child);
      } else {
        found.push(child);
      }
    }
  }
  return found.sort();
}

/**
 * Copies the usable editable files of `submissionDir` into the workspace's labs/ and reports
 * what happened to every file.
 *
 * @param stages - every stage: all their editable files are taken when present.
 * @param graded - the stages being graded: only their files (and their prerequisites') are reported missing.
 * @throws Error when `submissionDir` is not a readable folder.
 */
export function takeSubmission(submissionDir: string, workspace: string, stages: readonly StageDefinition[], graded: readonly StageDefinition[] = stages): SubmissionIntake {
  const dir = path.resolve(submissionDir);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`The submission ${submissionDir} is not a folder.`);
  const manifest = editableManifest(stages);
  // Every editable file is taken (later stages run on earlier ones), but only the graded stages' are worth reporting missing.
  const gradedFiles = new Set(editableManifest(graded.flatMap((stage) => withPrerequisites(stage))));
  const used: string[] = [];
  const missing: string[] = [];
  const rejected: { file: string; reason: string }[] = [];
  for (const file of manifest) {
    const source = path.join(dir, ...file.split('/'));
    if (!fs.existsSync(source) && !isDanglingLink(source)) {
      if (gradedFiles.has(file)) missing.push(file);
      continue;
    }
    const reason = refusal(source);
    if (reason) {
      rejected.push({ file, reason });
      continue;
    }
    fs.copyFileSync(source, path.join(workspace, ...file.split('/')));
    used.push(file);
  }
  const editable = new Set(manifest);
  const others = listFiles(dir, 100_000).filter((file) => !editable.has(file));
  return { dir, used, missing, rejected, ignored: others.slice(0, IGNORED_LISTED), ignoredCount: others.length };
}

function isDanglingLink(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink();
  } catch {
    return false;
  }
}
