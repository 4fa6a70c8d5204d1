// Goal: rubric files are validated strictly, reports are written atomically, and every stage
// of the registry has a rubric, a handout and its test files.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomically } from '../src/atomic-write';
import { exactNamePattern } from '../src/cli';
import { KIT_ROOT, kitPath } from '../src/repo-paths';
import { loadRubric, maxScore, RubricError } from '../src/rubric';
import { STAGES, type StageDefinition } from '../src/stages';

function tempRoot(files: Record<string, string>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-rubric-'));
  for (const [file, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), content);
  }
  return root;
}

const stage = { ...STAGES[0], id: '9', hiddenDir: 'grader/hidden/9' } as StageDefinition;

test('loads public and hidden entries, hidden ones marked', () => {
  const root = tempRoot({
    'grader/rubric/9.json': JSON.stringify({ stage: '9', tests: { a: 1, b: 2 } }),
    'grader/hidden/9/rubric.json': JSON.stringify({ stage: '9', tests: { c: 3 } }),
  });
  const rubric = loadRubric(root, stage);
  expect(rubric.entries).toEqual([
    { name: 'a', points: 1, hidden: false },
    { name: 'b', points: 2, hidden: false },
    { name: 'c', points: 3, hidden: true },
  ]);
  expect(maxScore(rubric)).toBe(6);
});

test('the student edition (no hidden rubric) loads the public entries only', () => {
  const root = tempRoot({ 'grader/rubric/9.json': JSON.stringify({ stage: '9', tests: { a: 1 } }) });
  expect(loadRubric(root, stage).entries).toHaveLength(1);
});

test.each([
  ['a missing file', {}, 'has no rubric'],
  ['bad JSON', { 'grader/rubric/9.json': '{' }, 'Cannot read the rubric'],
  ['the wrong stage', { 'grader/rubric/9.json': JSON.stringify({ stage: '8', tests: {} }) }, 'must look like'],
  ['zero points', { 'grader/rubric/9.json': JSON.stringify({ stage: '9', tests: { a: 0 } }) }, 'points must be positive integers'],
  [
    'a name in both files',
    { 'grader/rubric/9.json': JSON.stringify({ stage: '9', tests: { a: 1 } }), 'grader/hidden/9/rubric.json': JSON.stringify({ stage: '9', tests: { a: 1 } }) },
    'names "a" twice',
  ],
])('rejects a rubric with %s', (_what, files, message) => {
  const root = tempRoot(files as Record<string, string>);
  expect(() => loadRubric(root, stage)).toThrow(RubricError);
  expect(() => loadRubric(root, stage)).toThrow(message);
});

test('writes a report atomically and leaves no temporary file behind', () => {
  const root = tempRoot({});
  const file = path.join(root, 'out', 'grade.json');
  writeFileAtomically(file, '{"score":1}\n');
  writeFileAtomically(file, '{"score":2}\n');
  expect(fs.readFileSync(file, 'utf8')).toBe('{"score":2}\n');
  expect(fs.readdirSync(path.dirname(file))).toEqual(['grade.json']);
});

test('an exact test name becomes an anchored pattern that matches only itself', () => {
  const name = '[2AA] a (tricky) name: 1+1 $x';
  const pattern = new RegExp(exactNamePattern(name));
  expect(pattern.test(name)).toBe(true);
  expect(pattern.test(`${name} and more`)).toBe(false);
  expect(pattern.test('A a (tricky) name: 1+1 $x')).toBe(false);
});

describe.each(STAGES.map((s) => [s.id, s] as const))('registry entry for stage %s', (_id, entry) => {
  test('has its handout, public tests, editable files and a loadable rubric', () => {
    expect(fs.existsSync(kitPath(entry.handout))).toBe(true);
    for (const file of [...entry.tests, ...entry.editable]) expect([file, fs.existsSync(kitPath(file))]).toEqual([file, true]);
    expect(maxScore(loadRubric(KIT_ROOT, entry))).toBeGreaterThan(0);
    expect(entry.tag.toLowerCase()).toBe(entry.id);
    for (const id of entry.buildsOn) expect(STAGES.map((s) => s.id)).toContain(id);
  });
});

describe('every stage is startable the ways README promises', () => {
  const readme = fs.readFileSync(kitPath('README.md'), 'utf8');
  const scripts = (JSON.parse(fs.readFileSync(kitPath('package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
  test.each(STAGES.map((s) => [s.id, s] as const))('stage %s: README row, handout link, make target and npm script', (id, entry) => {
    expect(readme).toContain(`| ${id} |`);
    expect(readme).toContain(`(${entry.handout})`);
    expect(readme).toContain(`\`make project${id}\``);
    expect(scripts[`project${id}`]).toBe(`node bin/tinykv.js test ${id}`);
  });
});
