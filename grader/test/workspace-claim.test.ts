// Goal: two graders never build the same workspace folder at once, and a lock left by a dead
// run does not block the next one.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { claimWorkspaceRoot } from '../src/workspace-claim';

test('a folder in use is not handed out twice; released, it is free again', () => {
  const preferred = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-claim-')), 'reference');
  const first = claimWorkspaceRoot(preferred);
  const second = claimWorkspaceRoot(preferred);
  expect(first.dir).toBe(preferred);
  expect(second.dir).toBe(`${preferred}-${process.pid}`);
  second.release();
  first.release();
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
