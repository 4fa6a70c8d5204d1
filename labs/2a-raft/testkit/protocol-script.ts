/**
 * Protocol scripts: interaction tests written as text (in the style of etcd's data-driven
 * tests). A script is a list of commands, each followed by `----` and the output it must
 * produce; a `#` header says what the script checks. This module reads a script, runs its
 * commands through a handler, compares what they printed with what the script expects and
 * reports the first line that differs. It knows nothing about Raft: the commands are
 * interpreted by the handler (see `raft-script-driver.ts`).
 *
 * The format:
 *
 * ```text
 * # Goal: one line saying what the script checks (it becomes the test's title).
 * # Method: more comment lines, as many as needed.
 *
 * campaign 1
 * ----
 * 1: Candidate term:1 lead:none
 * 1->2 MsgRequestVote term:1
 *
 * # A comment before a command explains the next step.
 * deliver
 * ----
 * ...
 * ```
 *
 * A block is one command line, a `----` line and the expected output up to the next blank
 * line; a command that prints nothing expects `ok`. Output lines are never blank.
 *
 * Rewrite mode (for instructors, after reviewing a change): with `TINYKV_REWRITE_SCRIPTS=1`
 * a script's expected output is replaced by what the commands printed, and the test passes.
 * The file written is the script itself, or its twin under `TINYKV_REWRITE_ROOT` when that is
 * set (the grader runs scripts in a copy of the tree; the root says where the real one is).
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The line that separates a command from its expected output. */
export const SEPARATOR = '----';

/** What a command with no output prints, so that no block is empty. */
export const EMPTY_OUTPUT = 'ok';

/** One command of a script and the output it must produce. */
export interface ScriptBlock {
  /** Comment lines (`#`) written just before the command; kept when the script is rewritten. */
  readonly comments: readonly string[];
  /** The command line as written, e.g. `deliver 1->2`. */
  readonly command: string;
  /** The 1-based line number of the command in the file. */
  readonly commandLine: number;
  /** The expected output lines. */
  readonly expected: readonly string[];
}

/** A parsed script. */
export interface ProtocolScript {
  /** The file it was read from (for messages). */
  readonly file: string;
  /** The `#` lines at the top of the file. */
  readonly header: readonly string[];
  /** The text after `# Goal:` in the header. */
  readonly goal: string;
  /** The commands, in order. */
  readonly blocks: readonly ScriptBlock[];
}

/** A command as the handler sees it: its name, positional arguments and `key=value` options. */
export interface ScriptCommand {
  /** The first word, e.g. `deliver`. */
  readonly name: string;
  /** The other words that are not `key=value`, in order. */
  readonly args: readonly string[];
  /** The `key=value` words. */
  readonly options: ReadonlyMap<string, string>;
  /** The whole command line. */
  readonly text: string;
  /** The 1-based line number of the command in the file. */
  readonly line: number;
}

/** Runs one command and returns the lines it printed (none is fine: the block then expects `ok`). */
export type ScriptCommandHandler = (command: ScriptCommand) => string[];

/** A script that is malformed: the kit's fault, not the implementation's. */
export class ScriptFormatError extends Error {
  constructor(file: string, line: number, problem: string) {
    super(`${file}:${line}: ${problem}`);
    this.name = 'ScriptFormatError';
  }
}

/**
 * Reads a script's text.
 *
 * @param file - the file name used in messages.
 * @param text - the script.
 * @throws ScriptFormatError when the header has no `# Goal:` line, a command is not followed
 * by `----`, or a block has no expected output.
 */
export function parseProtocolScript(file: string, text: string): ProtocolScript {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let at = 0;
  const header: string[] = [];
  while (at < lines.length && lines[at].startsWith('#')) header.push(lines[at++]);
  const goalLine = header.find((line) => /^#\s*Goal:/.test(line));
  if (goalLine === undefined) throw new ScriptFormatError(file, 1, 'the header must have a "# Goal: ..." line saying what the script checks.');
  const goal = goalLine.replace(/^#\s*Goal:\s*/, '').trim();
  const blocks: ScriptBlock[] = [];
  let comments: string[] = [];
  while (at < lines.length) {
    const line = lines[at];
    if (line.trim() === '') {
      at++;
      continue;
    }
    if (line.startsWith('#')) {
      comments.push(line);
      at++;
      continue;
    }
    const commandLine = at + 1;
    if (lines[at + 1] !== SEPARATOR) throw new ScriptFormatError(file, commandLine + 1, `the command "${line}" must be followed by a "${SEPARATOR}" line.`);
    at += 2;
    const expected: string[] = [];
    while (at < lines.length && lines[at].trim() !== '') expected.push(lines[at++]);
    if (expected.length === 0) throw new ScriptFormatError(file, commandLine + 2, `the command "${line}" has no expected output (write "${EMPTY_OUTPUT}" when it prints nothing).`);
    blocks.push({ comments, command: line, commandLine, expected });
    comments = [];
  }
  return { file, header, goal, blocks };
}

/** Splits a command line into name, positional arguments and `key=value` options. */
export function parseCommand(text: string, line: number): ScriptCommand {
  const words = text.trim().split(/\s+/);
  const args: string[] = [];
  const options = new Map<string, string>();
  for (const word of words.slice(1)) {
    const equals = word.indexOf('=');
    if (equals > 0) options.set(word.slice(0, equals), word.slice(equals + 1));
    else args.push(word);
  }
  return { name: words[0], args, options, text, line };
}

/** What one block printed. */
export interface BlockRun {
  readonly block: ScriptBlock;
  readonly actual: readonly string[];
}

/**
 * Runs every command of a script in order.
 *
 * @throws Error when a command throws: the message names the script, the line and the
 * command, then gives the original message (a stub's `Not implemented` included).
 */
export function runProtocolScript(script: ProtocolScript, handler: ScriptCommandHandler): BlockRun[] {
  return script.blocks.map((block) => {
    let printed: string[];
    try {
      printed = handler(parseCommand(block.command, block.commandLine));
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`${script.file}:${block.commandLine}: the command "${block.command}" threw: ${reason}`, { cause: error });
    }
    return { block, actual: printed.length > 0 ? printed : [EMPTY_OUTPUT] };
  });
}

/** Where the produced trace first departs from the expected one. */
export interface ScriptDifference {
  readonly run: BlockRun;
  /** The 1-based line number in the file of the first differing expected line (or where it would be). */
  readonly fileLine: number;
  /** The 0-based position inside the block's output. */
  readonly offset: number;
  /** The expected line there, undefined past the end of the expected output. */
  readonly expected: string | undefined;
  /** The produced line there, undefined past the end of the produced output. */
  readonly actual: string | undefined;
}

/** The first line where a run differs from its script, or undefined when it matches. */
export function firstDifference(runs: readonly BlockRun[]): ScriptDifference | undefined {
  for (const run of runs) {
    const { expected } = run.block;
    const length = Math.max(expected.length, run.actual.length);
    for (let offset = 0; offset < length; offset++) {
      if (expected[offset] !== run.actual[offset]) {
        return { run, offset, fileLine: run.block.commandLine + 2 + offset, expected: expected[offset], actual: run.actual[offset] };
      }
    }
  }
  return undefined;
}

/**
 * Explains a difference the way a student reads a trace: the first differing line, then the
 * whole output of that command with the line marked.
 */
export function describeDifference(script: ProtocolScript, difference: ScriptDifference, handout: string): string {
  const { run, offset } = difference;
  const shown = (line: string | undefined): string => (line === undefined ? '(nothing: the output ends here)' : line);
  const output = run.actual.map((line, i) => `${i === offset ? '  > ' : '    '}${line}`);
  if (offset >= run.actual.length) output.push('  > (the output ends here)');
  return [
    `The protocol script ${script.file} (${script.goal}) produced a different trace.`,
    `First difference at line ${difference.fileLine}, in the output of "${run.block.command}" (line ${run.block.commandLine}):`,
    `  expected: ${shown(difference.expected)}`,
    `  actual:   ${shown(difference.actual)}`,
    `What "${run.block.command}" printed (> marks the first differing line):`,
    ...output,
    `Read the script from its header down to line ${difference.fileLine}: it is the story of the run up to there. The trace format is explained in ${handout}.`,
  ].join('\n');
}

/** The script's text with every block's expected output replaced by what it printed. */
export function renderProtocolScript(script: ProtocolScript, runs: readonly BlockRun[]): string {
  const parts = [script.header.join('\n')];
  for (const run of runs) parts.push([...run.block.comments, run.block.command, SEPARATOR, ...run.actual].join('\n'));
  return `${parts.join('\n\n')}\n`;
}

/** True when the environment asks for expectations to be rewritten. */
export function rewriteRequested(): boolean {
  return process.env.TINYKV_REWRITE_SCRIPTS === '1';
}

/** Where a rewritten script goes: its twin under `TINYKV_REWRITE_ROOT` (relative to the working directory), or itself. */
export function rewriteTarget(file: string): string {
  const root = process.env.TINYKV_REWRITE_ROOT;
  if (root === undefined || root === '') return file;
  const relative = path.relative(process.cwd(), path.resolve(file));
  if (relative.startsWith('..') || path.isAbsolute(relative)) return file;
  return path.join(root, relative);
}

/** What {@link checkProtocolScript} needs besides the file. */
export interface CheckOptions {
  /** Makes a fresh handler (a fresh cluster) for the script. */
  readonly createHandler: () => ScriptCommandHandler;
  /** The handout section that explains the trace format, named in failure messages. */
  readonly handout: string;
}

/**
 * Reads, runs and checks one script file; in rewrite mode, writes what it printed instead.
 *
 * @throws Error describing the first differing line (see {@link describeDifference}), or what
 * a command threw.
 */
export function checkProtocolScript(file: string, options: CheckOptions): void {
  const script = parseProtocolScript(file, fs.readFileSync(file, 'utf8'));
  const runs = runProtocolScript(script, options.createHandler());
  if (rewriteRequested()) {
    fs.writeFileSync(rewriteTarget(file), renderProtocolScript(script, runs));
    return;
  }
  const difference = firstDifference(runs);
  if (difference !== undefined) throw new Error(describeDifference(script, difference, options.handout));
}

/** The `*.txt` scripts of a folder, sorted by name. */
export function scriptFiles(dir: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((name) => name.endsWith('.txt'))
    .sort()
    .map((name) => path.join(dir, name));
}

/** The test title of a script: `[3A] script remove-follower.txt: <its goal>`. */
export function scriptTestTitle(stageTag: string, file: string): string {
  const script = parseProtocolScript(file, fs.readFileSync(file, 'utf8'));
  return `[${stageTag}] script ${path.basename(file)}: ${script.goal}`;
}

/** What {@link defineScriptTests} needs. */
export interface ScriptTestOptions extends CheckOptions {
  /** The stage tag that starts every title, e.g. `3A`. */
  readonly stageTag: string;
}

/**
 * Declares one jest test per script of a folder, titled with {@link scriptTestTitle}. Call it
 * at the top level of a test file.
 */
export function defineScriptTests(dir: string, options: ScriptTestOptions): void {
  for (const file of scriptFiles(dir)) {
    test(scriptTestTitle(options.stageTag, file), () => checkProtocolScript(file, options));
  }
}
