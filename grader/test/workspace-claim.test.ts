// Goal: two graders never build the same workspace folder at once, and a lock left by a dead
// run does not block the next one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claimWorkspaceRoot, WORKSPACE_SLOTS } from '../src/workspace-claim';

test('a folder in use is not handed out twice: the next free numbered folder is, then a private one; released, it is free again', () => {
  const preferred = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-claim-')), 'reference');
  const claims = Array.from({ length: WORKSPACE_SLOTS + 1 }, () => claimWorkspaceRoot(preferred));
  expect(claims.map((claim) => claim.dir)).toEqual([
    preferred,
    ...Array.from({ length: WORKSPACE_SLOTS - 1 }, (_, index) => `${preferred}-${index + 2}`),
    `${preferred}-${process.pid}`,
  ]);
  claims[1].release();
  const again = claimWorkspaceRoot(preferred);
  expect(again.dir).toBe(`${preferred}-2`); // the same name again: its incremental state is reused
  for (const claim of [again, ...claims.filter((_, index) => index !== 1)]) claim.release();
  expect(fs.existsSync(`${preferred}-${process.pid}`)).toBe(false); // the private one is removed
  const third = claimWorkspaceRoot(preferred);
  expect(third.dir).toBe(preferred);
  third.release();
  expect(fs.existsSync(`${preferred}.lock`)).toBe(false);
});

test('a lock whose owner is gone is taken over', () => {
  const preferred = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-claim-')), 'labs');
  fs.mkdirSync(`${preferred}.lock`);
  fs.writeFileSync(`${preferred}.lock/pid`, '2147483646'); // no such process
  const claim = claimWorkspaceRoot(preferred);
  expect(claim.dir).toBe(preferred);
  expect(fs.readFileSync(`${preferred}.lock/pid`, 'utf8')).toBe(String(process.pid));
  claim.release();
});
