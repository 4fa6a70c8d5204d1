/**
 * `npm run bench`: every benchmark section, one table, comparable run to run.
 *
 * Benchmarks measure the reference implementation, so this script first builds the reference
 * workspace (labs/ with reference/ over it, see grader/src/workspace.ts), copies bench/ into
 * it, and runs itself there. Sections and row names stay fixed so that two runs' tables can be
 * compared line by line. Numbers are best-of-N wall-clock rates on this machine; they are
 * reported, never asserted.
 *
 * @module
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchRow, BenchSection } from './bench-row';

const WORKSPACE_ENV = 'TINYKV_BENCH_WORKSPACE';

/** The sections, in print order; each file exports `run`. */
const SECTION_FILES = ['engine', 'sim', 'linearizability', 'raft', 'raftstore', 'snapshots', 'txn', 'grader', 'grade-all', 'student-loop'];

function formatNumber(value: number): string {
  if (value >= 100) return Math.round(value).toLocaleString('en-US');
  return value.toFixed(2);
}

function printRows(rows: readonly BenchRow[]): void {
  const header = ['section', 'measure', 'value', 'unit', 'raw library', 'ratio', 'note'];
  const body = rows.map((row) => [
    row.section,
    row.name,
    formatNumber(row.value),
    row.unit,
    row.baseline !== undefined ? formatNumber(row.baseline) : '',
    // For rates, raw/ours is the cost factor of our layer (1.30 = 30% slower than the raw library).
    row.baseline !== undefined && row.value > 0 ? (row.baseline / row.value).toFixed(2) : '',
    row.note ?? '',
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...body.map((cells) => cells[column].length)));
  const line = (cells: string[]) => cells.map((cell, column) => (column === 2 || column === 4 || column === 5 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ');
  console.log(line(header));
  console.log(widths.map((width) => '-'.repeat(width)).join('  '));
  for (const cells of body) console.log(line(cells));
}

async function runSections(selected: readonly string[]): Promise<void> {
  console.log(`tinykv-ts benchmarks — node ${process.version}, ${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown cpu'}`);
  const rows: BenchRow[] = [];
  for (const name of selected) {
    const section = require(path.join(__dirname, name)) as { run: BenchSection };
    rows.push(...(await section.run()));
  }
  printRows(rows);
}

async function main(): Promise<void> {
  const requested = process.argv.slice(2);
  const unknown = requested.filter((name) => !SECTION_FILES.includes(name));
  if (unknown.length > 0) {
    console.error(`Unknown benchmark section(s): ${unknown.join(', ')}. Sections: ${SECTION_FILES.join(', ')}.`);
    process.exitCode = 2;
    return;
  }
  const selected = requested.length > 0 ? requested : SECTION_FILES;
  if (process.env[WORKSPACE_ENV]) return runSections(selected);

  // Not yet inside the reference workspace: build it and rerun this script there.
  const kitRoot = path.resolve(__dirname, '..');
  if (!fs.existsSync(path.join(kitRoot, 'reference'))) {
    console.error('The benchmarks measure the reference solutions, which the student edition does not ship: run them in the instructor edition.');
    process.exitCode = 2;
    return;
  }
  const { buildWorkspace } = require(path.join(kitRoot, 'grader/src/workspace')) as typeof import('../grader/src/workspace');
  const execa = require('execa') as typeof import('execa');
  const workspace = buildWorkspace({ impl: 'reference', referenceStages: [] }, path.join(kitRoot, '.tinykv', 'work', 'bench'));
  fs.cpSync(path.join(kitRoot, 'bench'), path.join(workspace, 'bench'), { recursive: true });
  const result = await execa(process.execPath, [path.join(kitRoot, 'bin', 'run-ts.js'), path.join(workspace, 'bench', 'main.ts'), ...selected], {
    stdio: 'inherit',
    reject: false,
    env: { [WORKSPACE_ENV]: workspace, TINYKV_KIT_ROOT: kitRoot },
  });
  process.exitCode = result.exitCode ?? 1;
}

void main();
