/**
 * Fingerprints of a workspace's files, to notice a stage run that changed the tests or the
 * provided code under its feet (deleting, editing or adding files). Honest code never writes
 * into the tree: tests keep their scratch files in the system's temporary folder.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Folders whose changes do not matter: links to installed packages and the run's own output. */
const IGNORED = new Set(['node_modules', '.results']);
/** Files larger than this are fingerprinted by size and time, not read: no kit file comes close. */
const HASHED_BYTES_MAX = 8 * 1024 * 1024;

/** The fingerprint of one entry; never follows a link and never opens anything but a regular file. */
function entryPrint(file: string, entry: fs.Dirent): string {
  if (entry.isSymbolicLink()) return `link:${fs.readlinkSync(file)}`;
  if (!entry.isFile()) return 'special'; // a FIFO, socket or device: never opened
  const stat = fs.lstatSync(file);
  if (stat.size > HASHED_BYTES_MAX) return `large:${stat.size}:${stat.mtimeMs}`;
  return crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Relative path (with `/`) → SHA-256 of the content, for every file under `dir`. */
export function fingerprintTree(dir: string): Map<string, string> {
  const prints = new Map<string, string>();
  const pending = [''];
  while (pending.length > 0) {
    const relative = pending.pop()!;
    for (const entry of fs.readdirSync(path.join(dir, relative), { withFileTypes: true })) {
      if (IGNORED.has(entry.name)) continue;
      const child = relative === '' ? entry.name : `${relative}/${entry.name}`;
      if (entry.isDirectory()) pending.push(child);
      else prints.set(child, entryPrint(path.join(dir, child), entry));
    }
  }
  return prints;
}

/** The files added, removed or changed between two fingerprints, sorted. */
export function changedFiles(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): string[] {
  const changed = new Set<string>();
  for (const [file, print] of before) if (after.get(file) !== print) changed.add(file);
  for (const file of after.keys()) if (!before.has(file)) changed.add(file);
  return [...changed].sort();
}
