# TinyKV's habit: `make project1`, `make project2aa`, `make project2a` (a group), `make project4b`.
# Each target runs that stage's public tests on your code (the same as `npx tinykv test 1`).
# The stage list lives in grader/src/stages.ts; `npx tinykv stages` prints it.

.PHONY: test grade docs bench stages

project%:
	npx tinykv test $*

grade:
	npx tinykv grade

test:
	npm test

docs:
	npm run docs

bench:
	npm run bench

stages:
	npx tinykv stages
