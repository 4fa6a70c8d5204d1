/**
 * Type-checking a workspace with `tsc --noEmit`, and deciding which stages its errors belong
 * to. Jest only transpiles, so this is where type errors are caught: a stage with a type error
 * in its own code, the code it builds on, labs/common or its tests scores 0.
 *
 * Checks are cheap to repeat (see typecheck-cache.ts): a verdict is reused while no source
 * changed, and `tsc --incremental` rechecks only what an edit affects. `tinykv test` and
 * `watch` check only the stages' scope (their labs and labs/common), which is smaller than
 * the whole kit and gives the same verdict for those stages.
 *
 * @module
 */
import execa from 'execa';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { labFoldersOf, withPrerequisites } from './stage-selection';
import { TSC_BIN } from './repo-paths';
import type { StageDefinition } from './stages';
import { readVerdict, scopeFileStem, TYPECHECK_CACHE_DIR, verdictKey, writeVerdict } from './typecheck-cache';

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
  /** True when no source changed since a check with this verdict, so tsc did not run. */
  readonly cached?: boolean;
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

/** The folders a whole-workspace check reads: the tsconfig's `include` (the kit's default if unreadable). */
function includedFolders(dir: string): string[] {
  try {
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'tsconfig.json'), 'utf8')) as { include?: unknown };
    if (Array.isArray(config.include) && config.include.every((entry) => typeof entry === 'string')) return config.include as string[];
  } catch {
    // fall through to the kit's layout
  }
  return ['labs', 'grader', 'bench', 'scripts'];
}

/**
 * A tsconfig (kept under .tinykv/typecheck) that extends the workspace's own and includes only
 * `folders`: type roots are named explicitly because the file does not sit in the workspace.
 */
function writeScopedConfig(dir: string, folders: readonly string[], stem: string): string {
  const file = path.join(TYPECHECK_CACHE_DIR, `${stem}.tsconfig.json`);
  const absolute = path.resolve(dir);
  const config = {
    extends: path.join(absolute, 'tsconfig.json'),
    include: folders.map((folder) => path.join(absolute, ...folder.split('/'))),
    compilerOptions: { typeRoots: [path.join(absolute, 'node_modules', '@types')] },
  };
  fs.mkdirSync(TYPECHECK_CACHE_DIR, { recursive: true });
  fs.writeFileSync(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** What a check reads and where its verdict is filed. */
interface TypecheckPlan {
  readonly scoped: boolean;
  /** The folders the program includes (the scope's, or the tsconfig's). */
  readonly folders: readonly string[];
  /** The folders whose files the verdict depends on. */
  readonly verdictFolders: readonly string[];
  readonly scopeLabel: string;
  readonly key: string;
}

function planTypecheck(dir: string, stages?: readonly StageDefinition[]): TypecheckPlan {
  const scoped = stages !== undefined;
  const folders = scoped
    ? [...new Set(stages.flatMap(typecheckScope).map((prefix) => prefix.replace(/\/$/, '')))].filter((folder) => fs.existsSync(path.join(dir, ...folder.split('/'))))
    : includedFolders(dir);
  const scopeLabel = scoped ? `stages:${stages.map((stage) => stage.id).join(',')}` : 'workspace';
  // Lab code imports only from labs/ (and packages), so every file a scoped program can read is
  // under labs/ or the scope's own folders.
  const verdictFolders = scoped ? [...new Set(['labs', ...folders])] : folders;
  return { scoped, folders, verdictFolders, scopeLabel, key: verdictKey(dir, verdictFolders, scopeLabel) };
}

/**
 * The tsconfig of a check of `stages`' scope in the workspace at `dir` (written under
 * .tinykv/typecheck): what `tsc -p` runs, and what a TypecheckSession (typecheck-session.ts) loads.
 */
export function scopedProjectFile(dir: string, stages: readonly StageDefinition[]): string {
  const { folders, scopeLabel } = planTypecheck(dir, stages);
  return writeScopedConfig(dir, folders, scopeFileStem(dir, scopeLabel));
}

/**
 * The verdict of an earlier check of the same sources, without running tsc (a few
 * milliseconds), or undefined when a source changed since. Arguments as for {@link typecheckWorkspace}.
 */
export function knownTypecheck(dir: string, stages?: readonly StageDefinition[]): TypecheckResult | undefined {
  const started = process.hrtime.bigint();
  const known = readVerdict(planTypecheck(dir, stages).key);
  return known ? { diagnostics: known, durationMs: Number(process.hrtime.bigint() - started) / 1e6, cached: true } : undefined;
}

/**
 * Runs `tsc --noEmit` on the workspace at `dir`, within `timeLimitSeconds`: the whole
 * workspace, or with `stages` only the folders of their {@link typecheckScope}. A verdict is
 * reused while no file under those folders changed.
 */
export async function typecheckWorkspace(dir: string, timeLimitSeconds = 180, stages?: readonly StageDefinition[]): Promise<TypecheckResult> {
  const started = process.hrtime.bigint();
  const elapsedMs = () => Number(process.hrtime.bigint() - started) / 1e6;
  const { scoped, folders, verdictFolders, scopeLabel, key } = planTypecheck(dir, stages);
  const known = readVerdict(key);
  if (known) return { diagnostics: known, durationMs: elapsedMs(), cached: true };

  const stem = scopeFileStem(dir, scopeLabel);
  const project = scoped ? writeScopedConfig(dir, folders, stem) : 'tsconfig.json';
  const buildInfo = path.join(TYPECHECK_CACHE_DIR, `${stem}.tsbuildinfo`);
  fs.mkdirSync(TYPECHECK_CACHE_DIR, { recursive: true });
  const result = await execa(process.execPath, [TSC_BIN, '--noEmit', '--pretty', 'false', '--incremental', '--tsBuildInfoFile', buildInfo, '-p', project], {
    cwd: dir,
    reject: false,
    timeout: timeLimitSeconds * 1000,
    killSignal: 'SIGKILL',
    maxBuffer: 16 * 1024 * 1024,
    env: { NODE_OPTIONS: '' },
  });
  const durationMs = elapsedMs();
  const diagnostics = parseTscOutput(result.stdout);
  if (result.timedOut) return { diagnostics, durationMs, failure: `The type-check did not finish within ${timeLimitSeconds} s.` };
  if (result.exitCode !== 0 && diagnostics.length === 0) {
    return { diagnostics, durationMs, failure: `tsc failed: ${(result.stderr || result.stdout).trim().slice(0, 2000)}` };
  }
  // A file saved while tsc ran may or may not be in this verdict: then it is not kept.
  const sourcesAfter = verdictKey(dir, verdictFolders, scopeLabel);
  if (sourcesAfter === key) writeVerdict(key, diagnostics);
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
