// The kit's own test suite (`npm test`): labs/common, the grader and the self-tests that
// grade the reference (100%) and the stubs (0%). Stage tests under labs/<lab>/test are not
// run directly here: they fail on the stubs by design and are run through the grader.
const shared = require('./jest.config.js');

/** @type {import('jest').Config} */
module.exports = {
  ...shared,
  roots: ['<rootDir>/labs/common', '<rootDir>/labs/2a-raft/testkit', '<rootDir>/grader/test'],
  // A worker per core, not jest's default of one fewer: the long suites spend their time in the
  // grader processes they start, not in the worker, and on two cores they would otherwise run
  // one after another.
  maxWorkers: '100%',
};
