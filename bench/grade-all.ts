/**
 * Batch grading throughput: `tinykv grade-all` over a folder of solved submissions (the
 * reference's editable files), two at a time, every stage by default. The row is submissions
 * graded per minute on this machine — what an instructor with a folder of repositories gets.
 * Every submission must score full marks, or the number means nothing and the section fails.
 *
 * `TINYKV_BENCH_SUBMISSIONS` (default 2) and `TINYKV_BENCH_STAGES` (default: every stage,
 * e.g. "1 4a") change the workload.
 *
 * @module
 */
import execa from 'execa';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { BenchRow } from './bench-row';

function kitRoot(): string {
  const root = process.env.TINYKV_KIT_ROOT;
  if (!root) throw new Error('bench/grade-all.ts runs from bench/main.ts, which sets TINYKV_KIT_ROOT.');
  return root;
}

/** Every editable file of every stage, as the grader's registry lists them. */
function editableFiles(root: string): string[] {
  const { STAGES } = require(path.join(root, 'grader/src/stages')) as typeof import('../grader/src/stages');
  return [...new Set(STAGES.flatMap((stage) => stage.editable))];
}

/** Grades N solved submissions with grade-all --parallel 2 and returns the rate. */
export async function run(): Promise<BenchRow[]> {
  const root = kitRoot();
  const count = Number(process.env.TINYKV_BENCH_SUBMISSIONS ?? 2);
  const stages = (process.env.TINYKV_BENCH_STAGES ?? '').split(/\s+/).filter((id) => id !== '');
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-bench-grade-all-'));
  try {
    const submissions = path.join(scratch, 'submissions');
    for (let i = 1; i <= count; i++) {
      for (const file of editableFiles(root)) {
        const target = path.join(submissions, `student-${i}`, ...file.split('/'));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.copyFileSync(path.join(root, 'reference', ...file.split('/').slice(1)), target);
      }
    }
    const reports = path.join(scratch, 'reports');
    const started = process.hrtime.bigint();
    const result = await execa(process.execPath, [path.join(root, 'bin/tinykv.js'), 'grade-all', submissions, ...stages, '--out', reports, '--parallel', '2'], { cwd: root, reject: false, env: { FORCE_COLOR: '0' } });
    const minutes = Number(process.hrtime.bigint() - started) / 6e10;
    if (result.exitCode !== 0) throw new Error(`grade-all failed:\n${result.stderr.slice(-2000)}`);
    const summary = JSON.parse(fs.readFileSync(path.join(reports, 'summary.json'), 'utf8')) as { students: { student: string; score: number; max_score: number }[] };
    const short = summary.students.filter((student) => student.score !== student.max_score);
    if (short.length > 0 || summary.students.length !== count) throw new Error(`grade-all did not give every solved submission full marks: ${JSON.stringify(summary.students)}`);
    const note = `${count} solved submissions, ${stages.length > 0 ? `stages ${stages.join(' ')}` : 'every stage'}, --parallel 2, ${os.cpus().length} cores`;
    return [
      { section: 'grade-all', name: 'submissions graded', value: count / minutes, unit: 'per min', note },
      { section: 'grade-all', name: 'one submission', value: (minutes * 60) / count, unit: 's', note: 'wall time per submission, amortised' },
    ];
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}
