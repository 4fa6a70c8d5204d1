// Goal: tsc's output is parsed exactly and each error sinks only the stages it belongs to; a
// verdict is reused only while no source changed, and a check of one stage's scope reaches the
// same verdict for that stage as a check of the whole workspace.
// Method: parse hand-written compiler output; run the real tsc on a tiny workspace and edit it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { kitPath } from '../src/repo-paths';
import { STAGES } from '../src/stages';
import { diagnosticsForStage, parseTscOutput, typecheckScope, typecheckWorkspace } from '../src/typecheck';
import { TypecheckSession } from '../src/typecheck-session';

jest.setTimeout(180_000);

test('parses diagnostics, joining continuation lines to the message above', () => {
  const output = [
    "labs/1-standalone/src/raw-api.ts(10,5): error TS2322: Type 'string' is not assignable to type 'number'.",
    "labs/common/x.ts(1,1): error TS2345: Argument of type 'A' is not assignable.",
    "  Property 'b' is missing.",
    'some unrelated line',
  ].join('\n');
  expect(parseTscOutput(output)).toEqual([
    { file: 'labs/1-standalone/src/raw-api.ts', line: 10, column: 5, code: 'TS2322', message: "Type 'string' is not assignable to type 'number'." },
    { file: 'labs/common/x.ts', line: 1, column: 1, code: 'TS2345', message: "Argument of type 'A' is not assignable.\nProperty 'b' is missing." },
  ]);
});

test("an error in a stage's lab, in labs/common or in its hidden tests belongs to it; others do not", () => {
  const stage1 = STAGES.find((stage) => stage.id === '1')!;
  expect(typecheckScope(stage1)).toEqual(expect.arrayContaining(['labs/common/', 'grader/hidden/1/', 'labs/1-standalone/']));
  const diagnostics = parseTscOutput(
    [
      'labs/1-standalone/src/raw-api.ts(1,1): error TS1: a',
      'labs/common/engine/engine.ts(1,1): error TS2: b',
      'grader/hidden/1/x.test.ts(1,1): error TS3: c',
      'labs/9-other/src/x.ts(1,1): error TS4: d',
    ].join('\n'),
  );
  expect(diagnosticsForStage(stage1, diagnostics).map((d) => d.code)).toEqual(['TS1', 'TS2', 'TS3']);
});

/** A workspace with the kit's tsconfig, one file in labs/common, one in stage 1's lab and one in stage 4's. */
function tinyWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-typecheck-'));
  const files: Record<string, string> = {
    'labs/common/shared.ts': 'export const one = 1;\n',
    'labs/1-standalone/src/uses-shared.ts': "import { one } from '../../common/shared';\nexport const two: number = one + 1;\n",
    'labs/4-txn/src/elsewhere.ts': "export const wrong: number = 'not a number';\n",
  };
  for (const [file, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, file)), { recursive: true });
    fs.writeFileSync(path.join(dir, file), text);
  }
  fs.copyFileSync(kitPath('tsconfig.json'), path.join(dir, 'tsconfig.json'));
  fs.symlinkSync(kitPath('node_modules'), path.join(dir, 'node_modules'), 'dir');
  return dir;
}

test('a verdict is reused until a source changes, and a scoped check agrees with the whole check on its stage', async () => {
  const stage1 = STAGES.find((stage) => stage.id === '1')!;
  const dir = tinyWorkspace();
  try {
    const first = await typecheckWorkspace(dir, 120, [stage1]);
    expect({ failure: first.failure, cached: first.cached, errors: first.diagnostics }).toEqual({ failure: undefined, cached: undefined, errors: [] });
    const again = await typecheckWorkspace(dir, 120, [stage1]);
    expect(again.cached).toBe(true);

    fs.writeFileSync(path.join(dir, 'labs/1-standalone/src/uses-shared.ts'), "import { one } from '../../common/shared';\nexport const two: string = one + 1;\n");
    const edited = await typecheckWorkspace(dir, 120, [stage1]);
    expect(edited.cached).toBeUndefined();
    const scoped = diagnosticsForStage(stage1, edited.diagnostics);
    expect(scoped.map((d) => `${d.file}:${d.line} ${d.code}`)).toEqual(['labs/1-standalone/src/uses-shared.ts:2 TS2322']);

    const whole = await typecheckWorkspace(dir, 120);
    expect(diagnosticsForStage(stage1, whole.diagnostics)).toEqual(scoped);
    expect(whole.diagnostics.map((d) => d.file)).toContain('labs/4-txn/src/elsewhere.ts'); // outside stage 1's scope, seen by the whole check
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a session kept between checks finds what tsc finds, before and after edits', async () => {
  const stage1 = STAGES.find((stage) => stage.id === '1')!;
  const dir = tinyWorkspace();
  const file = path.join(dir, 'labs/1-standalone/src/uses-shared.ts');
  try {
    const session = new TypecheckSession(dir, [stage1]);
    expect(session.check()).toMatchObject({ diagnostics: [] });
    fs.writeFileSync(file, "import { one } from '../../common/shared';\nexport const two: string = one + 1;\n");
    const edited = session.check();
    expect(edited.failure).toBeUndefined();
    expect(edited.diagnostics).toEqual((await typecheckWorkspace(dir, 120, [stage1])).diagnostics);
    expect(edited.diagnostics.map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`)).toEqual(['labs/1-standalone/src/uses-shared.ts:2:14 TS2322']);
    fs.writeFileSync(path.join(dir, 'labs/common/shared.ts'), "export const one = 'one';\n"); // now the edit type-checks
    expect(session.check().diagnostics).toEqual([]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
