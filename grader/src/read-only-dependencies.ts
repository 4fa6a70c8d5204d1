/**
 * The installed packages (node_modules) as graded code sees them: one read-only copy, shared by
 * every stage run, instead of a link back into the kit's own node_modules.
 *
 * A link into the kit would hand the code under test the kit's location and, wherever the
 * grading user may write, the kit's own jest to rewrite for the next submission. A copy per
 * stage run would cost seconds each. So the copy is made once per install (keyed by npm's record
 * of what is installed) under `.tinykv/deps/` (or the grader's own folder, sandbox-home.ts), with every write permission removed, and reused;
 * stage runs link to it and may read it (permission-model.ts), never write it.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kitPath } from './repo-paths';
import { sandboxHome } from './sandbox-home';

/** Where the copies live. */
function dependenciesRoot(): string {
  return path.join(sandboxHome(), 'deps');
}

/** A key for what is installed: npm's own record of the install, or the lock file. */
function installKey(nodeModules: string): string {
  const hash = crypto.createHash('sha256');
  hash.update(nodeModules);
  for (const record of [path.join(nodeModules, '.package-lock.json'), path.join(nodeModules, '..', 'package-lock.json')]) {
    try {
      hash.update(fs.readFileSync(record));
      break;
    } catch {
      // Try the next record of the install.
    }
  }
  return hash.digest('hex').slice(0, 16);
}

/** Removes every write permission under `dir` (links are left alone: they have no mode of their own). */
function makeReadOnly(dir: string): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) makeReadOnly(child);
    else if (entry.isFile()) fs.chmodSync(child, fs.statSync(child).mode & 0o555);
  }
  fs.chmodSync(dir, fs.statSync(dir).mode & 0o555);
}

/** Gives back write permission to the owner, so a copy can be deleted. */
function makeWritable(dir: string): void {
  fs.chmodSync(dir, fs.statSync(dir).mode | 0o700);
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const child = path.join(dir, entry.name);
    if (entry.isDirectory()) makeWritable(child);
  }
}

/** True when `dir` is a complete copy this process's user made and nobody else can change. */
function isSoundCopy(dir: string): boolean {
  try {
    const stat = fs.lstatSync(dir);
    const jest = fs.lstatSync(path.join(dir, 'node_modules', 'jest', 'package.json'));
    return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o222) === 0 && jest.isFile();
  } catch {
    return false;
  }
}

/**
 * The folder holding the read-only copy of `nodeModules` (as `<folder>/node_modules`), made on
 * first use. Concurrent graders may both copy; the first rename wins and the other copy is removed.
 *
 * @param nodeModules - the installed packages to copy (default: the kit's).
 */
export function readOnlyDependencies(nodeModules: string = kitPath('node_modules')): string {
  const source = fs.realpathSync(nodeModules);
  const root = dependenciesRoot();
  const target = path.join(root, installKey(source));
  if (isSoundCopy(target)) return target;
  fs.mkdirSync(root, { recursive: true });
  if (fs.existsSync(target)) {
    // Incomplete, or writable by someone: not trusted, made again.
    makeWritable(target);
    fs.rmSync(target, { recursive: true, force: true });
  }
  const staging = fs.mkdtempSync(`${target}.staging-`);
  fs.chmodSync(staging, 0o755); // readable by every sandbox user; made read-only below
  fs.cpSync(source, path.join(staging, 'node_modules'), { recursive: true, verbatimSymlinks: true });
  makeReadOnly(staging);
  try {
    fs.renameSync(staging, target);
  } catch (error) {
    makeWritable(staging);
    fs.rmSync(staging, { recursive: true, force: true });
    if (!isSoundCopy(target)) throw error;
  }
  return target;
}
