/**
 * Node's permission model for graded stage processes: which flags this Node accepts, and the
 * flags that confine a process to its own folders.
 *
 * What was measured on Node 20 (jest 30, ts-jest 29, lmdb 3), and is why the flags are these:
 * - `--experimental-permission` (`--permission` from Node 22.13) with `--allow-fs-read` for the
 *   run's workspace, the read-only dependencies and its scratch folder, and `--allow-fs-write`
 *   for the scratch folder only: jest, ts-jest and the engines run; reading anything else
 *   (`reference/`, other stages, `/proc/self/mem`) and writing anywhere else fail with
 *   ERR_ACCESS_DENIED. Each path needs its own flag: Node 20 reads a comma-separated list as one
 *   path. jest's default cache folder is under the system temporary folder, so TMPDIR must point
 *   into the scratch folder too.
 * - `--allow-addons` is required: jest 30 resolves modules with a native addon (unrs-resolver)
 *   and lmdb is one. An addon is outside the model's reach, so code that writes a shared library
 *   into its scratch folder and loads it escapes: needs-review.ts flags `process.dlopen` and
 *   `.node` files, and a container should mount scratch space `noexec`.
 * - No `--allow-child-process`: jest runs in band and its file crawler uses Node's file system
 *   API (graded-jest.config.js), so nothing in a graded process may start another process:
 *   `child_process` fails, and so does any attempt to outlive the run through a detached child.
 *   No `--allow-worker`: worker threads fail too. `process.binding` and the inspector are
 *   refused under the model.
 * - `--disallow-code-generation-from-strings` works with jest and the kit's tests (jest-mock's
 *   named mocks would need it, the kit uses none): `Function('return this')` from any core
 *   module's function no longer opens jest's own realm. `vm.runInThisContext` still does: it is
 *   flagged for review.
 * - Not covered by the model: signals (`process.kill`), the network, CPU and memory beyond the
 *   heap limit, disk space in the scratch folder. A container and, when the grader runs as root,
 *   an unprivileged user per stage run (sandbox-user.ts) cover the first.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** The folders a confined process may read and write. */
export interface FolderAccess {
  readonly read: readonly string[];
  readonly write: readonly string[];
}

/** The flag that turns the model on, by Node version: the newer name first. */
const ENABLE_FLAGS = ['--permission', '--experimental-permission'] as const;

let probed: string | null | undefined;

/**
 * The flag that enables the permission model on this Node, or undefined when it has none (or
 * one that does not confine reads as the grader needs). Probed once per process by running a
 * tiny script under the full set of flags the grader uses.
 */
export function permissionModelFlag(): string | undefined {
  if (probed === undefined) probed = probe();
  return probed ?? undefined;
}

function probe(): string | null {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-permission-probe-'));
  try {
    const allowed = path.join(dir, 'allowed');
    fs.mkdirSync(allowed);
    // Reading the allowed folder must work and reading its parent must be refused.
    const script = `const fs = require('fs'); fs.readdirSync(${JSON.stringify(allowed)}); try { fs.readdirSync(${JSON.stringify(dir)}); process.exit(3); } catch (error) { process.exit(error.code === 'ERR_ACCESS_DENIED' ? 0 : 4); }`;
    for (const flag of ENABLE_FLAGS) {
      const access = accessFlags({ read: [allowed], write: [allowed] });
      const run = spawnSync(process.execPath, [flag, ...access, '--allow-addons', '--disallow-code-generation-from-strings', '-e', script], { stdio: 'ignore', timeout: 30_000 });
      if (run.status === 0) return flag;
    }
    return null;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A folder and, if different, its real path: Node checks the path it is given, modules load from real paths. */
function bothForms(folder: string): string[] {
  const resolved = path.resolve(folder);
  let real = resolved;
  try {
    real = fs.realpathSync(resolved);
  } catch {
    // A folder that does not exist yet is allowed under the name given.
  }
  return real === resolved ? [resolved] : [resolved, real];
}

function accessFlags(access: FolderAccess): string[] {
  return [...access.read.flatMap(bothForms).map((folder) => `--allow-fs-read=${folder}`), ...access.write.flatMap(bothForms).map((folder) => `--allow-fs-write=${folder}`)];
}

/**
 * The Node flags that confine a graded jest process to `access` (see the module comment for
 * why each is there), or an empty list when this Node has no usable permission model.
 */
export function confinementFlags(access: FolderAccess): string[] {
  const enable = permissionModelFlag();
  if (enable === undefined) return [];
  return [enable, ...accessFlags(access), '--allow-addons'];
}

/**
 * Flags every graded jest process gets, with or without the permission model: no code from
 * strings (closes `Function('return this')`), and no warnings on stderr (the model's own
 * "experimental" warnings would otherwise open every crash excerpt).
 */
export const HARDENING_FLAGS: readonly string[] = ['--disallow-code-generation-from-strings', '--no-warnings'];
