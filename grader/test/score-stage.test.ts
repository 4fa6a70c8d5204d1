// Goal: results map to points exactly as the rubric says, nothing earns more than it earned,
// tests the code under test registers itself are its problem (not the kit's), and nothing the
// hidden tests' run printed reaches the stage's reason, which students see.
// Method: feed scoreStage and scoreStageRuns hand-made process results.
import type { Rubric } from '../src/rubric';
import { failedSeed, failedSeeds, scoreStage, scoreStageRuns, STAGE_MESSAGES_LIMIT } from '../src/score-stage';
import type { StageProcessResult } from '../src/stage-process';

const rubric: Rubric = {
  stage: '9',
  entries: [
    { name: 'a', points: 1, hidden: false },
    { name: 'b', points: 2, hidden: false },
    { name: 'c', points: 3, hidden: true },
  ],
};

function result(partial: Partial<StageProcessResult>): StageProcessResult {
  return { tests: [], fileErrors: [], ending: { kind: 'completed' }, wallMs: 10, stderrHead: '', stderrTail: '', forgedLines: 0, ...partial };
}

const test_ = (name: string, status: string, message = '') => ({ file: 'x.test.ts', name, status, durationMs: 3, message });

test('passing tests earn their rubric points and failing ones earn none', () => {
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed'), test_('b', 'failed', 'Expected: 1'), test_('c', 'passed')] }));
  expect(scored.score).toBe(4);
  expect(scored.max_score).toBe(6);
  expect(scored.status).toBe('failed');
  expect(scored.tests.map((t) => [t.name, t.status, t.score])).toEqual([['a', 'passed', 1], ['b', 'failed', 0], ['c', 'passed', 3]]);
  expect(scored.tests[1].message).toBe('Expected: 1');
  expect(scored.tests[2].hidden).toBe(true);
  expect(scored.kitProblems).toEqual([]);
});

test('a stage where every rubric test passes is passed with full marks', () => {
  const scored = scoreStage(rubric, result({ tests: ['a', 'b', 'c'].map((name) => test_(name, 'passed')) }));
  expect(scored).toMatchObject({ status: 'passed', score: 6, max_score: 6 });
});

test('a test missing from the results counts as failed; in a completed run that is a kit problem', () => {
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed'), test_('b', 'passed')] }));
  expect(scored.score).toBe(3);
  expect(scored.tests[2]).toMatchObject({ name: 'c', status: 'missing', score: 0 });
  expect(scored.kitProblems).toEqual(['The rubric names "c" but no such test ran.']);
});

test('a test that ran but is not in the rubric earns nothing and is counted as the code under test\'s, not the kit\'s', () => {
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed'), test_('zzz', 'passed')] }));
  expect(scored.score).toBe(1);
  expect(scored.kitProblems).toEqual([]);
  expect(scored.unexpected_tests).toBe(1);
  expect(scored.reason).toContain('1 test(s) ran that the kit does not have ("zzz"): the code under test registered them, and they earn nothing.');
});

test('fifty thousand registered tests are counted, three named, and nobody is told the kit is broken', () => {
  const flood = Array.from({ length: 50_000 }, (_, index) => test_(`fake ${index} ${'x'.repeat(200)}`, 'passed'));
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed'), ...flood] }));
  expect(scored.unexpected_tests).toBe(50_000);
  expect(scored.kitProblems).toEqual([]); // b and c did not run, but the run was not clean: not the kit's fault
  expect(scored.reason).toContain('and 49997 more');
  expect(JSON.stringify(scored).length).toBeLessThan(20_000);
});

test('a name reported twice (a registered twin) passes only if every report passed', () => {
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed'), test_('a', 'failed', 'Expected: 1'), test_('b', 'passed'), test_('b', 'passed')] }));
  expect(scored.tests.map((t) => [t.name, t.status])).toEqual([['a', 'failed'], ['b', 'passed'], ['c', 'missing']]);
});

test('a rubric entry counts only from its own run: a hidden run cannot pass a public test', () => {
  const scored = scoreStageRuns(rubric, [
    { part: 'public', result: result({ tests: [test_('a', 'failed', 'Expected: 1'), test_('b', 'passed')] }) },
    { part: 'hidden', result: result({ tests: [test_('a', 'passed'), test_('c', 'passed')] }) },
  ]);
  expect(scored.tests.map((t) => [t.name, t.status])).toEqual([['a', 'failed'], ['b', 'passed'], ['c', 'passed']]);
  expect(scored.unexpected_tests).toBe(1);
});

test('the stage reason quotes the public run, and of the hidden run says what happened but nothing it printed or named', () => {
  const secret = 'SECRET-FROM-THE-HIDDEN-RUN';
  const scored = scoreStageRuns(rubric, [
    { part: 'public', result: result({ tests: [test_('a', 'passed'), test_('b', 'passed')] }) },
    {
      part: 'hidden',
      result: result({
        tests: [test_(`${secret} registered test`, 'passed')],
        fileErrors: [{ file: `grader/hidden/9/${secret}.test.ts`, error: `Error: ${secret} at import` }],
        ending: { kind: 'exited-early', exitCode: 3, signal: null },
        stderrHead: `process.exit called with "${secret}"`,
        stderrTail: `process.exit called with "${secret}"`,
        forgedLines: 2,
      }),
    },
  ]);
  expect(scored.status).toBe('crashed');
  expect(scored.reason).toContain("The hidden tests' run did not finish (its process exited early)");
  expect(scored.reason).toContain("In the hidden tests' run, 1 test(s) ran that the kit does not have: the code under test registered them");
  expect(scored.reason).not.toContain(secret);
  expect(scored.tests[2]).toMatchObject({ name: 'c', status: 'missing', hidden: true }); // its own message may say more: it is a hidden test's
});

test('every message is cut, and a stage keeps no more message text than its limit', () => {
  const long = 'y'.repeat(100_000);
  const many: Rubric = { stage: '9', entries: Array.from({ length: 40 }, (_, index) => ({ name: `t${index}`, points: 1, hidden: false })) };
  const scored = scoreStage(many, result({ tests: many.entries.map((entry) => test_(entry.name, 'failed', long)) }));
  for (const test of scored.tests) expect(test.message!.length).toBeLessThanOrEqual(2002);
  const total = scored.tests.reduce((sum, test) => sum + test.message!.length, 0);
  expect(total).toBeLessThan(STAGE_MESSAGES_LIMIT + 40 * 100);
  expect(scored.tests[39].message).toContain('limit');
});

test('a run that sent more results than the channel takes is stopped and the stage says why', () => {
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed')], ending: { kind: 'flooded', limitBytes: 16 * 1024 * 1024 } }));
  expect(scored).toMatchObject({ status: 'crashed', score: 1 });
  expect(scored.reason).toContain('more than 16 MiB of results');
  expect(scored.kitProblems).toEqual([]);
});

test('a timed-out stage scores what finished and says why', () => {
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed')], ending: { kind: 'timeout', limitSeconds: 30 } }));
  expect(scored).toMatchObject({ status: 'timeout', score: 1 });
  expect(scored.reason).toContain('30 s time limit');
  expect(scored.kitProblems).toEqual([]); // missing tests after a timeout are not the kit's fault
});

test('an early exit names process.exit when jest saw one', () => {
  const scored = scoreStage(rubric, result({ ending: { kind: 'exited-early', exitCode: 0, signal: null }, stderrTail: 'process.exit called with "0"' }));
  expect(scored.status).toBe('crashed');
  expect(scored.reason).toContain('process.exit(0)');
});

test('skipped and todo tests earn nothing', () => {
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'pending'), test_('b', 'todo'), test_('c', 'passed')] }));
  expect(scored.score).toBe(3);
  expect(scored.tests[0].status).toBe('failed');
});

test('a seeded failure reports its seeds', () => {
  expect(failedSeed('SeedFailure: Failed under seed 17 (1 of 20 run).\nReplay the first with: ...')).toBe(17);
  expect(failedSeeds('SeedFailure: Failed under seeds 3, 7, 19 (3 of 50 run).')).toEqual([3, 7, 19]);
  expect(failedSeed('plain failure')).toBeUndefined();
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'failed', 'Failed under seeds 4, 9 (2 of 10 run).\nReplay...')] }));
  expect(scored.tests[0]).toMatchObject({ seed: 4, failed_seeds: [4, 9] });
});

test('a file whose framework check tripped at its end fails every test of that file', () => {
  const scored = scoreStage(rubric, result({
    tests: [{ ...test_('a', 'passed'), file: 'x.test.ts' }, { ...test_('b', 'passed'), file: 'y.test.ts' }],
    fileErrors: [{ file: 'x.test.ts', error: 'Error: TINYKV-TAMPER: the code under test changed the test framework (matcher check 1 accepted a wrong value)' }],
  }));
  expect(scored.tests.map((t) => [t.name, t.status])).toEqual([['a', 'failed'], ['b', 'passed'], ['c', 'missing']]);
  expect(scored.tests[0].message).toContain('TINYKV-TAMPER');
  expect(scored.reason).toContain('changed the test framework');
});

test('forged result lines are ignored and named in the reason', () => {
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed')], forgedLines: 3 }));
  expect(scored.score).toBe(1);
  expect(scored.reason).toContain('3 result line(s) not written by the grader');
});

test('a crash quotes the start of the process\'s error output, without jest\'s code frame, in the reason and in every test that did not run', () => {
  const stderrHead = [
    '  \u001b[1m●  process.exit called with "3"\u001b[22m',
    '',
    '      53 |   }',
    '    > 55 | process.exit(3);',
    '         |         ^',
    '',
    '      at Object.<anonymous> (labs/4-txn/src/scanner.ts:55:9)',
  ].join('\n');
  const scored = scoreStage(rubric, result({ tests: [test_('a', 'passed')], ending: { kind: 'exited-early', exitCode: 3, signal: null }, stderrHead, stderrTail: stderrHead }));
  expect(scored.status).toBe('crashed');
  expect(scored.score).toBe(1);
  expect(scored.reason).toContain('exited with code 3 before finishing (the code under test called process.exit(3))');
  expect(scored.reason).toContain('Its error output began:\n    ●  process.exit called with "3"\n        at Object.<anonymous> (labs/4-txn/src/scanner.ts:55:9)');
  expect(scored.reason).not.toContain('\u001b[');
  expect(scored.reason).not.toContain('55 |');
  for (const missing of scored.tests.filter((t) => t.status === 'missing')) expect(missing.message).toContain('process.exit called with "3"');
  expect(scored.kitProblems).toEqual([]);
});

test('a process that dies without a word says so', () => {
  const scored = scoreStage(rubric, result({ ending: { kind: 'exited-early', exitCode: null, signal: 'SIGKILL' } }));
  expect(scored.status).toBe('crashed');
  expect(scored.reason).toContain('was killed by SIGKILL before finishing');
  expect(scored.reason).toContain('It wrote nothing on stderr.');
});
