// A jest reporter that appends one JSON line per finished test (and per test file, and one at
// the end) to the file named by TINYKV_RESULTS_FILE. Lines are written as each test finishes,
// so a stage process that is killed or exits early still leaves the results it reached.
// Plain JavaScript: jest loads reporters without transforming them.
'use strict';
const fs = require('node:fs');
const path = require('node:path');

const MESSAGE_LIMIT = 4000;

function cut(text) {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}\n… (cut at ${MESSAGE_LIMIT} characters)` : text;
}

class ResultsReporter {
  constructor(globalConfig) {
    this.file = process.env.TINYKV_RESULTS_FILE;
    this.rootDir = globalConfig.rootDir;
  }

  write(record) {
    if (this.file) fs.appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }

  relative(testPath) {
    return path.relative(this.rootDir, testPath).split(path.sep).join('/');
  }

  onTestCaseResult(test, result) {
    this.write({
      type: 'test',
      file: this.relative(test.path),
      name: result.fullName,
      status: result.status,
      durationMs: result.duration ?? 0,
      message: cut((result.failureMessages || []).join('\n')),
    });
  }

  onTestFileResult(test, result) {
    const error = result.testExecError;
    this.write({
      type: 'file',
      file: this.relative(test.path),
      error: error ? cut(String(error.message || error.stack || error)) : undefined,
    });
  }

  onRunComplete() {
    this.write({ type: 'done' });
  }
}

module.exports = ResultsReporter;
