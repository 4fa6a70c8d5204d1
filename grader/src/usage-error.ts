/**
 * The error for bad command-line input: the CLI prints its message on one line and exits 2.
 *
 * @module
 */

/** A mistake in how the command was called (unknown stage, bad flag value). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
