/**
 * Runs one stage's tests in a child jest process with a wall-clock limit and a heap limit,
 * and collects what its results reporter sent, however the process ended.
 *
 * The process starts in a session (and process group) of its own, and when it ends, is stopped
 * or times out, the whole group is killed: nothing it started outlives it. Results come back
 * over a pipe the grader owns (the process's fd 3), never through a file.
 *
 * A graded run is also *contained* ({@link StageContainment}): jest runs under Node's permission
 * model (permission-model.ts) with a configuration of the grader's (graded-jest.config.js), an
 * environment of its own and, when the grader is root, as an unprivileged user (sandbox-user.ts)
 * whose every process is killed at the end; a guard process (stage-process-guard.js) stands
 * between it and the grader, so that the code under test's parent is not the grader.
 *
 * @module
 */
import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import { HARDENING_FLAGS } from './permission-model';
import { JEST_BIN, RESULTS_REPORTER } from './repo-paths';
import { MAX_RESULTS_BYTES, ResultsChannel } from './results-channel';
import { killEveryProcessOf, type SandboxUser } from './sandbox-user';

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
  | { readonly kind: 'flooded'; readonly limitBytes: number }
  | { readonly kind: 'exited-early'; readonly exitCode: number | null; readonly signal: string | null };

/** Everything known after a stage process ended. */
export interface StageProcessResult {
  readonly tests: readonly ReportedTest[];
  /** Test files that failed to run at all (a throw at import, a crashed worker), with the error. */
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

/**
 * How a graded run is contained. The paths are absolute; the workspace holds what the run may
 * read besides the dependencies (see sandbox-run.ts, which prepares all of this).
 */
export interface StageContainment {
  /** jest's command-line entry point, in the read-only dependencies. */
  readonly jestBin: string;
  /** stage-process-guard.js, as the run's user may read it. */
  readonly guard: string;
  /** The run's jest configuration (graded-jest.config.js, in the workspace). */
  readonly config: string;
  /** jest-results-reporter.js, as the run may read it. */
  readonly reporter: string;
  /** The one folder the run may write: its temporary files, HOME and jest's cache. */
  readonly scratch: string;
  /** Node flags confining the process (the permission model's; empty where Node has none). */
  readonly nodeFlags: readonly string[];
  /** The unprivileged user to run as (when the grader is root). */
  readonly user?: SandboxUser;
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
  /** Stops the process early (its results are then not wanted). */
  readonly signal?: AbortSignal;
  /** Called with the number of tests finished so far, at most a few times a second. */
  readonly onProgress?: (testsFinished: number) => void;
  /** Contain the run: for code that is not trusted (every `tinykv grade`). */
  readonly containment?: StageContainment;
  /** Runs only the tests whose full name matches (jest's `--testNamePattern`). */
  readonly testNamePattern?: string;
  /** The jest configuration of a run that is not contained (default: the workspace's jest.config.js). */
  readonly config?: string;
}

const STDERR_TAIL_BYTES = 16 * 1024;
const STDERR_HEAD_BYTES = 4 * 1024;
/** The results pipe is the child's fd 3. */
const RESULTS_FD = 3;
const PROGRESS_INTERVAL_NS = 250_000_000n;

/** The command line and environment of the jest process (for a contained run, of its guard). */
function commandLine(options: StageProcessOptions): { args: string[]; env: NodeJS.ProcessEnv } {
  const contained = options.containment;
  const common = ['--runInBand', '--ci', '--silent', '--no-watchman', '--rootDir', options.workspace, ...(options.testNamePattern !== undefined ? ['--testNamePattern', options.testNamePattern] : [])];
  const files = ['--runTestsByPath', ...options.testFiles.map((file) => path.join(options.workspace, file))];
  const heap = `--max-old-space-size=${options.memoryLimitMb}`;
  const channel = { TINYKV_RESULTS_FD: String(RESULTS_FD), FORCE_COLOR: '0', NODE_OPTIONS: '' };
  if (!contained) {
    return { args: [heap, JEST_BIN, ...common, '--config', options.config ?? path.join(options.workspace, 'jest.config.js'), '--reporters', RESULTS_REPORTER, ...files], env: { ...process.env, ...options.env, ...channel } };
  }
  return {
    args: [
      contained.guard,
      heap,
      ...HARDENING_FLAGS,
      ...contained.nodeFlags,
      contained.jestBin,
      ...common,
      '--config',
      contained.config,
      '--reporters',
      contained.reporter,
      '--cacheDirectory',
      path.join(contained.scratch, 'jest-cache'),
      ...files,
    ],
    // Nothing of the grader's environment (tokens, paths, settings) reaches the code under test.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', TMPDIR: contained.scratch, HOME: contained.scratch, ...options.env, ...channel },
  };
}

/** Sends SIGKILL to the process group `pid` leads, if any of it is left. */
function killGroup(pid: number | undefined): void {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
}

/**
 * The stop functions of the runs in progress. A run's process group is not the grader's, so an
 * interrupted grader (Ctrl-C, SIGTERM) would leave it running: these handlers stop every run
 * first. Installed with the first run.
 */
const liveRuns = {
  stops: new Set<() => void>(),
  installed: false,
  add(stopRun: () => void): Set<() => void> {
    if (!this.installed) {
      this.installed = true;
      process.on('exit', () => this.stopEvery());
      for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
        process.once(signal, () => {
          this.stopEvery();
          process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
        });
      }
    }
    this.stops.add(stopRun);
    return this.stops;
  },
  stopEvery(): void {
    for (const stopRun of this.stops) stopRun();
    this.stops.clear();
  },
};

/** Runs the stage's jest process to its end (or its limit) and collects the results. */
export async function runStageProcess(options: StageProcessOptions): Promise<StageProcessResult> {
  const started = process.hrtime.bigint();
  const { args, env } = commandLine(options);
  // The reporter signs its lines with this key, read from stdin before any test code runs.
  const key = crypto.randomBytes(32).toString('hex');
  const channel = new ResultsChannel(key);
  const user = options.containment?.user;
  const child = spawn(process.execPath, args, {
    cwd: options.workspace,
    env,
    stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    detached: true, // a session and process group of its own, killed whole below
    ...(user ? { uid: user.uid, gid: user.gid } : {}),
  });
  let stderrHead = '';
  let stderrTail = '';
  let timedOut = false;
  let spawnError: Error | undefined;
  let lastProgress = 0n;
  const stopAll = () => {
    killGroup(child.pid);
    if (user) killEveryProcessOf(user);
  };
  const stop = () => stopAll();
  options.signal?.addEventListener('abort', stop, { once: true });
  const onTimeLimit = () => {
    timedOut = true;
    stopAll();
  };
  const timer = setTimeout(onTimeLimit, options.timeLimitSeconds * 1000); // real-time: the stage's wall-clock limit
  const live = liveRuns.add(stopAll);
  child.stdin?.on('error', () => undefined); // the process may die before reading the key
  child.stdin?.end(key);
  child.stderr?.on('data', (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    if (stderrHead.length < STDERR_HEAD_BYTES) stderrHead = (stderrHead + text).slice(0, STDERR_HEAD_BYTES);
    stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
  });
  const results = child.stdio[RESULTS_FD] as NodeJS.ReadableStream | null;
  results?.on('error', () => undefined);
  results?.on('data', (chunk: Buffer) => {
    channel.push(chunk);
    if (channel.overflowed) stopAll();
    const now = process.hrtime.bigint();
    if (options.onProgress && now - lastProgress >= PROGRESS_INTERVAL_NS) {
      lastProgress = now;
      options.onProgress(channel.testsSoFar);
    }
  });
  const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('error', (error) => {
      spawnError = error;
      resolve({ code: null, signal: null });
    });
    child.on('exit', (code, signal) => {
      // Whatever jest left behind (its worker, anything the tests started) goes with it; the
      // pipes then close and 'close' reports the last of the output.
      stopAll();
      child.on('close', () => resolve({ code, signal }));
    });
  });
  clearTimeout(timer);
  options.signal?.removeEventListener('abort', stop);
  stopAll();
  live.delete(stopAll);
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (spawnError) stderrHead = stderrTail = `The test process could not be started: ${spawnError.message}`;
  const { tests, fileErrors, done, forgedLines, overflowed } = channel.content();
  let ending: ProcessEnding;
  if (timedOut) ending = { kind: 'timeout', limitSeconds: options.timeLimitSeconds };
  else if (overflowed) ending = { kind: 'flooded', limitBytes: MAX_RESULTS_BYTES };
  // A process killed by a signal did not complete, even if jest (which writes to the results
  // pipe directly, not through the guard) got its last line out before the group was stopped.
  else if (done && exit.signal === null) ending = { kind: 'completed' };
  else if (/heap out of memory|Allocation failed/i.test(stderrTail)) ending = { kind: 'out-of-memory', limitMb: options.memoryLimitMb };
  else ending = { kind: 'exited-early', exitCode: exit.code, signal: exit.signal };
  return { tests, fileErrors, ending, wallMs, stderrHead, stderrTail, forgedLines };
}
