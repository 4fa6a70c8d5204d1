// Goal: the terminal report never passes a crashed stage off as a plain 0: its header and the
// summary say how it ended, with its reason, and "nothing is implemented yet" is said only when
// every stage ran to its end on the stubs.
// Method: format hand-made reports.
import type { GradeReport, StageReport } from '../src/grade';
import { toGradescopeResults } from '../src/report-formats';
import { formatReport, formatStage } from '../src/report-table';

function stageReport(partial: Partial<StageReport>): StageReport {
  return {
    stage: '1',
    title: 'Standalone storage',
    handout: 'labs/1-standalone/README.md',
    status: 'failed',
    score: 0,
    max_score: 2,
    wall_ms: 100,
    kitProblems: [],
    tests: ['a', 'b'].map((name) => ({ name: `[1] ${name}`, status: 'failed' as const, score: 0, max_score: 1, duration_ms: 1, hidden: false, message: 'Not implemented (1): rawGet' })),
    ...partial,
  };
}

function gradeReport(stages: StageReport[]): GradeReport {
  return { score: 0, max_score: stages.reduce((sum, s) => sum + s.max_score, 0), impl: 'labs', wall_ms: 200, stages };
}

const crashReason = 'The stage\'s test process exited with code 1 before finishing; tests that finished before that are scored.\nIts error output began:\n  ● Validation Error:\n    Directory /w/grader in the roots[1] option was not found.';

const crashed = stageReport({
  stage: '2aa',
  title: 'Raft: leader election',
  status: 'crashed',
  reason: crashReason,
  tests: ['a', 'b'].map((name) => ({ name: `[2AA] ${name}`, status: 'missing' as const, score: 0, max_score: 1, duration_ms: 0, hidden: false, message: `This test did not run. ${crashReason}` })),
});

test('a crashed stage says CRASHED in its header, with the error it quotes', () => {
  const text = formatStage(crashed);
  expect(text.split('\n')[0]).toMatch(/Stage 2AA: Raft: leader election {2}0\/2 \(0%\) {2}CRASHED/);
  expect(text).toContain('Directory /w/grader in the roots[1] option was not found.');
  expect(text).toContain('None of its 2 tests ran.');
});

test('the summary names the stages that did not end normally and does not call them unimplemented', () => {
  const text = formatReport(gradeReport([stageReport({}), crashed]));
  expect(text).toContain('1 stage did not end normally (2aa crashed): its reason is printed above');
  expect(text).not.toContain('nothing is implemented');
  expect(text).toMatch(/│ 2aa\s+│ Raft: leader election\s+│ 0\/2\s+│ 0%\s+│ crashed/);
});

test('stubs that ran to their end are "nothing implemented yet"', () => {
  const text = formatReport(gradeReport([stageReport({}), stageReport({ stage: '4a' })]));
  expect(text).toContain('Every stage scores 0: nothing is implemented yet');
  expect(text).not.toContain('did not end normally');
});

test('Gradescope\'s summary gives a crashed stage its status and the first lines of its error', () => {
  const results = toGradescopeResults(gradeReport([stageReport({}), crashed])) as { output: string; tests: { name: string; output: string }[] };
  expect(results.output).toContain('Stage 2aa (Raft: leader election): 0/2 crashed — The stage\'s test process exited with code 1');
  expect(results.output).toContain('Directory /w/grader in the roots[1] option was not found.');
  expect(results.tests.find((t) => t.name === '[2AA] a')!.output).toContain('roots[1] option was not found');
});
