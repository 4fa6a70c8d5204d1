// Goal: the JUnit and Gradescope reports say the same as the JSON report, in the shapes those
// systems read, and survive hostile test names and messages.
import type { GradeReport } from '../src/grade';
import { toGradescopeResults, toJUnitXml } from '../src/report-formats';

const report: GradeReport = {
  score: 3,
  max_score: 6,
  impl: 'submission-alice',
  wall_ms: 1500,
  stages: [
    {
      stage: '1',
      title: 'Standalone storage',
      handout: 'labs/1-standalone/README.md',
      status: 'failed',
      score: 3,
      max_score: 6,
      wall_ms: 1200,
      kitProblems: [],
      tests: [
        { name: '[1] passes', status: 'passed', score: 1, max_score: 1, duration_ms: 5, hidden: false },
        { name: '[1] <fails> & "quotes"', status: 'failed', score: 0, max_score: 3, duration_ms: 7, hidden: true, seed: 4, failed_seeds: [4], message: 'Expected: 1\nReceived: 2 \u0007bell' },
        { name: '[1] hidden pass', status: 'passed', score: 2, max_score: 2, duration_ms: 1, hidden: true },
      ],
    },
  ],
};

test('JUnit XML has one suite per stage, one case per test, failures with escaped messages', () => {
  const xml = toJUnitXml(report);
  expect(xml).toContain('<testsuites name="tinykv submission-alice" tests="3" failures="1" errors="0" time="1.500">');
  expect(xml).toContain('<testsuite name="stage 1: Standalone storage" tests="3" failures="1" errors="0" time="1.200">');
  expect(xml).toContain('<testcase classname="tinykv.stage1" name="[1] passes" time="0.005"/>');
  expect(xml).toContain('name="[1] &lt;fails&gt; &amp; &quot;quotes&quot;"');
  expect(xml).toContain('<failure message="Expected: 1">Expected: 1\nReceived: 2 \ufffdbell</failure>');
  expect(xml).not.toMatch(/[\u0000-\u0008]/);
  expect(xml.match(/<testcase /g)).toHaveLength(3);
});

test('Gradescope results carry the score, per-test points and hidden tests shown after the due date', () => {
  const results = toGradescopeResults(report) as { score: number; max_score: number; tests: { name: string; score: number; max_score: number; visibility: string; output: string }[] };
  expect(results.score).toBe(3);
  expect(results.max_score).toBe(6);
  expect(results.tests.map((t) => [t.name, t.score, t.max_score, t.visibility])).toEqual([
    ['[1] passes', 1, 1, 'visible'],
    ['[1] <fails> & "quotes"', 0, 3, 'after_due_date'],
    ['[1] hidden pass', 2, 2, 'after_due_date'],
  ]);
  expect(results.tests[1].output).toContain('Expected: 1');
  expect((toGradescopeResults(report, 'hidden') as { tests: { visibility: string }[] }).tests[2].visibility).toBe('hidden');
});
