// Goal: tsc's output is parsed exactly and each error sinks only the stages it belongs to.
import { STAGES } from '../src/stages';
import { diagnosticsForStage, parseTscOutput, typecheckScope } from '../src/typecheck';

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
