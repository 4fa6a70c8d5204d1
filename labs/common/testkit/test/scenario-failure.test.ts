// Goal: a scenario failure reads in a fixed order — its kind first, then the scenario line, the
// detail, the cluster's context, and the replay commands last — and prints each line once,
// however often it is wrapped (a multi-line message copied into a stack was printed 2-3 times).
// Method: build failures by hand, wrap them as the cluster kit does, and read message and stack.
import { capLines, ScenarioFailure, stackFrames } from '../scenario-failure';

const context = { sections: ['The stores at virtual time 40 ms:\n  store 1 (peer 2, region 1): up'], footer: ['Replay it: npx tinykv replay 2b "t" --seed 3', 'See its timeline: ... --trace /tmp/x.jsonl'] };

test('the message starts with the kind and ends with the replay commands', () => {
  const failure = new ScenarioFailure('correctness', 'store 2 (peer 3, region 1) answered ...').withContext(context).withPreamble(['scenario "s" seed 3: stores=5']);
  const lines = failure.message.split('\n');
  expect(lines[0]).toBe('[correctness failure] scenario "s" seed 3: stores=5');
  expect(lines[1]).toBe('store 2 (peer 3, region 1) answered ...');
  expect(lines.slice(-2)).toEqual(context.footer);
  expect(failure.message).toContain(context.sections[0]);
  expect(failure.kind).toBe('correctness');
});

test('a failure that has a context keeps it: the first context wins', () => {
  const failure = new ScenarioFailure('liveness', 'no leader').withContext(context);
  expect(failure.withContext({ sections: ['other'], footer: ['other footer'] }).message).toBe(failure.message);
});

test('every line of a multi-line message appears once in the stack, however often it is wrapped', () => {
  const studentError = new RangeError('line one of the cause\nline two of the cause');
  const detail = `store 2 (peer 3, region 1) threw: ${studentError.name}: ${studentError.message}`;
  const failure = new ScenarioFailure('crash', detail, studentError).withContext(context).withPreamble(['the scenario line']);
  const stack = failure.stack ?? '';
  const times = (line: string) => ({ line, times: stack.split(line).length - 1 });
  for (const line of ['the scenario line', 'line one of the cause', 'line two of the cause', 'store 1 (peer 2, region 1): up', 'Replay it:']) {
    expect(times(line)).toEqual({ line, times: 1 });
  }
  // The frames are the cause's: where the student's code threw.
  expect(stackFrames(failure)).toBe(stackFrames(studentError));
  expect(stackFrames(failure)).toMatch(/^\s+at /);
});

test('capLines keeps the first lines and counts the rest', () => {
  expect(capLines('a\nb\nc\nd', 2)).toBe('a\nb\n... and 2 more lines');
  expect(capLines('a\nb', 2)).toBe('a\nb');
});
