// The process between the grader and a graded jest process.
//
// It starts jest (its arguments are node's arguments for jest) with its own stdin, stdout,
// stderr and results pipe (fd 3), waits, and ends as jest ended. Its reason to exist: the code
// under test finds its parent with `process.ppid`, and that parent must not be the grader. A
// submission that kills its parent kills this guard; the grader sees the guard end and kills
// the whole process group, jest included, and still writes its report.
// Plain JavaScript, no dependencies: it must start fast.
'use strict';
const { spawn } = require('node:child_process');

const child = spawn(process.execPath, process.argv.slice(2), { stdio: ['inherit', 'inherit', 'inherit', 'inherit'] });
child.on('error', (error) => {
  process.stderr.write(`The test process could not be started: ${error.message}\n`);
  process.exit(127);
});
child.on('exit', (code, signal) => {
  if (signal) process.kill(process.pid, signal);
  else process.exit(code ?? 1);
});
