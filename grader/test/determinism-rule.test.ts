// Goal: lab, reference and testkit code never reads the wall clock, real timers or
// Math.random (DESIGN.md, Determinism). The one allowed place carries a `real-time` comment.
// Method: scan every .ts file under labs/ and reference/, the same check the pre-stop hook runs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { kitPath } from '../src/repo-paths';

const FORBIDDEN = /Math\.random|Date\.now|new Date\(|setTimeout|setInterval|setImmediate|process\.nextTick|performance\.now/;

function tsFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? tsFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

test('no lab or reference file uses wall-clock time, real timers or Math.random', () => {
  const offenders: string[] = [];
  for (const file of [...tsFiles(kitPath('labs')), ...tsFiles(kitPath('reference'))]) {
    fs.readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, index) => {
        if (FORBIDDEN.test(line) && !line.includes('real-time')) offenders.push(`${path.relative(kitPath('.'), file)}:${index + 1}: ${line.trim()}`);
      });
  }
  expect(offenders).toEqual([]);
});

test('the rule itself catches what it is meant to catch', () => {
  expect(FORBIDDEN.test('const t = Date.now();')).toBe(true);
  expect(FORBIDDEN.test('setTimeout(f, 1)')).toBe(true);
  expect(FORBIDDEN.test('runtime.clock.now()')).toBe(false);
});
