/**
 * Type-checking a workspace once with `tsc --noEmit`, and deciding which stages its errors
 * belong to. Jest only transpiles, so this is where type errors are caught: a stage with a type
 * error in its own code, the code it builds on, labs/common or its tests scores 0.
 *
 * @module
 */
import execa from 'execa';
import { labFoldersOf, withPrerequisites } from './stage-selection';
import { TSC_BIN } from './repo-paths';
import type { StageDefinition } from './stages';

/** One compiler error. `file` is relative to the workspace and uses `/`. */
export interface TypeDiagnostic {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly code: string;
  readonly message: string;
}

/** What `tsc` said about a workspace. */
export interface TypecheckResult {
  readonly diagnostics: readonly TypeDiagnostic[];
  /** Set when tsc itself could not run or printed something that is not a diagnostic. */
  readonly failure?: string;
  readonly durationMs: number;
}

const DIAGNOSTIC_LINE = /^(.+?)\((\d+),(\d+)\): error (TS\d+): (.*)$/;

/** Parses `tsc --pretty false` output; continuation lines (indented) join the previous message. */
export function parseTscOutput(output: string): TypeDiagnostic[] {
  const diagnostics: TypeDiagnostic[] = [];
  for (const line of output.split(/\r?\n/)) {
    const match = DIAGNOSTIC_LINE.exec(line);
    if (match) {
      diagnostics.push({ file: match[1].split('\\').join('/'), line: Number(match[2]), column: Number(match[3]), code: match[4], message: match[5] });
    } else if (/^\s+\S/.test(line) && diagnostics.length > 0) {
      const last = diagnostics[diagnostics.length - 1];
      diagnostics[diagnostics.length - 1] = { ...last, message: `${last.message}\n${line.trim()}` };
    }
  }
  return diagnostics;
}

/** Runs `tsc --noEmit` on the workspace at `dir`, within `timeLimitSeconds`. */
export async function typecheckWorkspace(dir: string, timeLimitSeconds = 180): Promise<TypecheckResult> {
  const started = process.hrtime.bigint();
  const result = await execa(process.execPath, [TSC_BIN, '--noEmit', '--pretty', 'false', '-p', 'tsconfig.json'], {
    cwd: dir,
    reject: false,
    timeout: timeLimitSeconds * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
    env: { NODE_OPTIONS: '' },
  });
  const durationMs = Number(process.hrtime.bigint() - started) / 1e6;
  const diagnostics = parseTscOutput(result.stdout);
  if (result.timedOut) return { diagnostics, durationMs, failure: `The type-check did not finish within ${timeLimitSeconds} s.` };
  if (result.exitCode !== 0 && diagnostics.length === 0) {
    return { diagnostics, durationMs, failure: `tsc failed: ${(result.stderr || result.stdout).trim().slice(0, 2000)}` };
  }
  return { diagnostics, durationMs };
}

/** The folder prefixes whose type errors sink `stage`: its labs and those it builds on, labs/common and its hidden tests. */
export function typecheckScope(stage: StageDefinition): string[] {
  const scope = new Set<string>(['labs/common/', `${stage.hiddenDir}/`]);
  for (const needed of withPrerequisites(stage)) {
    for (const folder of labFoldersOf(needed)) scope.add(`${folder}/`);
  }
  return [...scope];
}

/** The diagnostics that belong to `stage`. */
export function diagnosticsForStage(stage: StageDefinition, diagnostics: readonly TypeDiagnostic[]): TypeDiagnostic[] {
  const scope = typecheckScope(stage);
  return diagnostics.filter((diagnostic) => scope.some((prefix) => diagnostic.file.startsWith(prefix)));
}

/** One line per diagnostic, as a compiler prints it. */
export function formatDiagnostic(diagnostic: TypeDiagnostic): string {
  return `${diagnostic.file}(${diagnostic.line},${diagnostic.column}): ${diagnostic.code}: ${diagnostic.message}`;
}
