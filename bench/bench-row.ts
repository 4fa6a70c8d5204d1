/**
 * One measured number of `npm run bench`.
 *
 * Every section of the benchmark (engine, raft, raftstore, txn, grader) returns rows of this
 * shape, so the printed table stays comparable from run to run: same sections, same names,
 * same units.
 *
 * @module
 */

/** A measurement: `value` in `unit`, optionally compared with a baseline measured in the same run. */
export interface BenchRow {
  /** The section, e.g. `engine/memory`. */
  readonly section: string;
  /** What was measured, e.g. `batch writes`. */
  readonly name: string;
  /** The measured rate or duration. */
  readonly value: number;
  /** The unit of `value`, e.g. `ops/s`, `rows/s`, `ms`. */
  readonly unit: string;
  /** The same work measured without the kit's layer (same unit), when there is such a baseline. */
  readonly baseline?: number;
  /** A short note: the workload, the target, what the baseline is. */
  readonly note?: string;
}

/** A benchmark section: runs its workloads and returns their rows. */
export type BenchSection = () => Promise<BenchRow[]> | BenchRow[];

/**
 * Times `work` (called `repetitions` times after one warm-up call) and returns the best
 * run's duration in milliseconds: the minimum is the most stable estimate on a busy machine.
 */
export function bestOfMs(repetitions: number, work: () => void): number {
  work();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repetitions; i++) {
    const started = process.hrtime.bigint();
    work();
    const elapsedMs = Number(process.hrtime.bigint() - started) / 1e6;
    best = Math.min(best, elapsedMs);
  }
  return best;
}
