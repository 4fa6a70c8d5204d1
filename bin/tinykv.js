#!/usr/bin/env node
// The `tinykv` command: grade, test, watch, replay, export. See README.md.
'use strict';
require('./register-ts');
require('../grader/src/cli').main(process.argv.slice(2));
