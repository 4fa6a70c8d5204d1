/**
 * Compiling a graded tree's TypeScript once, in the grader, for every stage run to use.
 *
 * Each graded run starts cold (its jest cache lives in its own scratch folder, which nothing
 * else may write), so left to ts-jest every run would load the compiler and compile the same
 * provided code again: about a second of CPU per run. Instead the grader compiles every
 * `.ts` file of the tree here, as ts-jest would (tsconfig.jest.json, one file at a time), and
 * each run gets the outputs of the files in its own workspace (sandbox-run.ts), found by a
 * hash of their content (precompiled-transform.js). Outputs are also kept between grades in
 * `.tinykv/precompiled/`, a folder only the grader reads: the kit's own files are compiled once
 * per change, a submission's once.
 *
 * A file that does not compile cleanly is left out; its run then compiles it with ts-jest and
 * reports its syntax error as any run would.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TypeScript from 'typescript';
import { kitPath } from './repo-paths';

/** The grader's own store of outputs, kept between grades. */
const CACHE_DIR = kitPath('.tinykv/precompiled');
/** Above this many kept outputs, the oldest half is removed. */
const CACHE_MAX_FILES = 5000;
/** Folders of a tree whose TypeScript runs in stage runs. */
const COMPILED_FOLDERS = ['labs', 'grader/hidden'];

/** The compiled outputs of a tree: each file's content hash, and where the outputs are. */
export interface PrecompiledTree {
  /** Holds `<content hash>.json` for every compiled file: `{ code, map }`. */
  readonly dir: string;
  /** Tree-relative path (`/`) → content hash, for the files that compiled. */
  readonly byFile: ReadonlyMap<string, string>;
}

/** The compiled output of one file, as stored. */
interface CompiledFile {
  readonly code: string;
  readonly map: object;
}

function sha256(text: string): string {
  return crypto.createHash('sha256').update(text).digest('hex');
}

/** tsconfig.jest.json's options as ts-jest compiles with them: one file at a time, source map kept apart. */
function compilerOptions(ts: typeof TypeScript, tree: string): TypeScript.CompilerOptions {
  const file = path.join(tree, 'tsconfig.jest.json');
  const json = (JSON.parse(fs.readFileSync(file, 'utf8')) as { compilerOptions?: object }).compilerOptions ?? {};
  const { options } = ts.convertCompilerOptionsFromJson(json, tree, file);
  return { ...options, sourceMap: true, inlineSourceMap: false, inlineSources: false, declaration: false, noEmit: false, removeComments: false, isolatedModules: true };
}

function typeScriptFiles(root: string, relative: string, found: string[]): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(path.join(root, relative), { withFileTypes: true });
  } catch {
    return;
  }
  for (const entry of entries) {
    const child = `${relative}/${entry.name}`;
    if (entry.isDirectory() && entry.name !== 'node_modules') typeScriptFiles(root, child, found);
    else if (entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) found.push(child);
  }
}

/** One file's output: from the grader's store, or compiled now (undefined when it does not compile cleanly). */
function compile(ts: typeof TypeScript, options: TypeScript.CompilerOptions, salt: string, file: string, source: string): CompiledFile | undefined {
  const cached = path.join(CACHE_DIR, `${sha256(`${salt}\0${source}`)}.json`);
  try {
    return JSON.parse(fs.readFileSync(cached, 'utf8')) as CompiledFile;
  } catch {
    // Not compiled yet.
  }
  let output: TypeScript.TranspileOutput;
  try {
    output = ts.transpileModule(source, { compilerOptions: options, fileName: path.basename(file), reportDiagnostics: true });
  } catch {
    return undefined; // left to ts-jest in the run, which reports the problem
  }
  if ((output.diagnostics ?? []).some((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error) || output.sourceMapText === undefined) return undefined;
  const mapComment = output.outputText.lastIndexOf('\n//# sourceMappingURL=');
  const compiled = { code: mapComment >= 0 ? output.outputText.slice(0, mapComment) : output.outputText, map: JSON.parse(output.sourceMapText) as object };
  try {
    const temporary = `${cached}.tmp-${process.pid}-${crypto.randomBytes(4).toString('hex')}`;
    fs.writeFileSync(temporary, JSON.stringify(compiled), { flag: 'wx' });
    fs.renameSync(temporary, cached);
  } catch {
    // Only a cache: the next grade compiles it again.
  }
  return compiled;
}

/** Keeps the grader's store bounded: past its limit, the older half goes. */
function pruneCache(): void {
  let names: string[];
  try {
    names = fs.readdirSync(CACHE_DIR);
  } catch {
    return;
  }
  if (names.length <= CACHE_MAX_FILES) return;
  const aged = names.map((name) => ({ name, time: fs.statSync(path.join(CACHE_DIR, name)).mtimeMs })).sort((a, b) => a.time - b.time);
  for (const { name } of aged.slice(0, Math.floor(aged.length / 2))) fs.rmSync(path.join(CACHE_DIR, name), { force: true });
}

/** The compiler, loaded here and not at start-up (only grading needs it), with the tree's options. */
function compilerFor(tree: string): { ts: typeof TypeScript; options: TypeScript.CompilerOptions; salt: string } {
  const ts = require('typescript') as typeof TypeScript;
  const options = compilerOptions(ts, tree);
  return { ts, options, salt: sha256(`${ts.version}\0${JSON.stringify(options)}`) };
}

/**
 * Compiles one file of `tree` into `compiledDir` (a run's `.grader/compiled`), for a file changed
 * after the tree was compiled (a mutant). A file that does not compile is left to ts-jest.
 */
export function compileFileInto(tree: string, file: string, compiledDir: string): void {
  const { ts, options, salt } = compilerFor(tree);
  fs.mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
  const source = fs.readFileSync(path.join(tree, ...file.split('/')), 'utf8');
  const compiled = compile(ts, options, salt, file, source);
  if (compiled) fs.writeFileSync(path.join(compiledDir, `${sha256(source)}.json`), JSON.stringify(compiled));
}

/**
 * Compiles every TypeScript file under the tree's `labs/` and `grader/hidden/` into `outDir`
 * (created) and returns where each file's output is.
 */
export function precompileTree(tree: string, outDir: string): PrecompiledTree {
  const { ts, options, salt } = compilerFor(tree);
  fs.mkdirSync(CACHE_DIR, { recursive: true, mode: 0o700 });
  fs.mkdirSync(outDir, { recursive: true, mode: 0o700 }); // holds every stage's hidden tests: the grader's alone
  const files: string[] = [];
  for (const folder of COMPILED_FOLDERS) typeScriptFiles(tree, folder, files);
  const byFile = new Map<string, string>();
  for (const file of files) {
    const source = fs.readFileSync(path.join(tree, ...file.split('/')), 'utf8');
    const compiled = compile(ts, options, salt, file, source);
    if (!compiled) continue;
    const key = sha256(source);
    fs.writeFileSync(path.join(outDir, `${key}.json`), JSON.stringify(compiled));
    byFile.set(file, key);
  }
  pruneCache();
  return { dir: outDir, byFile };
}

/**
 * Puts the outputs of the tree files under `prefixes` (`labs/`, `grader/hidden/1/`…) into a
 * run's `compiled` folder: a run gets the outputs of its own files only.
 */
export function provideCompiled(precompiled: PrecompiledTree, prefixes: readonly string[], compiledDir: string): void {
  fs.mkdirSync(compiledDir, { recursive: true });
  for (const [file, key] of precompiled.byFile) {
    if (!prefixes.some((prefix) => file.startsWith(prefix))) continue;
    const target = path.join(compiledDir, `${key}.json`);
    if (fs.existsSync(target)) continue;
    // A copy, not a link: a run that could write its copy must not reach another run's.
    fs.copyFileSync(path.join(precompiled.dir, `${key}.json`), target);
  }
}
