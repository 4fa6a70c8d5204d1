// Goal: stage names typed by people resolve to registry stages, and mistakes are usage errors.
import { labFoldersOf, selectStages, withPrerequisites } from '../src/stage-selection';
import type { StageDefinition } from '../src/stages';
import { UsageError } from '../src/usage-error';

const stage = (id: string, buildsOn: string[] = [], lab = `labs/${id}`): StageDefinition => ({
  id,
  tag: id.toUpperCase(),
  title: id,
  handout: `${lab}/README.md`,
  tests: [`${lab}/test/${id}.test.ts`],
  hiddenDir: `grader/hidden/${id}`,
  editable: [`${lab}/src/x.ts`],
  buildsOn,
  timeLimitSeconds: 10,
  memoryLimitMb: 100,
});
const registry = [stage('1'), stage('2aa', [], 'labs/2a'), stage('2ab', ['2aa'], 'labs/2a'), stage('2b', ['2ab'], 'labs/2b'), stage('4a')];

test('no selector means every stage, in order', () => {
  expect(selectStages([], registry).map((s) => s.id)).toEqual(['1', '2aa', '2ab', '2b', '4a']);
});

test('an exact id selects that stage only, whatever its case', () => {
  expect(selectStages(['2AA'], registry).map((s) => s.id)).toEqual(['2aa']);
});

test('a prefix selects its group in curriculum order, without duplicates', () => {
  expect(selectStages(['2a', '2aa'], registry).map((s) => s.id)).toEqual(['2aa', '2ab']);
  expect(selectStages(['4', '1'], registry).map((s) => s.id)).toEqual(['1', '4a']);
});

test('an unknown stage is a usage error that lists the known ones', () => {
  expect(() => selectStages(['9'], registry)).toThrow(UsageError);
  expect(() => selectStages(['9'], registry)).toThrow('Known stages: 1, 2aa, 2ab, 2b, 4a');
  expect(() => selectStages([''], registry)).toThrow(UsageError);
});

test('prerequisites are followed transitively', () => {
  expect(withPrerequisites(registry[3], registry).map((s) => s.id)).toEqual(['2aa', '2ab', '2b']);
});

test('lab folders come from the test and editable paths', () => {
  expect(labFoldersOf(registry[1])).toEqual(['labs/2a']);
});
