// A jest reporter that sends the grader one signed JSON line per finished test (and per test
// file, and one at the end) over the pipe the grader gave the jest process as the file
// descriptor named by TINYKV_RESULTS_FD. Lines are sent as each test finishes, so a stage
// process that is killed or exits early still leaves what it reached.
//
// The pipe is the grader's: not a file anyone could open, replace, grow or turn into a FIFO.
// The code under test runs in this same process, though, and can write to the pipe too. So each
// line carries a sequence number and an HMAC under a key the grader sends on stdin, read (and so
// drained) before any test runs, and the line is built so that later tampering in this process
// cannot change it: every function used is captured at load time, nothing is looked up on a
// prototype the code under test could reach (no `JSON.stringify` of an object, whose `toJSON`
// could speak for it; no `.call`), and only primitive values are written. What remains open
// in-process (jest's own state) is flagged for review by the grader (needs-review.ts).
// Plain JavaScript: jest loads reporters without transforming them.
'use strict';
const path = require('node:path');
const crypto = require('node:crypto');
const fs = require('node:fs');

const MESSAGE_LIMIT = 4000;
const NAME_LIMIT = 1000;

const apply = Reflect.apply;
const createHmac = crypto.createHmac;
const hmacPrototype = Object.getPrototypeOf(createHmac('sha256', 'probe'));
const hmacUpdate = hmacPrototype.update;
const hmacDigest = hmacPrototype.digest;
const writeSync = fs.writeSync;
const readFileSync = fs.readFileSync;
const stringify = JSON.stringify;
const bufferFrom = Buffer.from;
const stringSlice = String.prototype.slice;
const toText = String;
const toNumber = Number;
const relativePath = path.relative;
const pathSeparator = path.sep;
const stringSplit = String.prototype.split;
const arrayJoin = Array.prototype.join;

/** `text` as a primitive string, cut at `limit` characters. */
function cut(value, limit) {
  const text = toText(value);
  return text.length > limit ? `${apply(stringSlice, text, [0, limit])}\n… (cut at ${limit} characters)` : text;
}

/**
 * The JSON text of a record given as a flat list `[key, value, key, value, …]` of primitives:
 * each is stringified alone (a primitive has no toJSON), read by index (no iterator).
 */
function jsonFields(fields) {
  let body = '';
  for (let index = 0; index + 1 < fields.length; index += 2) body += `${index === 0 ? '' : ','}${stringify(fields[index])}:${stringify(fields[index + 1])}`;
  return body;
}

/** Writes all of `text` to `fd`, however many calls that takes. */
function writeAll(fd, text) {
  const bytes = bufferFrom(text, 'utf8');
  let offset = 0;
  while (offset < bytes.length) offset += writeSync(fd, bytes, offset, bytes.length - offset);
}

class ResultsReporter {
  constructor(globalConfig) {
    const fd = toNumber(process.env.TINYKV_RESULTS_FD);
    this.fd = Number.isSafeInteger(fd) && fd > 2 ? fd : undefined;
    this.rootDir = toText(globalConfig.rootDir);
    this.sequence = 0;
    // The key arrives on stdin and is read to its end here, before any test code runs.
    this.key = this.fd === undefined ? '' : toText(readFileSync(0, 'utf8')).trim();
  }

  write(fields) {
    if (this.fd === undefined) return;
    const body = `{${jsonFields(fields)},"seq":${this.sequence++}}`;
    const hmac = createHmac('sha256', this.key);
    apply(hmacUpdate, hmac, [body]);
    writeAll(this.fd, `${body}\t${apply(hmacDigest, hmac, ['hex'])}\n`);
  }

  relative(testPath) {
    return apply(arrayJoin, apply(stringSplit, relativePath(this.rootDir, toText(testPath)), [pathSeparator]), ['/']);
  }

  onTestCaseResult(test, result) {
    const messages = result.failureMessages || [];
    let message = '';
    for (let index = 0; index < messages.length; index++) message += `${index === 0 ? '' : '\n'}${toText(messages[index])}`;
    this.write([
      'type', 'test',
      'file', this.relative(test.path),
      'name', cut(result.fullName, NAME_LIMIT),
      'status', toText(result.status),
      'durationMs', toNumber(result.duration) || 0,
      'message', cut(message, MESSAGE_LIMIT),
    ]);
  }

  onTestFileResult(test, result) {
    const error = result.testExecError;
    const file = this.relative(test.path);
    this.write(error ? ['type', 'file', 'file', file, 'error', cut(error.message || error.stack || error, MESSAGE_LIMIT)] : ['type', 'file', 'file', file]);
  }

  onRunComplete() {
    this.write(['type', 'done']);
  }
}

module.exports = ResultsReporter;
