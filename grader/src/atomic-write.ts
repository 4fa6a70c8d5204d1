/**
 * Writing report files so that a reader never sees half of one: write a temporary file in
 * the same folder, then rename it over the target (rename is atomic on one file system).
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Writes `content` to `file` atomically, creating the folder if needed. */
export function writeFileAtomically(file: string, content: string): void {
  const target = path.resolve(file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const temporary = `${target}.tmp-${process.pid}`;
  try {
    fs.writeFileSync(temporary, content);
    fs.renameSync(temporary, target);
  } catch (error) {
    fs.rmSync(temporary, { force: true });
    throw error;
  }
}
