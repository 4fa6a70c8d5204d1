/**
 * Unprivileged users for stage runs, when the grader runs as root (in a container).
 *
 * Each stage run gets a user id of its own, from a range no account uses, held by a lock for as
 * long as the run lasts. Running as that user, the code under test cannot signal the grader or
 * any other run (`process.kill(process.ppid)`, `process.kill(-1)` reach only its own processes),
 * cannot write the kit, the reports or another run's folders (it owns nothing but its scratch
 * folder), and cannot read another run's folders (each run's folder is open to its own group
 * only). When the run ends, every process of that user is killed, so nothing it started, even
 * in a new session, survives the run.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tryClaimLock } from './workspace-claim';

/** A user (and group of the same id) that one stage run runs as. */
export interface SandboxUser {
  readonly uid: number;
  readonly gid: number;
}

/** The user ids handed out: above the usual account ranges, below 65536 (containers map no more). */
export const SANDBOX_UID_FIRST = 61_000;
export const SANDBOX_UID_COUNT = 1_000;

/** Where the claims live: one folder for every grader on the machine, so two never share an id. */
const CLAIMS_DIR = path.join(os.tmpdir(), 'tinykv-sandbox-users');

let available: boolean | undefined;

/** True when stage runs can run as unprivileged users: the grader is root and can start a process as another user. */
export function sandboxUsersAvailable(): boolean {
  if (available === undefined) {
    available =
      process.platform === 'linux' &&
      process.getuid?.() === 0 &&
      spawnSync(process.execPath, ['-e', 'process.exit(process.getuid() === Number(process.argv[1]) ? 0 : 1)', String(SANDBOX_UID_FIRST)], {
        uid: SANDBOX_UID_FIRST,
        gid: SANDBOX_UID_FIRST,
        cwd: '/',
        stdio: 'ignore',
        timeout: 30_000,
      }).status === 0;
  }
  return available;
}

/** The user ids /etc/passwd names: never handed out, so a stage cannot signal a real account's processes. */
function accountIds(): Set<number> {
  try {
    return new Set(fs.readFileSync('/etc/passwd', 'utf8').split('\n').map((line) => Number(line.split(':')[2])).filter(Number.isSafeInteger));
  } catch {
    return new Set();
  }
}

/** The claims folder, created root-only; refused if anyone else could have planted it. */
function claimsDir(): string {
  fs.mkdirSync(CLAIMS_DIR, { recursive: true, mode: 0o700 });
  const stat = fs.lstatSync(CLAIMS_DIR);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${CLAIMS_DIR} is not a folder that only root can write; remove it so the grader can hand out sandbox users safely.`);
  }
  return CLAIMS_DIR;
}

/**
 * Kills every process running as `user` (the signal is sent as that user, to every process it
 * may signal: exactly its own). Synchronous: when it returns, the kill has been sent.
 */
export function killEveryProcessOf(user: SandboxUser): void {
  spawnSync(process.execPath, ['-e', "try { process.kill(-1, 'SIGKILL'); } catch {}"], { uid: user.uid, gid: user.gid, cwd: '/', env: {}, stdio: 'ignore', timeout: 30_000 });
}

/** Process ids running as `uid` (Linux: read from /proc), for checks that nothing survived. */
export function processesOf(uid: number): number[] {
  const found: number[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync('/proc');
  } catch {
    return found;
  }
  for (const entry of entries) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const status = fs.readFileSync(`/proc/${entry}/status`, 'utf8');
      const real = /^Uid:\s+(\d+)/m.exec(status);
      const state = /^State:\s+(\S)/m.exec(status);
      if (real && Number(real[1]) === uid && state?.[1] !== 'Z') found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** A user claimed for one run; `release` kills what is left of it and frees the id. */
export interface ClaimedSandboxUser extends SandboxUser {
  release(): void;
}

/** Claims a free sandbox user id, with none of its processes left from an earlier grader. */
export function claimSandboxUser(): ClaimedSandboxUser {
  const dir = claimsDir();
  const taken = accountIds();
  for (let uid = SANDBOX_UID_FIRST; uid < SANDBOX_UID_FIRST + SANDBOX_UID_COUNT; uid++) {
    if (taken.has(uid)) continue;
    const lock = path.join(dir, String(uid));
    if (!tryClaimLock(lock)) continue;
    const user = { uid, gid: uid };
    killEveryProcessOf(user);
    return {
      ...user,
      release: () => {
        killEveryProcessOf(user);
        fs.rmSync(lock, { recursive: true, force: true });
      },
    };
  }
  throw new Error(`All ${SANDBOX_UID_COUNT} sandbox user ids (from ${SANDBOX_UID_FIRST}) are in use by running graders.`);
}
