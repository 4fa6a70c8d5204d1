// The jest configuration of a graded stage run: the workspace's own (jest.config.js, one folder
// up), with two changes for a process that runs under Node's permission model and may start no
// processes of its own (see permission-model.ts).
// - The file crawler uses Node's file system API instead of starting `find`.
// - TypeScript files come precompiled by the grader (precompiled-transform.js): the run loads no
//   compiler, which saves about a second of CPU per run; a file the grader could not compile
//   falls back to ts-jest, as in every other run.
// Sandbox-run.ts copies this file into the run's workspace as .grader/jest.config.js.
'use strict';
const path = require('node:path');

const workspace = path.join(__dirname, '..');
const base = require(path.join(workspace, 'jest.config.js'));

/** @type {import('jest').Config} */
module.exports = {
  ...base,
  rootDir: workspace,
  haste: { ...base.haste, forceNodeFilesystemAPI: true },
  transform: {
    '^.+\\.ts$': [path.join(__dirname, 'precompiled-transform.js'), { compiled: path.join(__dirname, 'compiled'), tsconfig: path.join(workspace, 'tsconfig.jest.json') }],
  },
};
