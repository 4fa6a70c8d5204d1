/**
 * The error every stub throws until a student implements it.
 *
 * @module
 */

/** Thrown by a stub: names the stage, the function and the handout section to read. */
export class NotImplementedError extends Error {
  /**
   * @param stage - the stage tag, e.g. `2AA`.
   * @param what - the function or method, e.g. `Raft.tick`.
   * @param handout - where to read about it, e.g. `labs/2a-raft/README.md#ticks-and-steps`.
   */
  constructor(
    readonly stage: string,
    readonly what: string,
    readonly handout: string,
  ) {
    super(`Not implemented (${stage}): ${what}. Read ${handout} and replace this throw with your code.`);
    this.name = 'NotImplementedError';
  }
}
