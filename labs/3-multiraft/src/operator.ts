/**
 * Operators: a planned change of one region, as a list of steps (provided; TinyKV's
 * `operator.Operator`).
 *
 * @module
 */
import type { RegionEpoch } from '../../common/raftstore/region';
import type { RegionInfo } from './region-info';
import { describeStep, isStepDone, type OperatorStep } from './operator-step';

/**
 * A change of one region, done one step at a time. The operator controller hands the current
 * step to the region's leader in heartbeat responses; each heartbeat is checked against the
 * steps, and the operator advances past every step the heartbeat shows done.
 *
 * @example
 * ```ts
 * const op = createMovePeerOperator('balance-region', info, 1, 4, cluster.allocPeer(4).id);
 * op.steps;                 // add peer on 4, (transfer leader,) remove peer on 1
 * op.check(laterInfo);      // the step still to do, or undefined once finished
 * ```
 */
export class Operator {
  private nextStep = 0;

  /**
   * @param description - who made it and why (`balance-region`), for reports.
   * @param regionId - the region it changes.
   * @param regionEpoch - the region's epoch when it was planned.
   * @param steps - the steps, in order (at least one).
   * @param createdAtMs - when it was made (virtual ms), for the timeout.
   * @throws Error when there are no steps.
   */
  constructor(
    readonly description: string,
    readonly regionId: number,
    readonly regionEpoch: RegionEpoch,
    readonly steps: readonly OperatorStep[],
    readonly createdAtMs: number,
  ) {
    if (steps.length === 0) throw new Error(`Operator ${description} for region ${regionId} has no steps.`);
  }

  /** The step to do next, or undefined when the operator is finished. */
  currentStep(): OperatorStep | undefined {
    return this.steps[this.nextStep];
  }

  /** True once every step is done. */
  isFinished(): boolean {
    return this.nextStep >= this.steps.length;
  }

  /**
   * Advances past every step that `info` shows done (in order: a later step never counts before
   * an earlier one).
   *
   * @returns the step still to do, or undefined when the operator is finished.
   */
  check(info: RegionInfo): OperatorStep | undefined {
    while (!this.isFinished() && isStepDone(this.steps[this.nextStep], info)) this.nextStep++;
    return this.currentStep();
  }

  /**
   * True when the region changed shape since the operator was planned (a split or merge raised
   * its version): the plan no longer fits, so it should be dropped. Conf-version changes are
   * expected: the operator's own steps make them.
   */
  isStale(info: RegionInfo): boolean {
    return info.epoch.version !== this.regionEpoch.version;
  }

  /** True when the operator is older than `timeoutMs` at `nowMs`. */
  isTimedOut(nowMs: number, timeoutMs: number): boolean {
    return nowMs - this.createdAtMs >= timeoutMs;
  }

  /** One line: `balance-region region 2: add peer 7@4, remove peer 3@1 (step 1 of 2)`. */
  describe(): string {
    const progress = this.isFinished() ? 'finished' : `step ${this.nextStep + 1} of ${this.steps.length}`;
    return `${this.description} region ${this.regionId}: ${this.steps.map(describeStep).join(', ')} (${progress})`;
  }
}
