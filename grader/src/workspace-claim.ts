/**
 * One grader at a time per workspace folder. Two `tinykv grade` runs with the same label (an
 * instructor's terminal and a test run, say) would otherwise rebuild each other's trees mid-run.
 * The first claims the folder with a lock directory holding its pid; a second, finding a live
 * owner, works in a folder of its own.
 *
 * @module
 */
import * as fs from 'node:fs';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes the lock directory `lock` for this process: true when it was free, or held by a process
 * that no longer runs; false while a live process (this one included) holds it.
 */
export function tryClaimLock(lock: string): boolean {
  try {
    fs.mkdirSync(lock, { recursive: false });
  } catch {
    const owner = Number(fs.readFileSync(`${lock}/pid`, { encoding: 'utf8', flag: 'a+' }));
    if (owner > 0 && isAlive(owner)) return false;
    fs.rmSync(lock, { recursive: true, force: true }); // left behind by a run that died
    try {
      fs.mkdirSync(lock, { recursive: false });
    } catch {
      return false;
    }
  }
  fs.writeFileSync(`${lock}/pid`, String(process.pid));
  return true;
}

/** How many numbered variants of a folder are tried before a private one is made. */
export const WORKSPACE_SLOTS = 8;

/**
 * A workspace folder this process owns until `release` is called: `preferred` or, while that is
 * in use, the first free of `preferred-2` … `preferred-8` (stable names, so that a later grade in
 * the same folder finds its type-check's incremental state), else a private `preferred-<pid>`.
 */
export function claimWorkspaceRoot(preferred: string): { readonly dir: string; release(): void } {
  const slots = [preferred, ...Array.from({ length: WORKSPACE_SLOTS - 1 }, (_, index) => `${preferred}-${index + 2}`)];
  const slot = slots.find((candidate) => tryClaimLock(`${candidate}.lock`));
  const dir = slot ?? `${preferred}-${process.pid}`;
  if (slot === undefined) fs.mkdirSync(`${dir}.lock`, { recursive: true });
  return {
    dir,
    release: () => {
      fs.rmSync(`${dir}.lock`, { recursive: true, force: true });
      if (slot === undefined) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
