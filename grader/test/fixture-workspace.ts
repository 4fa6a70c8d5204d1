/**
 * Builds a tiny workspace around fixture test files so the grader's process handling can be
 * tested on real jest processes that pass, fail, hang, crash and exit early.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kitPath } from '../src/repo-paths';

/**
 * A workspace holding the named fixtures under labs/fixture/test/. Returns its folder. Like a
 * student edition's workspace it has no grader/ folder, which jest.config.js must allow.
 */
export function fixtureWorkspace(fixtures: readonly string[]): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-fixture-'));
  const testDir = path.join(dir, 'labs', 'fixture', 'test');
  fs.mkdirSync(testDir, { recursive: true });
  for (const fixture of fixtures) fs.copyFileSync(kitPath(`grader/test/fixtures/${fixture}`), path.join(testDir, fixture));
  for (const file of ['jest.config.js', 'tsconfig.jest.json', 'tsconfig.json', 'package.json']) fs.copyFileSync(kitPath(file), path.join(dir, file));
  const canary = 'labs/common/testkit/framework-canary.ts';
  fs.mkdirSync(path.join(dir, path.dirname(canary)), { recursive: true });
  fs.copyFileSync(kitPath(canary), path.join(dir, canary));
  fs.symlinkSync(kitPath('node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

/** The workspace-relative path of a fixture inside {@link fixtureWorkspace}. */
export function fixtureTestPath(fixture: string): string {
  return `labs/fixture/test/${fixture}`;
}
