/**
 * A type-check that stays in memory between runs, for `tinykv watch`. A fresh `tsc` parses
 * and binds every file of the program each time, declaration files of node and jest included
 * (most of its time); a session keeps the parsed files and the previous program, so a check
 * after a save parses only the files that changed and checks only what they affect, the way
 * `tsc --watch` does. Its verdict is the compiler's own: same program, options and files.
 *
 * @module
 */
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type * as TypeScript from 'typescript';
import type { StageDefinition } from './stages';
import { scopedProjectFile, type TypeDiagnostic, type TypecheckResult } from './typecheck';

/** A parsed file and the exact text and options it was parsed from. */
interface ParsedFile {
  readonly text: string;
  readonly options: string;
  readonly file: TypeScript.SourceFile;
}

/** Repeated type-checks of some stages' scope in one workspace, each reusing the last. */
export class TypecheckSession {
  // The compiler is loaded only by a session: `tinykv --help` and `tinykv test` never load it.
  private readonly ts = require('typescript') as typeof TypeScript;
  private readonly parsed = new Map<string, ParsedFile>();
  private builder: TypeScript.SemanticDiagnosticsBuilderProgram | undefined;

  /**
   * @param dir - the workspace (the kit itself, for `watch`).
   * @param stages - whose scope to check (see typecheck.ts, `typecheckScope`).
   */
  constructor(
    private readonly dir: string,
    private readonly stages: readonly StageDefinition[],
  ) {}

  /** Checks the sources as they are now; blocks until done (a second or two after the first). */
  check(): TypecheckResult {
    const started = process.hrtime.bigint();
    const durationMs = () => Number(process.hrtime.bigint() - started) / 1e6;
    const ts = this.ts;
    let configProblem: string | undefined;
    const config = ts.getParsedCommandLineOfConfigFile(scopedProjectFile(this.dir, this.stages), { noEmit: true }, {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (diagnostic) => (configProblem = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n')),
    });
    if (!config) return { diagnostics: [], durationMs: durationMs(), failure: `tsc could not read its configuration: ${configProblem ?? 'unknown error'}` };
    const host = ts.createCompilerHost(config.options);
    const parse = host.getSourceFile.bind(host);
    // Unchanged files keep their parsed (and bound) tree: the program reuses them as they are.
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreateNewSourceFile) => {
      const text = host.readFile(fileName);
      if (text === undefined) return parse(fileName, languageVersion, onError, shouldCreateNewSourceFile);
      const options = JSON.stringify(languageVersion);
      const known = this.parsed.get(fileName);
      if (known && known.text === text && known.options === options) return known.file;
      const file = parse(fileName, languageVersion, onError, shouldCreateNewSourceFile);
      if (!file) return file;
      // The builder tells changed files from unchanged ones by this version, as tsc --watch does.
      (file as { version?: string }).version = crypto.createHash('sha256').update(text).digest('hex');
      this.parsed.set(fileName, { text, options, file });
      return file;
    };
    this.builder = ts.createSemanticDiagnosticsBuilderProgram(config.fileNames, config.options, host, this.builder, ts.getConfigFileParsingDiagnostics(config), config.projectReferences);
    const all = [
      ...this.builder.getConfigFileParsingDiagnostics(),
      ...this.builder.getOptionsDiagnostics(),
      ...this.builder.getGlobalDiagnostics(),
      ...this.builder.getSyntacticDiagnostics(),
      ...this.builder.getSemanticDiagnostics(),
    ].filter((diagnostic) => diagnostic.category === ts.DiagnosticCategory.Error);
    const diagnostics: TypeDiagnostic[] = [];
    const unplaced: string[] = [];
    for (const diagnostic of all) {
      const message = ts
        .flattenDiagnosticMessageText(diagnostic.messageText, '\n')
        .split('\n')
        .map((line) => line.trim())
        .join('\n');
      if (!diagnostic.file || diagnostic.start === undefined) {
        unplaced.push(`error TS${diagnostic.code}: ${message}`);
        continue;
      }
      const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      const file = path.relative(this.dir, diagnostic.file.fileName).split(path.sep).join('/');
      diagnostics.push({ file, line: line + 1, column: character + 1, code: `TS${diagnostic.code}`, message });
    }
    // As with tsc: an error that belongs to no file (a missing type library…) is the check failing.
    return { diagnostics, durationMs: durationMs(), ...(unplaced.length > 0 ? { failure: `tsc failed: ${unplaced.join('\n')}` } : {}) };
  }
}
