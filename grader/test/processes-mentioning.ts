/**
 * Test helper: the processes still running whose command line mentions a marker, for checks
 * that nothing of a graded run outlived it.
 *
 * @module
 */
import * as fs from 'node:fs';

/** Processes (other than zombies and this one) whose command line mentions `marker` (Linux: read from /proc). */
export function processesMentioning(marker: string): string[] {
  const found: string[] = [];
  for (const entry of fs.existsSync('/proc') ? fs.readdirSync('/proc') : []) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const state = /^State:\s+(\S)/m.exec(fs.readFileSync(`/proc/${entry}/status`, 'utf8'))?.[1];
      if (commandLine.includes(marker) && state !== 'Z') found.push(`${entry}: ${commandLine.slice(0, 200)}`);
    } catch {
      // gone meanwhile
    }
  }
  return found;
}
