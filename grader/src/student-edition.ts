/**
 * `tinykv export-student DIR`: writes the student edition — the kit without the solutions,
 * the hidden tests and rubrics, the bug catalog and the instructor notes. README and Makefile
 * work there unchanged; README's instructor section is cut out.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KIT_ROOT } from './repo-paths';

/**
 * Paths (files or folders, repository-relative) that never leave the instructor edition.
 * The kit self-tests listed here need reference/ (or the bug catalog) or assume the untouched
 * stubs, so they belong to the instructor's suite only; every other self-test holds in both
 * editions, and the student edition's `npm test` runs them.
 */
export const INSTRUCTOR_ONLY: readonly string[] = [
  'reference',
  'grader/hidden',
  'grader/mutants',
  'docs/instructors.md',
  'grader/test/cluster-failures.test.ts',
  'grader/test/fixtures/proposal-matching.test.ts',
  'grader/test/kit-promises.test.ts',
  'grader/test/mutants.test.ts',
  'grader/test/stub-api.test.ts',
  'grader/test/student-edition.test.ts',
  'grader/test/submission.test.ts',
  'grader/test/replay.test.ts',
  'grader/test/watch.test.ts',
  '.github/workflows',
  'docs/gradescope.md',
  'docs/classroom.md',
  'docs/batch-grading.md',
  'grader/test/gradescope-package.test.ts',
  'grader/test/grade-all.test.ts',
  'grader/test/classroom-workflow.test.ts',
];

/**
 * Folders the student edition carries under another name. The workflows students run (GitHub
 * Classroom's autograding) live outside `.github/workflows` here, so that they do not run on the
 * instructor's repository, whose own workflows (the doc site) stay behind.
 */
export const RELOCATED: Readonly<Record<string, string>> = { '.github/student-workflows': '.github/workflows' };

/** Where a repository path lands in the student edition. */
function editionPath(relative: string): string {
  for (const [from, to] of Object.entries(RELOCATED)) {
    if (relative === from || relative.startsWith(`${from}/`)) return `${to}${relative.slice(from.length)}`;
  }
  return relative;
}

/** Never copied: installed or generated, not source. */
const GENERATED = new Set(['node_modules', '.git', '.tinykv', 'docs-site']);

/** Marks in README.md around text for instructors only; export removes them and what they enclose. */
export const INSTRUCTOR_BLOCK = /<!-- instructors-only:start -->[\s\S]*?<!-- instructors-only:end -->\n?/g;

function isExcluded(relative: string): boolean {
  const parts = relative.split('/');
  if (GENERATED.has(parts[0])) return true;
  return INSTRUCTOR_ONLY.some((excluded) => relative === excluded || relative.startsWith(`${excluded}/`));
}

function copyFiltered(relative: string, target: string): number {
  let copied = 0;
  for (const entry of fs.readdirSync(path.join(KIT_ROOT, relative), { withFileTypes: true })) {
    const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
    if (isExcluded(child)) continue;
    const destination = path.join(target, ...editionPath(child).split('/'));
    if (entry.isDirectory()) {
      fs.mkdirSync(destination, { recursive: true });
      copied += copyFiltered(child, target);
    } else if (entry.isFile()) {
      fs.copyFileSync(path.join(KIT_ROOT, child), destination);
      fs.chmodSync(destination, fs.statSync(path.join(KIT_ROOT, child)).mode);
      copied++;
    }
  }
  return copied;
}

/**
 * Writes the student edition into `dir`, which must not exist or be empty. The edition is
 * assembled next to it and renamed into place, so a failure never leaves half an edition.
 *
 * @returns how many files were written.
 * @throws Error when `dir` exists and is not empty.
 */
export function exportStudentEdition(dir: string): number {
  const target = path.resolve(dir);
  if (target === KIT_ROOT || target.startsWith(`${KIT_ROOT}${path.sep}`)) {
    throw new Error(`${dir} is inside the kit; export the student edition to a folder outside it.`);
  }
  if (fs.existsSync(target) && fs.readdirSync(target).length > 0) {
    throw new Error(`${dir} already exists and is not empty; choose a new folder for the student edition.`);
  }
  const staging = `${target}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  fs.mkdirSync(staging, { recursive: true });
  try {
    const copied = copyFiltered('', staging);
    const readme = path.join(staging, 'README.md');
    fs.writeFileSync(readme, fs.readFileSync(readme, 'utf8').replace(INSTRUCTOR_BLOCK, ''));
    fs.rmSync(target, { recursive: true, force: true });
    fs.renameSync(staging, target);
    return copied;
  } catch (error) {
    fs.rmSync(staging, { recursive: true, force: true });
    throw error;
  }
}
