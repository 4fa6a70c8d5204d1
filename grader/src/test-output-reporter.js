// The reporter of `tinykv test` and `tinykv replay`: jest's usual output (the verbose listing
// for one test file, failures with their diffs), with two changes.
// - Tests that did not run are not listed: a replay of one test prints that test, not a
//   "skipped" line for every other test of its file (jest's summary still counts them).
// - Under `--seeds N` (TINYKV_SEEDS) it ends with how many seeds each seeded test ran and
//   which tests failed under which seeds, read from the "Failed under seed(s) …" line that
//   labs/common/testkit/seeds.ts puts first in a seeded failure (the same line
//   grader/src/score-stage.ts reads).
// Plain JavaScript: jest loads reporters without transforming them.
'use strict';
const path = require('node:path');

// jest's own reporters, found the way jest finds them (jest → @jest/core → @jest/reporters):
// the kit depends on jest, not on its parts.
const from = (request, directory) => require.resolve(request, { paths: [directory] });
const jestCore = path.dirname(from('@jest/core/package.json', path.dirname(require.resolve('jest/package.json'))));
const jestReporters = require(from('@jest/reporters', jestCore));
const VerboseReporter = jestReporters.VerboseReporter;

const SEED_FAILURE = /Failed under seeds? ([\d, ]+?)(?: \((\d+) of (\d+) run\))?[.\n]/;

class TestOutputReporter extends VerboseReporter {
  constructor(globalConfig) {
    super(globalConfig);
    this.seedFailures = [];
  }

  _logTests(tests, indentLevel) {
    super._logTests(
      tests.filter((test) => test.status !== 'pending'),
      indentLevel,
    );
  }

  _logSuite(suite, indentLevel) {
    if (!hasRunTests(suite)) return;
    super._logSuite(suite, indentLevel);
  }

  onTestCaseResult(test, result) {
    super.onTestCaseResult(test, result);
    if (result.status !== 'failed') return;
    const match = SEED_FAILURE.exec((result.failureMessages || []).join('\n'));
    if (match) this.seedFailures.push({ name: result.fullName, seeds: match[1].trim(), failed: match[2], run: match[3] });
  }

  onRunComplete(contexts, results) {
    super.onRunComplete(contexts, results);
    const seeds = process.env.TINYKV_SEEDS;
    if (!seeds) return;
    const lines = [`Seeds: every seeded test ran under seeds 1..${seeds}.`];
    if (this.seedFailures.length === 0) lines.push('No seeded test failed under any of them.');
    else {
      lines.push(`${this.seedFailures.length} seeded test${this.seedFailures.length === 1 ? '' : 's'} failed:`);
      for (const failure of this.seedFailures) {
        const count = failure.failed !== undefined ? ` (${failure.failed} of ${failure.run})` : '';
        lines.push(`  ${failure.name}: seed${failure.seeds.includes(',') ? 's' : ''} ${failure.seeds}${count}`);
      }
    }
    process.stderr.write(`\n${lines.join('\n')}\n`);
  }
}

/** Whether a suite of jest's grouped listing holds a test that ran, at any depth. */
function hasRunTests(suite) {
  return suite.tests.some((test) => test.status !== 'pending') || suite.suites.some(hasRunTests);
}

module.exports = TestOutputReporter;
