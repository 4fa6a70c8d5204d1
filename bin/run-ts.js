#!/usr/bin/env node
// Runs one TypeScript file of the kit: `node bin/run-ts.js bench/main.ts [args...]`.
'use strict';
const path = require('node:path');
require('./register-ts');
const [file, ...rest] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bin/run-ts.js FILE.ts [args...]');
  process.exit(2);
}
process.argv = [process.argv[0], file, ...rest];
require(path.resolve(file));
