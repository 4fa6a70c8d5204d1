/**
 * Runs one stage's tests in a child jest process with a wall-clock limit and a heap limit,
 * and reads back what the results reporter wrote, however the process ended.
 *
 * @module
 */
import execa from 'execa';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JEST_BIN, RESULTS_REPORTER } from './repo-paths';

/** One test as the reporter saw it. */
export interface ReportedTest {
  readonly file: string;
  readonly name: string;
  /** Jest's status: `passed`, `failed`, `pending`, `todo`, ... */
  readonly status: string;
  readonly durationMs: number;
  readonly message: string;
}

/** How the stage process ended. */
export type ProcessEnding =
  | { readonly kind: 'completed' }
  | { readonly kind: 'timeout'; readonly limitSeconds: number }
  | { readonly kind: 'out-of-memory'; readonly limitMb: number }
  | { readonly kind: 'exited-early'; readonly exitCode: number | null; readonly signal: string | null };

/** Everything known after a stage process ended. */
export interface StageProcessResult {
  readonly tests: readonly ReportedTest[];
  /** Test files that failed to run at all (e.g. a throw at import), with the error. */
  readonly fileErrors: readonly { readonly file: string; readonly error: string }[];
  readonly ending: ProcessEnding;
  readonly wallMs: number;
  /** The first part of the process's stderr: where a crash usually says what went wrong. */
  readonly stderrHead: string;
  /** The last part of the process's stderr, for crash reasons. */
  readonly stderrTail: string;
  /** Result lines the reporter did not sign: the code under test wrote them, and they are ignored. */
  readonly forgedLines: number;
}

/** What to run. */
export interface StageProcessOptions {
  /** The workspace to run in. */
  readonly workspace: string;
  /** Test files, relative to the workspace. */
  readonly testFiles: readonly string[];
  readonly timeLimitSeconds: number;
  readonly memoryLimitMb: number;
  /** Extra environment: TINYKV_SEEDS and friends. */
  readonly env?: Readonly<Record<string, string>>;
  /** Where the reporter appends its lines; created empty. */
  readonly resultsFile: string;
  /** Stops the process early (its results are then not wanted). */
  readonly signal?: AbortSignal;
  /** Called with the number of tests finished so far, about twice a second. */
  readonly onProgress?: (testsFinished: number) => void;
}

const STDERR_TAIL_BYTES = 16 * 1024;
const STDERR_HEAD_BYTES = 4 * 1024;

/** What the results file holds, after checking every line's signature. */
export interface ResultsFileContent {
  tests: ReportedTest[];
  fileErrors: { file: string; error: string }[];
  done: boolean;
  /** Lines that were not signed by the reporter, or out of sequence: written by the code under test. */
  forgedLines: number;
}

function signature(key: string, body: string): string {
  return crypto.createHmac('sha256', key).update(body).digest('hex');
}

/**
 * Parses the reporter's signed JSON lines (`<json>\t<hmac>`). A torn last line (killed
 * mid-write) is ignored; a line with a wrong signature or sequence number is counted as forged.
 */
export function readResultsFile(file: string, key: string): ResultsFileContent {
  const tests: ReportedTest[] = [];
  const fileErrors: { file: string; error: string }[] = [];
  let done = false;
  let forgedLines = 0;
  let expectedSequence = 0;
  const text = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const tab = line.lastIndexOf('\t');
    const body = tab < 0 ? line : line.slice(0, tab);
    const mac = tab < 0 ? '' : line.slice(tab + 1);
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(body) as Record<string, unknown>;
    } catch {
      if (index < lines.length - 1 && lines.slice(index + 1).some((rest) => rest.trim() !== '')) forgedLines++;
      return;
    }
    if (mac !== signature(key, body) || record.seq !== expectedSequence) {
      forgedLines++;
      return;
    }
    expectedSequence++;
    if (record.type === 'test') {
      tests.push({
        file: String(record.file),
        name: String(record.name),
        status: String(record.status),
        durationMs: Number(record.durationMs) || 0,
        message: String(record.message ?? ''),
      });
    } else if (record.type === 'file' && typeof record.error === 'string') {
      fileErrors.push({ file: String(record.file), error: record.error });
    } else if (record.type === 'done') {
      done = true;
    }
  });
  return { tests, fileErrors, done, forgedLines };
}

function countLines(file: string): number {
  try {
    const text = fs.readFileSync(file, 'utf8');
    let count = 0;
    for (const line of text.split('\n')) if (line.startsWith('{"type":"test"')) count++; // progress only: unverified is fine
    return count;
  } catch {
    return 0;
  }
}

/** Runs the stage's jest process to its end (or its limit) and collects the results. */
export async function runStageProcess(options: StageProcessOptions): Promise<StageProcessResult> {
  fs.mkdirSync(path.dirname(options.resultsFile), { recursive: true });
  fs.writeFileSync(options.resultsFile, '');
  const args = [
    `--max-old-space-size=${options.memoryLimitMb}`,
    JEST_BIN,
    '--config', path.join(options.workspace, 'jest.config.js'),
    '--rootDir', options.workspace,
    '--runInBand',
    '--ci',
    '--silent',
    '--no-watchman',
    '--reporters', RESULTS_REPORTER,
    '--runTestsByPath',
    ...options.testFiles.map((file) => path.join(options.workspace, file)),
  ];
  const started = process.hrtime.bigint();
  // The reporter signs its lines with this key, read from stdin before any test code runs.
  const key = crypto.randomBytes(32).toString('hex');
  const child = execa(process.execPath, args, {
    cwd: options.workspace,
    reject: false,
    buffer: false,
    input: key,
    stdout: 'ignore',
    stderr: 'pipe',
    timeout: options.timeLimitSeconds * 1000,
    killSignal: 'SIGKILL',
    env: { ...options.env, TINYKV_RESULTS_FILE: options.resultsFile, FORCE_COLOR: '0', NODE_OPTIONS: '' },
  });
  const stop = () => child.kill('SIGKILL');
  options.signal?.addEventListener('abort', stop, { once: true });
  let stderrHead = '';
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (stderrHead.length < STDERR_HEAD_BYTES) stderrHead = (stderrHead + text).slice(0, STDERR_HEAD_BYTES);
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
  });
  const progress = options.onProgress
    ? setInterval(() => options.onProgress!(countLines(options.resultsFile)), 500) // real-time: the grader's own progress display
    : undefined;
  const outcome = await child;
  options.signal?.removeEventListener('abort', stop);
  if (progress) clearInterval(progress);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  const { tests, fileErrors, done, forgedLines } = readResultsFile(options.resultsFile, key);
  let ending: ProcessEnding;
  if (outcome.timedOut) ending = { kind: 'timeout', limitSeconds: options.timeLimitSeconds };
  else if (/heap out of memory|Allocation failed/i.test(stderrTail)) ending = { kind: 'out-of-memory', limitMb: options.memoryLimitMb };
  else if (done) ending = { kind: 'completed' };
  else ending = { kind: 'exited-early', exitCode: outcome.exitCode ?? null, signal: outcome.signal ?? null };
  return { tests, fileErrors, ending, wallMs, stderrHead, stderrTail, forgedLines };
}
