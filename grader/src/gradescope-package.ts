/**
 * `tinykv gradescope-package OUT [stages]`: the autograder zip Gradescope expects.
 *
 * ```
 * setup.sh                  installs Node.js and the kit's locked dependencies (gradescope-scripts.ts)
 * run_autograder            grades /autograder/submission into /autograder/results/results.json
 * tinykv-autograder.json    the settings chosen here: stages, hidden-test visibility, time limit
 * kit/                      what grading needs: bin/, grader/src, rubrics, the graded stages'
 *                           hidden tests, labs/ (the stubs), package.json and its lock, configs
 * ```
 *
 * The kit part is an allowlist, so nothing instructor-only that is added to the repository later
 * can slip in: never `reference/`, never the bug catalog (its edits quote the solutions).
 * Everything in the zip is readable by the code under test in the container, which is why the
 * hidden tests of stages not graded here are left out too.
 *
 * @module
 */
import { zipSync, type Zippable } from 'fflate';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AUTOGRADER_CONFIG_FILE, type AutograderConfig } from './gradescope-run';
import { PACKAGED_KIT_FOLDER, runAutograderScript, setupScript } from './gradescope-scripts';
import type { GradescopeVisibility } from './report-formats';
import { KIT_ROOT } from './repo-paths';
import type { StageDefinition } from './stages';

/** Repository paths (files or folders) the package carries, besides the graded stages' hidden tests. */
export const PACKAGED_PATHS: readonly string[] = ['bin', 'grader/src', 'grader/rubric', 'labs', 'package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.jest.json', 'jest.config.js'];

/** Paths that must never be in a package, whatever the allowlist says: checked on the way out. */
export const NEVER_PACKAGED: readonly string[] = ['reference', 'grader/mutants', 'grader/test', '.git', '.tinykv', 'node_modules'];

/** Folder names skipped wherever they appear. */
const SKIPPED_FOLDERS = new Set(['node_modules', '.tinykv', '.git']);

/** What to package. */
export interface GradescopePackageOptions {
  readonly stages: readonly StageDefinition[];
  readonly hiddenVisibility: GradescopeVisibility;
  readonly timeLimitSeconds?: number;
  readonly parallel?: number;
  /** The Node.js release setup.sh installs when the image has none that fits, e.g. `v20.20.2`. */
  readonly nodeVersion: string;
  /** The kit to package (default: this one). */
  readonly kitRoot?: string;
}

/** What was written. */
export interface GradescopePackageSummary {
  readonly file: string;
  readonly bytes: number;
  /** Every path in the zip, sorted. */
  readonly entries: readonly string[];
}

interface PackagedFile {
  readonly zipPath: string;
  readonly content: Uint8Array;
  readonly mode: number;
  readonly mtimeMs: number;
}

function isNeverPackaged(relative: string): boolean {
  return NEVER_PACKAGED.some((excluded) => relative === excluded || relative.startsWith(`${excluded}/`));
}

/** Regular files under `relative` (a file or a folder of the kit), links and generated folders skipped. */
function collect(kitRoot: string, relative: string, out: PackagedFile[]): void {
  const full = path.join(kitRoot, ...relative.split('/'));
  const stat = fs.lstatSync(full, { throwIfNoEntry: false });
  if (!stat) throw new Error(`The kit has no ${relative}, which the Gradescope package needs.`);
  if (stat.isDirectory()) {
    for (const entry of fs.readdirSync(full).sort()) {
      if (!SKIPPED_FOLDERS.has(entry)) collect(kitRoot, `${relative}/${entry}`, out);
    }
  } else if (stat.isFile()) {
    out.push({ zipPath: `${PACKAGED_KIT_FOLDER}/${relative}`, content: fs.readFileSync(full), mode: stat.mode & 0o777, mtimeMs: stat.mtimeMs });
  }
}

/** The zip's external attributes for a Unix file with this permission mode (upper 16 bits: type and mode). */
function unixAttributes(mode: number): number {
  return ((0o100000 | mode) << 16) >>> 0;
}

/** The files of the package, in zip order: the scripts and settings first, then the kit. */
export function packageFiles(options: GradescopePackageOptions): PackagedFile[] {
  const kitRoot = options.kitRoot ?? KIT_ROOT;
  const config: AutograderConfig = {
    stages: options.stages.map((stage) => stage.id),
    hiddenVisibility: options.hiddenVisibility,
    ...(options.timeLimitSeconds !== undefined ? { timeLimitSeconds: options.timeLimitSeconds } : {}),
    ...(options.parallel !== undefined ? { parallel: options.parallel } : {}),
  };
  // The generated files carry package.json's time: the zip then depends only on the kit's files.
  const generatedMtimeMs = fs.statSync(path.join(kitRoot, 'package.json')).mtimeMs;
  const text = (zipPath: string, content: string, mode: number): PackagedFile => ({ zipPath, content: Buffer.from(content), mode, mtimeMs: generatedMtimeMs });
  const files: PackagedFile[] = [
    text('setup.sh', setupScript(options.nodeVersion), 0o755),
    text('run_autograder', runAutograderScript(), 0o755),
    text(AUTOGRADER_CONFIG_FILE, `${JSON.stringify(config, null, 2)}\n`, 0o644),
  ];
  const kitFiles: PackagedFile[] = [];
  for (const relative of PACKAGED_PATHS) collect(kitRoot, relative, kitFiles);
  for (const stage of options.stages) {
    if (fs.existsSync(path.join(kitRoot, ...stage.hiddenDir.split('/')))) collect(kitRoot, stage.hiddenDir, kitFiles);
  }
  for (const file of kitFiles) {
    const relative = file.zipPath.slice(PACKAGED_KIT_FOLDER.length + 1);
    if (isNeverPackaged(relative)) throw new Error(`Refusing to package ${relative}: it must never leave the instructor's machine.`);
  }
  return [...files, ...kitFiles];
}

/**
 * Writes the autograder zip to `out` (atomically) and returns what it holds.
 *
 * @throws Error when a needed kit file is missing or a forbidden path would be packaged.
 */
export function writeGradescopePackage(out: string, options: GradescopePackageOptions): GradescopePackageSummary {
  const files = packageFiles(options);
  const zippable: Zippable = {};
  for (const file of files) {
    // os 3 (Unix) with the mode in the attributes: unzip restores run_autograder's execute bit.
    zippable[file.zipPath] = [file.content, { os: 3, attrs: unixAttributes(file.mode), mtime: file.mtimeMs, level: 6 }];
  }
  const zipped = zipSync(zippable);
  const target = path.resolve(out);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}`;
  fs.writeFileSync(temporary, zipped);
  fs.renameSync(temporary, target);
  return { file: target, bytes: zipped.length, entries: files.map((file) => file.zipPath).sort() };
}
