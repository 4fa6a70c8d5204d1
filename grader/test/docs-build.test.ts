// Goal: the doc site builds — every handout and API page, with broken links and typedoc
// warnings treated as errors — so CI catches a doc regression like any other.
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KIT_ROOT, kitPath } from '../src/repo-paths';

jest.setTimeout(180_000);

test('npm run docs builds the site without warnings', async () => {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-docs-'));
  const result = await execa(process.execPath, [kitPath('node_modules/typedoc/bin/typedoc'), '--out', out], { cwd: KIT_ROOT, reject: false });
  expect({ exitCode: result.exitCode, output: result.exitCode === 0 ? '' : `${result.stdout}\n${result.stderr}` }).toEqual({ exitCode: 0, output: '' });
  expect(fs.existsSync(path.join(out, 'index.html'))).toBe(true);
  fs.rmSync(out, { recursive: true, force: true });
});
