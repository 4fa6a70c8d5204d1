// Goal: a crash's reason shows the first lines of the real error, readable in a table, a JSON
// report and Gradescope: no colour codes, no blank lines, no code frame, nothing unbounded.
// Method: feed errorExcerpt stderr text shaped like jest's.
import { errorExcerpt } from '../src/error-excerpt';

test('keeps the first non-blank lines, without colours or jest\'s code frame', () => {
  const stderr = [
    '\u001b[31m● Validation Error:\u001b[39m',
    '',
    '  Directory /tmp/ws/grader in the roots[1] option was not found.',
    '    > 12 | const x = 1;',
    '         |       ^',
    '  Configuration Documentation:',
    '  https://jestjs.io/docs/configuration',
  ].join('\n');
  expect(errorExcerpt(stderr)).toBe(
    ['● Validation Error:', '  Directory /tmp/ws/grader in the roots[1] option was not found.', '  Configuration Documentation:', '  https://jestjs.io/docs/configuration'].join('\n'),
  );
});

test('bounds the lines and their length', () => {
  const stderr = Array.from({ length: 50 }, (_, i) => `line ${i} ${'x'.repeat(500)}`).join('\n');
  const lines = errorExcerpt(stderr, 3).split('\n');
  expect(lines).toHaveLength(3);
  expect(lines[0].startsWith('line 0 ')).toBe(true);
  for (const line of lines) expect(line.length).toBeLessThanOrEqual(200);
  expect(errorExcerpt('\n  \n')).toBe('');
});
