// Goal: the protocol-script runner reads scripts exactly as the handout describes, reports the
// first differing line with its line number and the command's whole output, wraps a command's
// error with where it happened, and in rewrite mode writes what was printed (to the kit's twin
// when TINYKV_REWRITE_ROOT is set). Method: small scripts run through a fake handler that
// echoes its arguments, so no Raft code is involved (the stubs may be in place).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  checkProtocolScript,
  describeDifference,
  EMPTY_OUTPUT,
  firstDifference,
  parseCommand,
  parseProtocolScript,
  renderProtocolScript,
  rewriteTarget,
  runProtocolScript,
  scriptTestTitle,
  ScriptFormatError,
  type ScriptCommandHandler,
} from '../protocol-script';

const SCRIPT = `# Goal: echo says what it is told
# Method: two commands.

echo a b
----
a
b

# A comment about the next command.
quiet
----
ok
`;

/** `echo x y` prints x and y on their own lines; `quiet` prints nothing; `fail` throws. */
const echo: ScriptCommandHandler = (command) => {
  if (command.name === 'fail') throw new Error('the handler broke');
  return command.name === 'echo' ? [...command.args] : [];
};

const saved = { rewrite: process.env.TINYKV_REWRITE_SCRIPTS, root: process.env.TINYKV_REWRITE_ROOT };
afterEach(() => {
  for (const [name, value] of [['TINYKV_REWRITE_SCRIPTS', saved.rewrite], ['TINYKV_REWRITE_ROOT', saved.root]] as const) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'protocol-script-'));
}

test('a script is read into its header, goal and blocks, with comments and line numbers', () => {
  const script = parseProtocolScript('echo.txt', SCRIPT);
  expect(script.goal).toBe('echo says what it is told');
  expect(script.header).toEqual(['# Goal: echo says what it is told', '# Method: two commands.']);
  expect(script.blocks).toEqual([
    { comments: [], command: 'echo a b', commandLine: 4, expected: ['a', 'b'] },
    { comments: ['# A comment about the next command.'], command: 'quiet', commandLine: 10, expected: ['ok'] },
  ]);
});

test('malformed scripts are refused with the file, the line and what to write', () => {
  expect(() => parseProtocolScript('x.txt', '# no goal here\n\necho a\n----\na\n')).toThrow(new ScriptFormatError('x.txt', 1, 'the header must have a "# Goal: ..." line saying what the script checks.'));
  expect(() => parseProtocolScript('x.txt', '# Goal: g\n\necho a\na\n')).toThrow('x.txt:4: the command "echo a" must be followed by a "----" line.');
  expect(() => parseProtocolScript('x.txt', '# Goal: g\n\necho a\n----\n\n')).toThrow('x.txt:5: the command "echo a" has no expected output (write "ok" when it prints nothing).');
});

test('a command line splits into name, positional arguments and key=value options', () => {
  const command = parseCommand('nodes 1 2 3 members=1,2 election=5', 7);
  expect(command.name).toBe('nodes');
  expect(command.args).toEqual(['1', '2', '3']);
  expect([...command.options]).toEqual([['members', '1,2'], ['election', '5']]);
  expect(command.line).toBe(7);
});

test('a matching run has no difference, and a command that prints nothing counts as "ok"', () => {
  const runs = runProtocolScript(parseProtocolScript('echo.txt', SCRIPT), echo);
  expect(runs[1].actual).toEqual([EMPTY_OUTPUT]);
  expect(firstDifference(runs)).toBeUndefined();
});

test('the first difference names its file line, the expected and actual lines, and shows the whole output marked', () => {
  const script = parseProtocolScript('echo.txt', SCRIPT.replace('echo a b', 'echo a c'));
  const difference = firstDifference(runProtocolScript(script, echo));
  expect(difference).toEqual(expect.objectContaining({ fileLine: 7, offset: 1, expected: 'b', actual: 'c' }));
  const message = describeDifference(script, difference!, 'the handout');
  expect(message).toContain('First difference at line 7, in the output of "echo a c" (line 4):');
  expect(message).toContain('  expected: b\n  actual:   c');
  expect(message).toContain('    a\n  > c');
  expect(message).toContain('The trace format is explained in the handout.');
});

test('missing and extra output lines are differences too', () => {
  const shorter = parseProtocolScript('echo.txt', SCRIPT.replace('echo a b', 'echo a'));
  expect(firstDifference(runProtocolScript(shorter, echo))).toEqual(expect.objectContaining({ fileLine: 7, expected: 'b', actual: undefined }));
  const longer = parseProtocolScript('echo.txt', SCRIPT.replace('echo a b', 'echo a b c'));
  expect(firstDifference(runProtocolScript(longer, echo))).toEqual(expect.objectContaining({ fileLine: 8, expected: undefined, actual: 'c' }));
});

test('a command that throws is reported with the script line and the original message', () => {
  const script = parseProtocolScript('echo.txt', SCRIPT.replace('quiet', 'fail'));
  expect(() => runProtocolScript(script, echo)).toThrow('echo.txt:10: the command "fail" threw: the handler broke');
});

test('rendering a run gives the script back with the produced output, comments kept', () => {
  const script = parseProtocolScript('echo.txt', SCRIPT.replace('echo a b', 'echo a c'));
  const rendered = renderProtocolScript(script, runProtocolScript(script, echo));
  expect(rendered).toBe(SCRIPT.replace('echo a b\n----\na\nb', 'echo a c\n----\na\nc'));
});

test('checkProtocolScript fails on a difference, and in rewrite mode writes the new expectations instead', () => {
  const dir = tempDir();
  const file = path.join(dir, 'echo.txt');
  fs.writeFileSync(file, SCRIPT.replace('echo a b\n----\na\nb', 'echo a b\n----\nstale'));
  delete process.env.TINYKV_REWRITE_SCRIPTS;
  expect(() => checkProtocolScript(file, { createHandler: () => echo, handout: 'h' })).toThrow('First difference at line 6');
  process.env.TINYKV_REWRITE_SCRIPTS = '1';
  delete process.env.TINYKV_REWRITE_ROOT;
  checkProtocolScript(file, { createHandler: () => echo, handout: 'h' });
  expect(fs.readFileSync(file, 'utf8')).toBe(SCRIPT);
});

test('with TINYKV_REWRITE_ROOT a rewritten script goes to its twin under that root', () => {
  process.env.TINYKV_REWRITE_ROOT = '/kit';
  const inside = path.join(process.cwd(), 'labs', 'x', 'a.txt');
  expect(rewriteTarget(inside)).toBe(path.join('/kit', 'labs', 'x', 'a.txt'));
  expect(rewriteTarget('/elsewhere/a.txt')).toBe('/elsewhere/a.txt');
  delete process.env.TINYKV_REWRITE_ROOT;
  expect(rewriteTarget(inside)).toBe(inside);
});

test('a script test is titled with its stage tag, its file name and its goal', () => {
  const dir = tempDir();
  const file = path.join(dir, 'echo.txt');
  fs.writeFileSync(file, SCRIPT);
  expect(scriptTestTitle('3A', file)).toBe('[3A] script echo.txt: echo says what it is told');
});
