/**
 * Where contained runs and the read-only dependencies live.
 *
 * Normally under the kit's own `.tinykv/`. But a run's user (sandbox-user.ts) must be able to
 * reach its folder, and a kit that sits inside a private folder (a `mktemp -d`, mode 0700, as
 * CI scripts and GitHub runners make) is closed to every other user all the way down. Rather
 * than opening the instructor's folders, the grader then keeps those two things in a folder of
 * its own under the system temp folder, which only root may write and anyone may pass through.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KIT_ROOT, kitPath } from './repo-paths';
import { sandboxUsersAvailable } from './sandbox-user';

/** True when every folder from `/` down to `dir` (or its nearest existing ancestor) may be passed through by any user. */
export function searchableByEveryone(dir: string): boolean {
  let current = path.resolve(dir);
  while (!fs.existsSync(current)) current = path.dirname(current);
  for (;;) {
    if ((fs.statSync(current).mode & 0o001) === 0) return false;
    const parent = path.dirname(current);
    if (parent === current) return true;
    current = parent;
  }
}

let home: string | undefined;

/** The folder that holds `runs/` and `deps/` of contained runs (created on first use). */
export function sandboxHome(): string {
  if (home !== undefined) return home;
  const own = kitPath('.tinykv');
  if (!sandboxUsersAvailable() || searchableByEveryone(own)) {
    home = own;
    return home;
  }
  const key = crypto.createHash('sha256').update(KIT_ROOT).digest('hex').slice(0, 12);
  const relocated = path.join(os.tmpdir(), `tinykv-grader-${key}`);
  fs.mkdirSync(relocated, { recursive: true, mode: 0o711 });
  const stat = fs.lstatSync(relocated);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${relocated} is not a folder that only root can write; remove it so the grader can place sandboxed runs there.`);
  }
  fs.chmodSync(relocated, 0o711);
  if (!searchableByEveryone(relocated)) {
    throw new Error(`The kit at ${KIT_ROOT} and the temp folder ${os.tmpdir()} are both closed to other users, so stage runs cannot run as an unprivileged user; grade from a folder other users may pass through.`);
  }
  home = relocated;
  return home;
}
