/**
 * Provided code (do not edit): turning a caught failure into the `error` text of a response.
 *
 * @module
 */

/**
 * The sentence a raw handler puts in its response's `error` field when the storage failed.
 *
 * @param operation - the handler, e.g. `RawPut`.
 * @param failure - whatever was caught (usually an `Error`).
 * @returns a full sentence naming the operation and the cause.
 *
 * @example
 * ```ts
 * try { ... } catch (failure) { return { error: describeFailure('RawPut', failure) }; }
 * ```
 */
export function describeFailure(operation: string, failure: unknown): string {
  const cause = failure instanceof Error ? failure.message : String(failure);
  return `${operation} failed in the storage: ${cause}`;
}
