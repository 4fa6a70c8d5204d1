// The jest transformer of a graded stage run: TypeScript files come compiled by the grader
// (precompile.ts), looked up by a hash of their content in the run's .grader/compiled folder.
// The output is what ts-jest gives with the kit's tsconfig.jest.json (isolatedModules), with
// its source map inline and naming the file jest asked for, so stack traces point at the run's
// own files. A file the grader did not compile (one with a syntax error, say) goes to ts-jest,
// which reports it as every other run would.
// Plain JavaScript: jest loads transformers without transforming them.
'use strict';
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

module.exports = {
  createTransformer(options) {
    let tsJest;
    const fallback = () => {
      tsJest ??= require('ts-jest').default.createTransformer({ tsconfig: options.tsconfig });
      return tsJest;
    };
    return {
      process(source, filename, transformOptions) {
        const key = crypto.createHash('sha256').update(source).digest('hex');
        let entry;
        try {
          entry = JSON.parse(fs.readFileSync(path.join(options.compiled, `${key}.json`), 'utf8'));
        } catch {
          return fallback().process(source, filename, transformOptions);
        }
        const map = { ...entry.map, file: filename, sources: [filename] };
        delete map.sourceRoot;
        const inline = Buffer.from(JSON.stringify(map), 'utf8').toString('base64');
        return { code: `${entry.code}\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${inline}` };
      },
    };
  },
};
