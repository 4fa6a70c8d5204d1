# TinyKV's habit: `make project1`, `make project2aa`, `make project2a` (a group), `make project4b`.
# Each target runs that stage's public tests on your code (the same as `npx tinykv test 1`;
# node runs the command directly, which saves npx's second of start-up on every run).
# The stage list lives in grader/src/stages.ts; `npx tinykv stages` prints it.

TINYKV = node bin/tinykv.js

.PHONY: test grade docs bench stages

project%:
	$(TINYKV) test $*

grade:
	$(TINYKV) grade

test:
	npm test

docs:
	npm run docs

bench:
	npm run bench

stages:
	$(TINYKV) stages
