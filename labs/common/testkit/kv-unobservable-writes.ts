/**
 * Leaving out of a key/value history the writes with unknown outcome that nothing could see.
 *
 * @module
 */
import type { KvOperation } from './linearizability-kv-model';

/** `key=value` in latin1, with the key's length first so that no two pairs share a name. */
function pairName(key: Buffer, value: Buffer): string {
  return `${key.length}:${key.toString('latin1')}=${value.toString('latin1')}`;
}

/**
 * The history without the puts with unknown outcome whose value no known answer shows: the
 * result is linearizable exactly when the history is.
 *
 * Why: a put of `v` to `k` that may or may not have taken effect. If a linearization places
 * it, take it out: the state differs only in `k`, from the put until the next put or delete
 * of `k`, and in that window no get of `k` and no scan covering `k` can be placed, since in
 * the original each would have shown `k = v` (a scan with a limit that cut `k` off shows the
 * same pairs either way), and no answer shows `k = v`. Every other answer is the same. The
 * converse is the definition: an unknown put may never take effect. Appends read the value
 * they extend, so a key with any append keeps its puts.
 *
 * Timed-out puts are common under partitions (a leader cut off never commits them), and each
 * one would otherwise be tried at every point after its invocation: on the 2B scenarios this
 * takes the costliest correct history from half a million search steps to a few hundred.
 *
 * @param operations - a history (reads with unknown outcome may already be left out).
 * @returns the operations kept, in their order.
 *
 * @example
 * ```ts
 * withoutUnobservableWrites(history).length; // the history minus lost puts nobody read
 * ```
 */
export function withoutUnobservableWrites(operations: readonly KvOperation[]): KvOperation[] {
  const shown = new Set<string>();
  const appended = new Set<string>();
  for (const operation of operations) {
    if (operation.input.kind === 'append') appended.add(operation.input.key.toString('latin1'));
    const output = operation.outcome === 'ok' ? operation.output : undefined;
    if (output?.kind === 'get' && output.value !== undefined && operation.input.kind === 'get') shown.add(pairName(operation.input.key, output.value));
    if (output?.kind === 'scan') for (const pair of output.pairs) shown.add(pairName(pair.key, pair.value));
  }
  return operations.filter((operation) => {
    const input = operation.input;
    if (operation.outcome !== 'unknown' || input.kind !== 'put') return true;
    return appended.has(input.key.toString('latin1')) || shown.has(pairName(input.key, input.value));
  });
}
