// Goal: the bug catalog is well-formed and every real student bug in it is caught by the stage
// it belongs to — the measure of the test suites the kit promises.
// Method: validate catalog files strictly (unit tests), then run `tinykv mutants` on the whole
// catalog and read its JSON.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { applyMutant, loadKillHints, loadMutants, MutantCatalogError, runMutant, type MutantResult } from '../src/mutants';
import { buildWorkspace } from '../src/workspace';
import { kitPath } from '../src/repo-paths';
import { STAGES } from '../src/stages';

jest.setTimeout(15 * 60_000);

const stage = { ...STAGES[0], id: '9' };

function catalogRoot(content: unknown): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-mutants-'));
  fs.mkdirSync(path.join(root, 'grader', 'mutants'), { recursive: true });
  fs.writeFileSync(path.join(root, 'grader', 'mutants', '9.json'), typeof content === 'string' ? content : JSON.stringify(content));
  return root;
}

const good = { id: 'off-by-one', bug: 'b', source: 's', file: 'reference/x/src/a.ts', find: 'i < n', replace: 'i <= n' };

test('a well-formed catalog loads; a stage without one has no mutants', () => {
  expect(loadMutants(stage, catalogRoot({ stage: '9', mutants: [good] }))).toEqual([good]);
  expect(loadMutants(stage, fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-none-')))).toEqual([]);
});

test.each([
  ['bad JSON', '{', 'Cannot read'],
  ['the wrong stage', { stage: '8', mutants: [] }, 'must look like'],
  ['a missing field', { stage: '9', mutants: [{ ...good, find: undefined }] }, 'needs a string "find"'],
  ['a duplicate id', { stage: '9', mutants: [good, good] }, 'used twice'],
  ['a file outside reference/', { stage: '9', mutants: [{ ...good, file: 'labs/x.ts' }] }, 'not under reference/'],
])('rejects a catalog with %s', (_what, content, message) => {
  expect(() => loadMutants(stage, catalogRoot(content))).toThrow(MutantCatalogError);
  expect(() => loadMutants(stage, catalogRoot(content))).toThrow(message);
});

test('a mutant applies only when its text occurs exactly once', () => {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-apply-'));
  fs.mkdirSync(path.join(workspace, 'labs', 'x', 'src'), { recursive: true });
  const file = path.join(workspace, 'labs', 'x', 'src', 'a.ts');
  fs.writeFileSync(file, 'for (let i = 0; i < n; i++) {}\n');
  applyMutant(workspace, good);
  expect(fs.readFileSync(file, 'utf8')).toBe('for (let i = 0; i <= n; i++) {}\n');
  expect(() => applyMutant(workspace, good)).toThrow('occurs 0 times');
  fs.writeFileSync(file, 'i < n; i < n;');
  expect(() => applyMutant(workspace, good)).toThrow('occurs 2 times');
  fs.writeFileSync(file, 'i < n');
  applyMutant(workspace, { ...good, replace: '$& $1' }); // replacement text is literal
  expect(fs.readFileSync(file, 'utf8')).toBe('$& $1');
});

test('a mutant is checked by its hinted test when that test fails on it, and by its whole stage when the hint is stale', async () => {
  const [mutant] = loadMutants(STAGES[0]);
  const hint = loadKillHints().get(`${STAGES[0].id}/${mutant.id}`);
  expect(hint).toBeDefined();
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-hint-'));
  const tree = buildWorkspace({ impl: 'reference', referenceStages: [] }, path.join(scratch, 'tree'));
  const hinted = await runMutant(STAGES[0], mutant, tree, path.join(scratch, 'run'), undefined, hint);
  expect({ caught: hinted.caught, checkedBy: hinted.checked_by, failing: hinted.failing_tests }).toEqual({ caught: true, checkedBy: 'hint', failing: [hint!.test] });
  // A hint naming a test that passes on the mutant (stale, or simply wrong) proves nothing: the stage runs.
  const stale = await runMutant(STAGES[0], mutant, tree, path.join(scratch, 'run'), undefined, { file: hint!.file, test: 'no test has this name' });
  expect({ caught: stale.caught, checkedBy: stale.checked_by, killedBy: stale.killed_by?.test }).toEqual({ caught: true, checkedBy: 'stage', killedBy: expect.any(String) });
});

test('every bug in the catalog is caught by its stage (each by its hinted test, or its whole stage)', async () => {
  const json = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-catalog-')), 'mutants.json');
  const result = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'mutants', '--json', json], { reject: false, env: { FORCE_COLOR: '0' } });
  if (!fs.existsSync(json)) throw new Error(`tinykv mutants wrote no JSON (exit ${result.exitCode}):\n${result.stderr}\n${result.stdout}`);
  const { mutants } = JSON.parse(fs.readFileSync(json, 'utf8')) as { mutants: MutantResult[] };
  expect(mutants.length).toBeGreaterThanOrEqual(STAGES.length * 2);
  expect(mutants.filter((mutant) => !mutant.caught).map((mutant) => `${mutant.stage}/${mutant.id}`)).toEqual([]);
  for (const entry of STAGES) expect([entry.id, mutants.filter((mutant) => mutant.stage === entry.id).length >= 2]).toEqual([entry.id, true]);
  expect(result.exitCode).toBe(0);
});
