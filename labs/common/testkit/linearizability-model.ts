/**
 * The sequential specification a history is checked against by the linearizability checker.
 *
 * @module
 */
import type { HistoryOperation } from './history';

/**
 * The sequential specification the history is checked against.
 *
 * @typeParam TState - the model's state; treated as immutable (`step` returns a new one).
 *
 * @example
 * ```ts
 * const register: LinearizabilityModel<string | undefined, { write?: string }, string | undefined> = {
 *   init: () => undefined,
 *   step: (state, input, output) => (input.write !== undefined ? input.write : output === undefined || output === state ? state : undefined),
 *   stateKey: (state) => state ?? '',
 *   isReadOnly: (input) => input.write === undefined,
 * };
 * ```
 */
export interface LinearizabilityModel<TState, TInput, TOutput> {
  /** The state before any operation. */
  init(): TState;
  /**
   * Applies one operation to `state` and says whether `output` is what the specification
   * allows. `output` is `undefined` for an operation with unknown outcome: accept any result
   * and apply its effect.
   *
   * @returns the next state, or `undefined` when the output is impossible from `state`.
   */
  step(state: TState, input: TInput, output: TOutput | undefined): TState | undefined;
  /** A string that is equal for two states exactly when they are equal (the memoization key). */
  stateKey(state: TState): string;
  /**
   * True for an input that never changes the state (a read): `step` then returns `state`
   * itself or `undefined`. Optional, and worth giving: the checker drops reads with unknown
   * outcome (they constrain nothing) and linearizes a read that fits as soon as it may,
   * without trying other orders, which is always safe for an operation that changes nothing.
   */
  isReadOnly?(input: TInput): boolean;
  /**
   * Leaves out operations with unknown outcome that no known output could show: the history
   * returned must be linearizable exactly when the one given is. Optional; the checker calls
   * it after leaving out reads with unknown outcome and before `partition`. Each operation
   * left out saves the search from trying it at every point after its invocation.
   */
  withoutUnobservableOperations?(operations: readonly HistoryOperation<TInput, TOutput>[]): HistoryOperation<TInput, TOutput>[];
  /**
   * Splits a history into independent sub-histories that can be checked separately (by key
   * for single-key operations). Omit it, or return one part, when that is not sound.
   */
  partition?(operations: readonly HistoryOperation<TInput, TOutput>[]): HistoryOperation<TInput, TOutput>[][];
  /** One line describing an operation, for reports. */
  describe?(operation: HistoryOperation<TInput, TOutput>): string;
}
