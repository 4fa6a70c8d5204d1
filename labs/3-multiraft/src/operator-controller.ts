/**
 * The operator controller (provided; TinyKV's `schedule.OperatorController`): at most one
 * operator per region, handed out step by step in heartbeat responses, retired when done.
 *
 * @module
 */
import type { RegionHeartbeatResponse } from '../../common/scheduler/heartbeat';
import type { Operator } from './operator';
import { stepResponse } from './operator-step';
import type { RegionInfo } from './region-info';

/** How an operator left the controller. */
export type OperatorOutcome = 'finished' | 'timed-out' | 'stale';

/** One retired operator, for reports and tests. */
export interface RetiredOperator {
  readonly operator: Operator;
  readonly outcome: OperatorOutcome;
  /** When it was retired (virtual ms). */
  readonly atMs: number;
}

/**
 * Holds the running operators, one per region at most. Each accepted region heartbeat goes
 * through {@link OperatorController.dispatch}: the region's operator (if any) advances past the
 * steps the heartbeat shows done, and the answer is the step still to do. The same step is
 * answered again on every heartbeat until a heartbeat shows it done: a response can be lost, so
 * repeating is how it eventually gets through.
 */
export class OperatorController {
  private readonly running = new Map<number, Operator>();
  private readonly retiredOperators: RetiredOperator[] = [];

  /**
   * @param now - the clock (virtual ms).
   * @param operatorTimeoutMs - an operator older than this is given up.
   */
  constructor(
    private readonly now: () => number,
    private readonly operatorTimeoutMs: number,
  ) {}

  /**
   * Starts `operator` unless its region already has one running.
   *
   * @returns true when it was started.
   */
  addOperator(operator: Operator): boolean {
    if (this.running.has(operator.regionId)) return false;
    this.running.set(operator.regionId, operator);
    return true;
  }

  /** The operator running for `regionId`, if any. */
  getOperator(regionId: number): Operator | undefined {
    return this.running.get(regionId);
  }

  /** Every running operator, by region id. */
  runningOperators(): Operator[] {
    return [...this.running.entries()].sort(([a], [b]) => a - b).map(([, operator]) => operator);
  }

  /** Every retired operator, oldest first. */
  retired(): readonly RetiredOperator[] {
    return this.retiredOperators;
  }

  /**
   * Checks the region's operator against an accepted heartbeat and answers with the step to do.
   *
   * @returns the response for the region's leader, or undefined when there is nothing to do
   *   (no operator, it just finished or was dropped, or its new peer is still catching up).
   */
  dispatch(info: RegionInfo): RegionHeartbeatResponse | undefined {
    const operator = this.running.get(info.id);
    if (!operator) return undefined;
    if (operator.isStale(info)) return this.retire(operator, 'stale');
    const step = operator.check(info);
    if (!step) return this.retire(operator, 'finished');
    if (operator.isTimedOut(this.now(), this.operatorTimeoutMs)) return this.retire(operator, 'timed-out');
    return stepResponse(step, info);
  }

  private retire(operator: Operator, outcome: OperatorOutcome): undefined {
    this.running.delete(operator.regionId);
    this.retiredOperators.push({ operator, outcome, atMs: this.now() });
    return undefined;
  }
}
