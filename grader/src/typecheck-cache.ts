/**
 * What makes repeated type-checks cheap, kept under `.tinykv/typecheck/`:
 *
 * - a **verdict cache**: the diagnostics of a type-check, filed under a hash of everything the
 *   verdict depends on (the compiler's version, the installed packages, the tsconfig, the
 *   scope, and every source file's content). Unchanged sources give the same key, so the
 *   verdict is reused without starting `tsc`; any edit gives a new key, so a verdict is never
 *   stale;
 * - **build info** for `tsc --incremental`, one file per workspace and scope, so that after an
 *   edit only the files it affects are checked again.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomically } from './atomic-write';
import { kitPath } from './repo-paths';
import type { TypeDiagnostic } from './typecheck';

/** Where verdicts, build info and generated tsconfig files live; git ignores `.tinykv/`. */
export const TYPECHECK_CACHE_DIR = kitPath('.tinykv/typecheck');

/** Above this many files the oldest half is removed: each costs one full type-check to rebuild. */
const CACHE_MAX_FILES = 400;

/** Folders never read for a verdict: installed packages and generated output. */
const SKIPPED = new Set(['node_modules', '.git', '.tinykv', '.results', 'docs-site']);

function hashFolder(hash: crypto.Hash, root: string, relative: string): void {
  const full = path.join(root, relative);
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(full, { withFileTypes: true });
  } catch {
    hash.update(`absent:${relative}\0`);
    return;
  }
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (SKIPPED.has(entry.name)) continue;
    const child = `${relative}/${entry.name}`;
    if (entry.isDirectory()) hashFolder(hash, root, child);
    else if (entry.isFile()) hash.update(`file:${child}\0`).update(fs.readFileSync(path.join(root, child))).update('\0');
    else if (entry.isSymbolicLink()) hash.update(`link:${child}\0${fs.readlinkSync(path.join(root, child))}\0`);
  }
}

function readOrEmpty(file: string): Buffer | string {
  try {
    return fs.readFileSync(file);
  } catch {
    return '';
  }
}

/**
 * The key of a type-check's verdict: a hash of the compiler's version, the lock file of the
 * installed packages, the workspace's tsconfig, `scopeLabel`, and the content of every file
 * under `folders` of `dir`.
 */
export function verdictKey(dir: string, folders: readonly string[], scopeLabel: string): string {
  const hash = crypto.createHash('sha256');
  hash.update(`typescript:${readOrEmpty(kitPath('node_modules/typescript/package.json')).toString()}\0`);
  hash.update(readOrEmpty(kitPath('package-lock.json'))).update('\0');
  hash.update(`dir:${path.resolve(dir)}\0scope:${scopeLabel}\0`);
  hash.update(readOrEmpty(path.join(dir, 'tsconfig.json'))).update('\0');
  for (const folder of [...folders].sort()) hashFolder(hash, dir, folder);
  return hash.digest('hex');
}

/** A verdict stored under `key`, or undefined. */
export function readVerdict(key: string): TypeDiagnostic[] | undefined {
  try {
    const parsed = JSON.parse(fs.readFileSync(path.join(TYPECHECK_CACHE_DIR, `${key}.verdict.json`), 'utf8')) as { diagnostics?: unknown };
    return Array.isArray(parsed.diagnostics) ? (parsed.diagnostics as TypeDiagnostic[]) : undefined;
  } catch {
    return undefined;
  }
}

/** Stores a verdict under `key` (atomically; a failure to write only costs a later type-check). */
export function writeVerdict(key: string, diagnostics: readonly TypeDiagnostic[]): void {
  try {
    writeFileAtomically(path.join(TYPECHECK_CACHE_DIR, `${key}.verdict.json`), `${JSON.stringify({ diagnostics })}\n`);
    pruneCache();
  } catch {
    // Only a cache.
  }
}

/** A short, stable name for one workspace and scope: build info and generated configs use it. */
export function scopeFileStem(dir: string, scopeLabel: string): string {
  return crypto.createHash('sha256').update(`${path.resolve(dir)}\0${scopeLabel}`).digest('hex').slice(0, 24);
}

function pruneCache(): void {
  const entries = fs.readdirSync(TYPECHECK_CACHE_DIR);
  if (entries.length <= CACHE_MAX_FILES) return;
  const byAge = entries
    .map((name) => ({ name, mtimeMs: fs.statSync(path.join(TYPECHECK_CACHE_DIR, name)).mtimeMs }))
    .sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const { name } of byAge.slice(0, Math.floor(entries.length / 2))) fs.rmSync(path.join(TYPECHECK_CACHE_DIR, name), { force: true });
}
