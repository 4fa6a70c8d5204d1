/**
 * Which edition of the kit this is. The instructor edition holds `reference/` (the solutions);
 * the student edition that `tinykv export-student` writes does not, and that absence is how
 * the CLI tells them apart: it hides and refuses what needs the reference there.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { KIT_ROOT } from './repo-paths';

/** True in the student edition: the kit at `root` has no `reference/` folder. */
export function isStudentEdition(root: string = KIT_ROOT): boolean {
  return !fs.existsSync(path.join(root, 'reference'));
}

/** The one line the student edition answers to `--impl reference` and `--reference`. */
export const REFERENCE_NOT_SHIPPED =
  'The reference solutions are not shipped with the student edition, so --impl reference and --reference are not available here: every stage runs on your own code.';
