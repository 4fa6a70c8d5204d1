// Goal: every stub exports exactly the API of its reference twin, so tests written against
// one type-check against the other and a student never has to guess a signature.
// Method: build the reference workspace, load both versions of every editable file in one
// TypeScript program, and compare each export's name, kind and type as the checker prints it.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import ts from 'typescript';
import { kitPath } from '../src/repo-paths';
import { buildWorkspace } from '../src/workspace';

jest.setTimeout(120_000);

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** `name: kind type` for every export of a module, with class members spelled out. */
function describeExports(checker: ts.TypeChecker, file: ts.SourceFile): string[] {
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (!moduleSymbol) return [];
  const lines: string[] = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
    const declaration = symbol.declarations?.[0];
    const kind = declaration ? ts.SyntaxKind[declaration.kind] : 'unknown';
    if (symbol.flags & (ts.SymbolFlags.Interface | ts.SymbolFlags.TypeAlias)) {
      lines.push(`${exported.name}: ${kind} ${checker.typeToString(checker.getDeclaredTypeOfSymbol(symbol), undefined, ts.TypeFormatFlags.NoTruncation | ts.TypeFormatFlags.InTypeAlias)}`);
    }
    if (symbol.flags & ts.SymbolFlags.Class) {
      const instance = checker.getDeclaredTypeOfSymbol(symbol);
      for (const member of checker.getPropertiesOfType(instance)) {
        // Private and protected members are the student's own business; only the public API must match.
        const memberDeclaration = member.declarations?.[0];
        const hidden = memberDeclaration && ts.getCombinedModifierFlags(memberDeclaration) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected);
        if (hidden || member.name.startsWith('#')) continue;
        const type = checker.getTypeOfSymbolAtLocation(member, declaration!);
        lines.push(`${exported.name}#${member.name}: ${checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation)}`);
      }
    }
    if (symbol.flags & ts.SymbolFlags.Value) {
      const type = checker.getTypeOfSymbolAtLocation(symbol, declaration ?? file);
      lines.push(`${exported.name}: ${kind} ${checker.typeToString(type, undefined, ts.TypeFormatFlags.NoTruncation)}`);
    }
  }
  return lines.sort();
}

const referenceRoot = kitPath('reference');
const referenceFiles = fs.existsSync(referenceRoot) ? filesUnder(referenceRoot).map((file) => path.relative(referenceRoot, file).split(path.sep).join('/')) : [];

test('the kit has reference files to compare (instructor edition)', () => {
  expect(referenceFiles.length).toBeGreaterThan(0);
});

describe('each stub matches its reference twin', () => {
  let workspace: string;
  let program: ts.Program;
  beforeAll(() => {
    workspace = buildWorkspace({ impl: 'reference', referenceStages: [] }, fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-api-')));
    const roots = referenceFiles.flatMap((file) => [kitPath(`labs/${file}`), path.join(workspace, 'labs', file)]);
    program = ts.createProgram(roots, { strict: true, noEmit: true, module: ts.ModuleKind.Node16, moduleResolution: ts.ModuleResolutionKind.Node16, target: ts.ScriptTarget.ES2022, types: ['node', 'jest'], skipLibCheck: true, esModuleInterop: true });
  });
  afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

  test.each(referenceFiles)('labs/%s', (file) => {
    const stub = program.getSourceFile(kitPath(`labs/${file}`));
    const reference = program.getSourceFile(path.join(workspace, 'labs', file));
    expect(stub).toBeDefined(); // every reference file has a stub twin under labs/
    const checker = program.getTypeChecker();
    const stubApi = describeExports(checker, stub!);
    expect(stubApi.length).toBeGreaterThan(0);
    expect(stubApi).toEqual(describeExports(checker, reference!));
  });
});
