// Goal: `tinykv replay <stage> <test> --seed N --trace FILE` reruns exactly one test under one
// seed and leaves both the trace and its timeline page, the way a failure message says to.
// Method: replay a 2B scenario on the reference and read what it wrote.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kitPath } from '../src/repo-paths';

jest.setTimeout(3 * 60_000);

const SCENARIO = '[2B] generic scenarios [2B] basic: one client on a reliable network reads its own writes';

test('replays one seeded 2B scenario on the reference and writes its trace and timeline page', async () => {
  const traceFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-replay-')), 'nested', 'run.jsonl');
  const result = await execa(process.execPath, [kitPath('bin/tinykv.js'), 'replay', '2b', SCENARIO, '--seed', '3', '--impl', 'reference', '--trace', traceFile], {
    reject: false,
    env: { NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  expect({ exitCode: result.exitCode, stderr: result.exitCode === 0 ? '' : result.stderr }).toEqual({ exitCode: 0, stderr: '' });
  expect(result.stderr).toMatch(/Tests:\s+\d+ skipped, 1 passed/); // exactly one test ran
  expect(result.stderr).not.toContain('skipped ['); // and no line is printed for the others
  const events = fs.readFileSync(traceFile, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { kind: string });
  const kinds = new Set(events.map((event) => event.kind));
  for (const kind of ['send', 'deliver', 'role', 'invoke', 'return']) expect([kind, kinds.has(kind)]).toEqual([kind, true]);
  const page = fs.readFileSync(`${traceFile}.html`, 'utf8');
  expect(page).toContain('<svg');
  expect(page).toContain('seed 3');
  expect(result.stdout).toContain(`Timeline: ${traceFile}.html`);
});
