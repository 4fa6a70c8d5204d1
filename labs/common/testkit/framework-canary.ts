/**
 * A guard against code under test that tampers with the test framework.
 *
 * Jest loads this file before every test file (`setupFilesAfterEnv` in jest.config.js), so
 * it sees `expect` and its matchers as jest made them, before any lab code is imported. After
 * every test it checks that they are still the same objects, so a module that replaces
 * `expect`, swaps a matcher or adds an always-equal equality tester cannot turn failing tests
 * into passing ones: the test fails instead, with a message the grader recognises. After each
 * file it also checks that the matchers still reject wrong values.
 *
 * Nothing here matters to honest code: it only compares identities.
 *
 * @module
 */

/** The prefix of every tamper report; the grader looks for it. */
export const TAMPER_MARK = 'TINYKV-TAMPER';

const MATCHERS_KEY = Symbol.for('$$jest-matchers-object');
/** Where jest-circus keeps the handlers every test event goes through. */
const EVENT_HANDLERS_KEY = Symbol.for('EVENT_HANDLERS');
/** The test globals jest installs, each checked for identity. */
const TEST_GLOBALS = ['test', 'it', 'describe', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach'] as const;

interface MatchersRegistry {
  readonly matchers: Record<string, unknown>;
  readonly customEqualityTesters: unknown[];
}

/** The global scope as jest fills it in; `expect` is declared a constant by its types, but code can still replace it. */
const globals = globalThis as unknown as { expect: unknown } & Record<string, unknown> & Record<symbol, unknown>;
const realExpect = expect;
const registry = globals[MATCHERS_KEY] as MatchersRegistry;
const realMatchers = new Map(Object.entries(registry.matchers));
const realTesterCount = registry.customEqualityTesters.length;
const realTestGlobals = new Map(TEST_GLOBALS.map((name) => [name, globals[name]]));
const eventHandlers = globals[EVENT_HANDLERS_KEY] as unknown[] | undefined;
const realEventHandlers = eventHandlers ? [...eventHandlers] : undefined;

/** What was changed, or undefined when the framework is intact. */
function tampering(): string | undefined {
  if (globals.expect !== realExpect) return 'the global expect was replaced';
  if (globals[MATCHERS_KEY] !== registry) return "jest's matcher registry was replaced";
  for (const [name, matcher] of realMatchers) {
    if (registry.matchers[name] !== matcher) return `the matcher ${name} was replaced`;
  }
  if (registry.customEqualityTesters.length !== realTesterCount) return 'a custom equality tester was added';
  for (const [name, real] of realTestGlobals) {
    if (globals[name] !== real) return `the test global ${name} was replaced`;
  }
  if (globals[EVENT_HANDLERS_KEY] !== eventHandlers) return "jest-circus's event handlers were replaced";
  if (eventHandlers && realEventHandlers && (eventHandlers.length !== realEventHandlers.length || eventHandlers.some((handler, index) => handler !== realEventHandlers[index]))) {
    return "jest-circus's event handlers were changed";
  }
  return undefined;
}

function report(reason: string): never {
  throw new Error(`${TAMPER_MARK}: the code under test changed the test framework (${reason}), so this test's result cannot be trusted and it scores 0.`);
}

/** Wrong claims every honest matcher must reject. */
const MUST_FAIL: readonly (() => void)[] = [
  () => realExpect(1).toBe(2),
  () => realExpect({ a: 1 }).toEqual({ a: 2 }),
  () => realExpect([1]).toStrictEqual([2]),
  () => realExpect({ a: 1 }).toMatchObject({ a: 2 }),
  () => realExpect([1, 2]).toContain(3),
  () => realExpect([1]).toHaveLength(2),
  () => realExpect(1).toBeUndefined(),
  () => realExpect(undefined).toBeDefined(),
  () => realExpect(0).toBeTruthy(),
  () => realExpect(() => undefined).toThrow(),
  () => realExpect(1).toBeGreaterThan(2),
  () => realExpect('abc').toMatch(/z/),
  () => realExpect(1).not.toBe(1),
];

afterEach(() => {
  const reason = tampering();
  if (reason) report(reason);
});

afterAll(() => {
  const reason = tampering();
  if (reason) report(reason);
  const state = realExpect.getState();
  try {
    MUST_FAIL.forEach((claim, index) => {
      let failed = false;
      try {
        claim();
      } catch {
        failed = true;
      }
      if (!failed) report(`matcher check ${index + 1} accepted a wrong value`);
    });
  } finally {
    realExpect.setState({ assertionCalls: state.assertionCalls, numPassingAsserts: state.numPassingAsserts, suppressedErrors: state.suppressedErrors });
  }
});
