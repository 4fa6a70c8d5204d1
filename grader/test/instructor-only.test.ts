// Goal: every kit self-test that needs the reference solutions or the bug catalog stays in the
// instructor edition (INSTRUCTOR_ONLY in grader/src/student-edition.ts), so that the student
// edition's `npm test` passes. A new self-test that reaches for reference/ fails here, in the
// instructor edition, rather than later in CI's run inside the student edition.
// Method: scan grader/test for the ways a test reaches the reference or the catalog.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kitPath } from '../src/repo-paths';
import { INSTRUCTOR_ONLY } from '../src/student-edition';

/** Source text that runs the reference, reads a reference file or runs the bug catalog. */
const NEEDS_REFERENCE = /impl: 'reference'|'--impl', 'reference'|loadMutants|runCatalog|referenceTwin|kitPath\(`reference\/|kitPath\('reference\//;

test('the rule recognises a test that needs the reference', () => {
  expect(NEEDS_REFERENCE.test("buildWorkspace({ impl: 'reference', referenceStages: [] }, dir)")).toBe(true);
  expect(NEEDS_REFERENCE.test("fs.readFileSync(kitPath('reference/1-standalone/src/raw-api.ts'))")).toBe(true);
  expect(NEEDS_REFERENCE.test("if (fs.existsSync(kitPath('reference'))) scan()")).toBe(false);
});

test('every self-test that needs the reference or the bug catalog is left out of the student edition', () => {
  const dir = kitPath('grader/test');
  const needing = fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.ts') && name !== path.basename(__filename)) // this file names the patterns it looks for
    .filter((name) => NEEDS_REFERENCE.test(fs.readFileSync(path.join(dir, name), 'utf8')))
    .map((name) => `grader/test/${name}`);
  expect(needing.filter((file) => !INSTRUCTOR_ONLY.includes(file))).toEqual([]);
});
