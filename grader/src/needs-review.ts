/**
 * "Needs review": what a submission's code does that no honest lab solution needs and that the
 * grader cannot close inside the test process, listed for the instructor with file and line.
 *
 * The code under test runs in the same process as its tests, so it can always try to shape its
 * own results: reach jest's realm or jest-circus's state, patch what the tests call, read what
 * it should not. Node's permission model (permission-model.ts) and the grader-owned results pipe
 * (results-channel.ts) take away the files, processes and the results channel; what is left
 * is found here, by reading the submitted files' syntax (comments do not count, strings do):
 * realm escapes, `/proc`, jest or jest-circus internals and test globals, `require.cache` and
 * the module system, process signals and handlers, child processes and workers, native code,
 * `Symbol.for` (jest's registries live behind it) and the file system.
 *
 * It is a reviewer's aid, not a verdict: the score does not change, students never see it (it
 * goes in the JSON report and as a Gradescope entry only instructors see), and code that builds
 * every name from pieces at run time is not recognised.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TypeScript from 'typescript';

/** What a finding is about. */
export type ReviewCategory =
  | 'realm-escape'
  | 'proc'
  | 'jest-internals'
  | 'module-system'
  | 'process-signals'
  | 'child-processes'
  | 'native-code'
  | 'file-system';

/** One place in a submitted file worth a look. */
export interface ReviewFinding {
  /** The file, relative to the submission (`labs/1-standalone/src/raw-api.ts`). */
  readonly file: string;
  readonly line: number;
  readonly category: ReviewCategory;
  /** What was found there, e.g. `process.kill` or `require('child_process')`. */
  readonly what: string;
  /** The line itself, trimmed and cut. */
  readonly excerpt: string;
}

/** What each category means, for the report. */
export const REVIEW_CATEGORIES: Readonly<Record<ReviewCategory, string>> = {
  'realm-escape': 'reaches outside its realm or into shared prototypes (constructor, prototypes, eval, Function, vm, globalThis)',
  proc: 'reads /proc',
  'jest-internals': 'touches jest or jest-circus (test globals, expect, jest, their symbols)',
  'module-system': 'uses require.cache or the module system (computed require, module internals)',
  'process-signals': 'sends signals, exits, or handles process events',
  'child-processes': 'starts processes or threads',
  'native-code': 'loads native code (addons, process.binding, WebAssembly, v8, inspector)',
  'file-system': 'uses the file system',
};

/** The most findings listed for one submission. */
export const MAX_FINDINGS = 200;
const EXCERPT_LIMIT = 160;

/** Modules a lab never imports, by category (`node:` prefixes are ignored). */
const MODULES: ReadonlyMap<string, ReviewCategory> = new Map<string, ReviewCategory>([
  ['vm', 'realm-escape'],
  ['module', 'module-system'],
  ['child_process', 'child-processes'],
  ['worker_threads', 'child-processes'],
  ['cluster', 'child-processes'],
  ['v8', 'native-code'],
  ['inspector', 'native-code'],
  ['inspector/promises', 'native-code'],
  ['wasi', 'native-code'],
  ['fs', 'file-system'],
  ['fs/promises', 'file-system'],
  ['process', 'process-signals'],
]);

/** `object.property` pairs a lab never uses. `*` matches any property of the object. */
const MEMBERS: ReadonlyMap<string, ReviewCategory> = new Map<string, ReviewCategory>([
  ['require.cache', 'module-system'],
  ['require.main', 'module-system'],
  ['require.resolve', 'module-system'],
  ['require.extensions', 'module-system'],
  ['module.*', 'module-system'],
  ['process.mainModule', 'module-system'],
  ['process.kill', 'process-signals'],
  ['process.exit', 'process-signals'],
  ['process.abort', 'process-signals'],
  ['process.reallyExit', 'process-signals'],
  ['process._kill', 'process-signals'],
  ['process.ppid', 'process-signals'],
  ['process.on', 'process-signals'],
  ['process.once', 'process-signals'],
  ['process.addListener', 'process-signals'],
  ['process.prependListener', 'process-signals'],
  ['process.prependOnceListener', 'process-signals'],
  ['process.emit', 'process-signals'],
  ['process.removeAllListeners', 'process-signals'],
  ['process.dlopen', 'native-code'],
  ['process.binding', 'native-code'],
  ['process._linkedBinding', 'native-code'],
  ['process.setuid', 'process-signals'],
  ['process.chdir', 'file-system'],
  ['Object.prototype', 'realm-escape'],
  ['Function.prototype', 'realm-escape'],
  ['Array.prototype', 'realm-escape'],
  ['Object.getPrototypeOf', 'realm-escape'],
  ['Object.setPrototypeOf', 'realm-escape'],
  ['Reflect.getPrototypeOf', 'realm-escape'],
  ['Reflect.setPrototypeOf', 'realm-escape'],
  ['Object.getOwnPropertySymbols', 'jest-internals'],
  ['Reflect.ownKeys', 'jest-internals'],
  ['Symbol.for', 'jest-internals'],
  ['expect.*', 'jest-internals'],
  ['jest.*', 'jest-internals'],
  ['WebAssembly.*', 'native-code'],
]);

/** Property names that lead out of a realm whatever they are read on. */
const PROPERTIES: ReadonlyMap<string, ReviewCategory> = new Map<string, ReviewCategory>([
  ['constructor', 'realm-escape'],
  ['__proto__', 'realm-escape'],
  ['__defineGetter__', 'realm-escape'],
  ['__defineSetter__', 'realm-escape'],
  ['toJSON', 'realm-escape'],
  // jest-circus's own state and test records: a lab has no object with these.
  ['unhandledErrors', 'jest-internals'],
  ['failureMessages', 'jest-internals'],
  ['currentlyRunningTest', 'jest-internals'],
]);

/** Free identifiers a lab never refers to. */
const GLOBALS: ReadonlyMap<string, ReviewCategory> = new Map<string, ReviewCategory>([
  ['eval', 'realm-escape'],
  ['Function', 'realm-escape'],
  ['globalThis', 'realm-escape'],
  ['global', 'realm-escape'],
  ['WebAssembly', 'native-code'],
]);

/** Test globals: a lab that calls them registers or hooks tests. */
const TEST_GLOBALS = new Set(['test', 'it', 'describe', 'beforeAll', 'afterAll', 'beforeEach', 'afterEach', 'expect', 'jest', 'fit', 'xit', 'xtest', 'xdescribe', 'fdescribe']);

/** Text inside strings that names something a lab never needs. */
const STRING_PATTERNS: readonly { readonly pattern: RegExp; readonly category: ReviewCategory; readonly what: string }[] = [
  { pattern: /\/proc\b/, category: 'proc', what: '/proc in a string' },
  { pattern: /jest/i, category: 'jest-internals', what: 'jest named in a string' },
  { pattern: /^(test_(start|started|done|fn_start|fn_success|fn_failure|skip|todo|retry)|hook_(start|success|failure)|add_test|add_hook|run_(start|finish)|run_describe_(start|finish)|include_test_location_in_result)$/, category: 'jest-internals', what: 'a jest-circus event named in a string' },
  { pattern: /\.node\b/, category: 'native-code', what: 'a .node file named in a string' },
  { pattern: /child_process|worker_threads/, category: 'child-processes', what: 'a process module named in a string' },
  { pattern: /\bSIG[A-Z]{2,}\b/, category: 'process-signals', what: 'a signal named in a string' },
];

/** The category `table` gives `key` (Maps, so `toString` and friends of Object.prototype never match). */
function lookup(table: ReadonlyMap<string, ReviewCategory>, key: string): ReviewCategory | undefined {
  return table.get(key);
}

function normalizeModule(name: string): string {
  return name.startsWith('node:') ? name.slice('node:'.length) : name;
}

/** Names declared anywhere in the file: a local `it` (an iterator) is not jest's. */
function declaredNames(ts: typeof TypeScript, source: TypeScript.SourceFile): Set<string> {
  const names = new Set<string>();
  const visit = (node: TypeScript.Node): void => {
    const named = node as TypeScript.Node & { name?: TypeScript.Node };
    if (
      (ts.isVariableDeclaration(node) || ts.isParameter(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node) || ts.isBindingElement(node) || ts.isImportSpecifier(node) || ts.isImportClause(node) || ts.isNamespaceImport(node)) &&
      named.name &&
      ts.isIdentifier(named.name)
    ) {
      names.add(named.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return names;
}

/** True when `node` is a reference to a variable, not a property name or a declaration's own name. */
function isReference(ts: typeof TypeScript, node: TypeScript.Identifier): boolean {
  const parent = node.parent;
  if (!parent) return true;
  if (ts.isPropertyAccessExpression(parent) && parent.name === node) return false;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertySignature(parent) || ts.isMethodSignature(parent)) && parent.name === node) return false;
  if ((ts.isVariableDeclaration(parent) || ts.isParameter(parent) || ts.isFunctionDeclaration(parent) || ts.isClassDeclaration(parent) || ts.isBindingElement(parent)) && parent.name === node) return false;
  if (ts.isImportSpecifier(parent) || ts.isExportSpecifier(parent) || ts.isQualifiedName(parent) || ts.isTypeReferenceNode(parent)) return false;
  return true;
}

/** True for the string that names the module of an import, export or require (reported as the module). */
function isModuleSpecifier(ts: typeof TypeScript, node: TypeScript.Node): boolean {
  const parent = node.parent;
  return !!parent && (ts.isImportDeclaration(parent) || ts.isExportDeclaration(parent) || ts.isExternalModuleReference(parent) || (ts.isCallExpression(parent) && parent.arguments[0] === node && (parent.expression.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(parent.expression) && parent.expression.text === 'require'))));
}

/** Finds what needs review in one file's source. `file` is how the finding names it. */
export function reviewSource(ts: typeof TypeScript, file: string, text: string): ReviewFinding[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const lines = text.split('\n');
  const declared = declaredNames(ts, source);
  const found = new Map<string, ReviewFinding>();
  const add = (node: TypeScript.Node, category: ReviewCategory, what: string) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    const key = `${line}\0${category}\0${what}`;
    if (found.has(key)) return;
    const excerpt = (lines[line - 1] ?? '').trim();
    found.set(key, { file, line, category, what, excerpt: excerpt.length > EXCERPT_LIMIT ? `${excerpt.slice(0, EXCERPT_LIMIT - 1)}…` : excerpt });
  };
  const moduleUse = (node: TypeScript.Node, specifier: string, how: 'import from' | 'require' | 'import') => {
    const category = lookup(MODULES, normalizeModule(specifier));
    if (category) add(node, category, how === 'import from' ? `import from '${specifier}'` : `${how}('${specifier}')`);
  };
  const member = (node: TypeScript.Node, object: string, property: string) => {
    if (object === 'module' && property === 'exports') return; // CommonJS's ordinary export
    const category = lookup(MEMBERS, `${object}.${property}`) ?? lookup(MEMBERS, `${object}.*`) ?? lookup(PROPERTIES, property);
    if (category) add(node, category, `${object}.${property}`);
  };
  const visit = (node: TypeScript.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      moduleUse(node, node.moduleSpecifier.text, 'import from');
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      moduleUse(node, node.moduleReference.expression.text, 'import from');
    } else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require' && !declared.has('require');
      if (isRequire || callee.kind === ts.SyntaxKind.ImportKeyword) {
        const argument = node.arguments[0];
        const how = isRequire ? ('require' as const) : ('import' as const);
        if (argument && ts.isStringLiteralLike(argument)) moduleUse(node, argument.text, how);
        else add(node, 'module-system', `${how} of a computed name`);
      } else if (ts.isIdentifier(callee) && TEST_GLOBALS.has(callee.text) && !declared.has(callee.text)) {
        add(node, 'jest-internals', `${callee.text}() called from lab code`);
      }
      if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Symbol' && callee.name.text === 'for') {
        const argument = node.arguments[0];
        if (argument && ts.isStringLiteralLike(argument) && /jest/i.test(argument.text)) add(node, 'jest-internals', `Symbol.for('${argument.text.slice(0, 40)}')`);
      }
    } else if (ts.isPropertyAccessExpression(node)) {
      const object = ts.isIdentifier(node.expression) ? node.expression.text : '…';
      member(node, object, node.name.text);
    } else if (ts.isElementAccessExpression(node)) {
      const object = ts.isIdentifier(node.expression) ? node.expression.text : '…';
      const argument = node.argumentExpression;
      if (ts.isStringLiteralLike(argument)) member(node, object, argument.text);
      else if (['process', 'globalThis', 'global', 'require', 'module', 'Symbol'].includes(object)) add(node, object === 'require' || object === 'module' ? 'module-system' : 'realm-escape', `${object}[computed]`);
    } else if (ts.isIdentifier(node) && isReference(ts, node) && !declared.has(node.text)) {
      const category = lookup(GLOBALS, node.text);
      if (category) add(node, category, node.text);
    } else if ((ts.isStringLiteralLike(node) || ts.isTemplateHead(node) || ts.isTemplateMiddle(node) || ts.isTemplateTail(node)) && !isModuleSpecifier(ts, node)) {
      for (const { pattern, category, what } of STRING_PATTERNS) if (pattern.test(node.text)) add(node, category, what);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...found.values()];
}

/**
 * Reads the submitted `files` as they were taken into the workspace `root` (paths relative to
 * both) and lists what needs review, at most {@link MAX_FINDINGS}, in file and line order.
 */
export function reviewSubmission(root: string, files: readonly string[]): ReviewFinding[] {
  // Loaded only when a submission is graded: the compiler takes a moment to load.
  const ts = require('typescript') as typeof TypeScript;
  const findings: ReviewFinding[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = fs.readFileSync(path.join(root, ...file.split('/')), 'utf8');
    } catch {
      continue;
    }
    findings.push(...reviewSource(ts, file, text));
  }
  findings.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return findings.slice(0, MAX_FINDINGS);
}

/** The findings as lines for a person: `file:line  what  (category)  | the line`. */
export function reviewLines(findings: readonly ReviewFinding[]): string[] {
  return findings.map((finding) => `${finding.file}:${finding.line}  ${finding.what}  (${finding.category})  | ${finding.excerpt}`);
}
