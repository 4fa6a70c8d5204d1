// Jest configuration shared by the kit's self-tests and by every graded workspace.
// ts-jest only transpiles (isolatedModules): type errors are caught by `tsc --noEmit`,
// which the grader runs once per workspace, so each jest process starts fast.
const fs = require('node:fs');
const path = require('node:path');

// A graded workspace holds labs/ and, in the instructor edition only, grader/hidden; the
// student edition's workspaces have no grader/ at all. Jest refuses a root that does not
// exist, so only the folders present here are roots.
const roots = ['labs', 'grader'].filter((folder) => fs.existsSync(path.join(__dirname, folder))).map((folder) => `<rootDir>/${folder}`);

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots,
  testMatch: ['**/*.test.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testPathIgnorePatterns: ['/node_modules/', '/grader/test/fixtures/'],
  // Tests run in virtual time, so wall time only measures the machine: a slow or loaded machine
  // must never fail a test. The grader's per-stage time limit is what stops a real hang.
  testTimeout: 10 * 60_000,
  // Fails any test whose code replaced expect or its matchers (see the file).
  setupFilesAfterEnv: ['<rootDir>/labs/common/testkit/framework-canary.ts'],
};
