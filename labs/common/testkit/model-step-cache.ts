/**
 * Model states by number, and what operations do to them remembered: the linearizability
 * search asks "does this read fit state s?" in every configuration it enters, and "which state
 * does this write lead to?" again whenever it comes back to a state; the answers never change.
 *
 * @module
 */
import type { HistoryOperation } from './history';
import type { LinearizabilityModel } from './linearizability-model';

/** The most answers remembered at once; past it the cache starts over (it is only a cache). */
const MAX_REMEMBERED_ANSWERS = 1_000_000;

/** What {@link ModelStepCache.writeNumber} returns, and a read's remembered verdict, when the output cannot happen (a state number is never negative). */
export const IMPOSSIBLE = -1;

/**
 * Gives each distinct model state a number (states with equal `stateKey` share one), and
 * remembers, per operation and state number, whether a read fits and which number a write
 * leads to (so that `stateKey` is computed once per transition, not once per visit).
 *
 * The numbers make the search's memo keys short. Only the keys are kept, not the states: a
 * search that meets millions of distinct states (concurrent appends tried in every order)
 * must not keep millions of model objects alive; the search holds the states of its path.
 *
 * @example
 * ```ts
 * const states = new ModelStepCache(kvModel, operations);
 * const empty = kvModel.init();
 * const initial = states.numberOf(empty);
 * states.readFits(initial, empty, 0); // does operation 0, a read, fit the empty store?
 * const next = states.writeNumber(initial, empty, 1); // operation 1, a write: the number after it
 * if (next !== IMPOSSIBLE) states.stateAfter(initial, empty, 1);
 * ```
 */
export class ModelStepCache<TState, TInput, TOutput> {
  private readonly numberOfKey = new Map<string, number>();
  /**
   * Per operation: state number → the number after it (a write), the same number or
   * {@link IMPOSSIBLE} (a read). Small integer keys: nothing is allocated per key.
   */
  private readonly answers: (Map<number, number> | undefined)[];
  /**
   * Per operation, its first remembered answer, kept inline: most operations are asked about
   * in one state only, and a Map per operation would cost more than the answer saves.
   */
  private readonly firstState: Int32Array;
  private readonly firstAnswer: Int32Array;
  private rememberedAnswers = 0;
  /** The last step computed by {@link writeNumber}, so that {@link stateAfter} does not run it again. */
  private lastStep: { readonly stateNumber: number; readonly operation: number; readonly after: TState | undefined } = { stateNumber: -1, operation: -1, after: undefined };

  /**
   * @param model - the specification.
   * @param operations - the partition's operations (indexes are theirs).
   */
  constructor(
    private readonly model: LinearizabilityModel<TState, TInput, TOutput>,
    private readonly operations: readonly HistoryOperation<TInput, TOutput>[],
  ) {
    this.answers = new Array<Map<number, number> | undefined>(operations.length).fill(undefined);
    this.firstState = new Int32Array(operations.length).fill(-1);
    this.firstAnswer = new Int32Array(operations.length);
  }

  /** How many distinct states have been numbered. */
  get stateCount(): number {
    return this.numberOfKey.size;
  }

  /** The number of `state`: the same for every state with the same `stateKey`. */
  numberOf(state: TState): number {
    const key = this.model.stateKey(state);
    const known = this.numberOfKey.get(key);
    if (known !== undefined) return known;
    const fresh = this.numberOfKey.size;
    this.numberOfKey.set(key, fresh);
    return fresh;
  }

  /**
   * The number of the state after `operation` (which changes the state) in `state` (numbered
   * `stateNumber`), or {@link IMPOSSIBLE} when the operation's output cannot happen there. An
   * operation with unknown outcome accepts any output. The model runs once per (state,
   * operation); the search asks for the state itself ({@link stateAfter}) only when the
   * configuration it leads to is new.
   */
  writeNumber(stateNumber: number, state: TState, operation: number): number {
    const remembered = this.recall(operation, stateNumber);
    if (remembered !== undefined) return remembered;
    const after = this.step(state, operation);
    const number = after === undefined ? IMPOSSIBLE : this.numberOf(after);
    this.remember(operation, stateNumber, number);
    this.lastStep = { stateNumber, operation, after };
    return number;
  }

  /**
   * The state after `operation` in `state` (numbered `stateNumber`), when
   * {@link writeNumber} said it is possible.
   */
  stateAfter(stateNumber: number, state: TState, operation: number): TState {
    const last = this.lastStep;
    const after = last.stateNumber === stateNumber && last.operation === operation ? last.after : this.step(state, operation);
    if (after === undefined) throw new Error(`ModelStepCache.stateAfter: operation ${this.operations[operation].id} is impossible in this state; ask writeNumber first.`);
    return after;
  }

  /**
   * Whether the read-only `operation`'s output fits `state` (numbered `stateNumber`).
   *
   * @throws Error when its step returned a different state (the model's `isReadOnly` and
   *   `step` disagree).
   */
  readFits(stateNumber: number, state: TState, operation: number): boolean {
    const remembered = this.recall(operation, stateNumber);
    if (remembered !== undefined) return remembered !== IMPOSSIBLE;
    const after = this.step(state, operation);
    if (after !== undefined && after !== state) {
      throw new Error(`The model says operation ${this.operations[operation].id} is read-only, but its step returned a new state; return the state itself.`);
    }
    this.remember(operation, stateNumber, after === undefined ? IMPOSSIBLE : stateNumber);
    return after !== undefined;
  }

  private step(state: TState, operation: number): TState | undefined {
    const { input, outcome, output } = this.operations[operation];
    return this.model.step(state, input, outcome === 'ok' ? output : undefined);
  }

  private recall(operation: number, stateNumber: number): number | undefined {
    if (this.firstState[operation] === stateNumber) return this.firstAnswer[operation];
    return this.answers[operation]?.get(stateNumber);
  }

  private remember(operation: number, stateNumber: number, answer: number): void {
    if (this.rememberedAnswers >= MAX_REMEMBERED_ANSWERS) {
      this.answers.fill(undefined);
      this.firstState.fill(-1);
      this.rememberedAnswers = 0;
    }
    this.rememberedAnswers++;
    if (this.firstState[operation] === -1) {
      this.firstState[operation] = stateNumber;
      this.firstAnswer[operation] = answer;
      return;
    }
    let answers = this.answers[operation];
    if (answers === undefined) {
      answers = new Map();
      this.answers[operation] = answers;
    }
    answers.set(stateNumber, answer);
  }
}
