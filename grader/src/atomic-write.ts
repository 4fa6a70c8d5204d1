/**
 * Writing report files so that a reader never sees half of one: write a temporary file in
 * the same folder, then rename it over the target (rename is atomic on one file system).
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `content` to `file` atomically, creating the folder if needed. */
export function writeFileAtomically(file: string, content: string): void {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  // A fresh, unguessable name opened exclusively: in a folder others can write (a shared /tmp),
  // a link planted at a predictable name cannot make the grader write through it.
  const temporary = `${target}.tmp-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  try {
    fs.writeFileSync(temporary, content, { flag: 'wx' });
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
