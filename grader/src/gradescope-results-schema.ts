/**
 * Gradescope's results.json, as its autograder specification documents it: the fields, their
 * types and the values Gradescope accepts. `run_autograder` checks the file against this before
 * handing it over, and the package's self-test checks what a simulated run wrote.
 *
 * Source: Gradescope's "Autograder Specifications" page, section "Output format" (top level:
 * score, execution_time, output, output_format, test_output_format, test_name_format,
 * visibility, stdout_visibility, extra_data, tests, leaderboard; per test: score, max_score,
 * status, name, name_format, number, output, output_format, tags, visibility, extra_data).
 *
 * @module
 */

/** Who sees a result, and when: Gradescope's four visibility values. */
export const GRADESCOPE_VISIBILITIES = ['hidden', 'after_due_date', 'after_published', 'visible'] as const;

/** How Gradescope renders a text field. */
export const GRADESCOPE_TEXT_FORMATS = ['text', 'html', 'simple_format', 'md', 'ansi'] as const;

/** A test case's status, which sets its colour in Gradescope's view. */
export const GRADESCOPE_TEST_STATUSES = ['passed', 'failed'] as const;

const TOP_LEVEL_FIELDS = new Set(['score', 'execution_time', 'output', 'output_format', 'test_output_format', 'test_name_format', 'visibility', 'stdout_visibility', 'extra_data', 'tests', 'leaderboard']);
const TEST_FIELDS = new Set(['score', 'max_score', 'status', 'name', 'name_format', 'number', 'output', 'output_format', 'tags', 'visibility', 'extra_data']);

/** Returns what is wrong with a value (a phrase completing "<field> …"), or undefined when it is right. */
type Checker = (value: unknown) => string | undefined;

const aNumber: Checker = (value) => (typeof value === 'number' && Number.isFinite(value) ? undefined : 'must be a finite number');
const aString: Checker = (value) => (typeof value === 'string' ? undefined : 'must be a string');
const anObject: Checker = (value) => (typeof value === 'object' && value !== null && !Array.isArray(value) ? undefined : 'must be an object');
const oneOf =
  (values: readonly string[]): Checker =>
  (value) =>
    typeof value === 'string' && values.includes(value) ? undefined : `must be one of ${values.join(', ')}`;

const TOP_LEVEL_CHECKS: Record<string, Checker> = {
  score: aNumber,
  execution_time: aNumber,
  output: aString,
  output_format: oneOf(GRADESCOPE_TEXT_FORMATS),
  test_output_format: oneOf(GRADESCOPE_TEXT_FORMATS),
  test_name_format: oneOf(GRADESCOPE_TEXT_FORMATS),
  visibility: oneOf(GRADESCOPE_VISIBILITIES),
  stdout_visibility: oneOf(GRADESCOPE_VISIBILITIES),
  extra_data: anObject,
};

const TEST_CHECKS: Record<string, Checker> = {
  score: aNumber,
  max_score: aNumber,
  status: oneOf(GRADESCOPE_TEST_STATUSES),
  name: aString,
  name_format: oneOf(GRADESCOPE_TEXT_FORMATS),
  number: aString,
  output: aString,
  output_format: oneOf(GRADESCOPE_TEXT_FORMATS),
  visibility: oneOf(GRADESCOPE_VISIBILITIES),
  extra_data: anObject,
  tags: (value) => (Array.isArray(value) && value.every((tag) => typeof tag === 'string') ? undefined : 'must be an array of strings'),
};

function checkFields(where: string, value: Record<string, unknown>, known: Set<string>, checks: Record<string, Checker>): string[] {
  const problems: string[] = [];
  for (const [field, fieldValue] of Object.entries(value)) {
    if (!known.has(field)) {
      problems.push(`${where}.${field} is not a field of Gradescope's format`);
      continue;
    }
    const problem = checks[field]?.(fieldValue);
    if (problem) problems.push(`${where}.${field} ${problem} (got ${JSON.stringify(fieldValue)?.slice(0, 60)})`);
  }
  return problems;
}

/**
 * Checks a parsed results.json against Gradescope's documented format.
 *
 * Beyond the field types: the top level needs a `score` unless every test has one (Gradescope
 * then sums them), no test may score more than its `max_score`, and a field the format does
 * not document is reported too (a misspelt field is silently ignored by Gradescope). The
 * assignment's total is set in Gradescope, not in the file: the format has no top-level
 * `max_score`.
 *
 * @returns the problems found, one sentence each; empty when the value is valid.
 */
export function gradescopeResultsProblems(results: unknown): string[] {
  if (anObject(results) !== undefined) return [`results must be a JSON object (got ${JSON.stringify(results)?.slice(0, 60)})`];
  const top = results as Record<string, unknown>;
  const problems = checkFields('results', top, TOP_LEVEL_FIELDS, TOP_LEVEL_CHECKS);
  const tests = top.tests;
  if (tests !== undefined && !Array.isArray(tests)) return [...problems, 'results.tests must be an array'];
  const testList = (tests ?? []) as unknown[];
  testList.forEach((test, index) => {
    const where = `results.tests[${index}]`;
    if (anObject(test) !== undefined) {
      problems.push(`${where} must be an object`);
      return;
    }
    const fields = test as Record<string, unknown>;
    problems.push(...checkFields(where, fields, TEST_FIELDS, TEST_CHECKS));
    if (typeof fields.score === 'number' && typeof fields.max_score === 'number' && fields.score > fields.max_score) {
      problems.push(`${where} scores ${fields.score}, more than its max_score ${fields.max_score}`);
    }
  });
  if (top.score === undefined && (testList.length === 0 || testList.some((test) => typeof (test as { score?: unknown })?.score !== 'number'))) {
    problems.push('results.score is required unless every test has a score');
  }
  if (top.leaderboard !== undefined && !Array.isArray(top.leaderboard)) problems.push('results.leaderboard must be an array');
  return problems;
}
