/**
 * The key/value model for the linearizability checker: get, put, append, delete and scan.
 *
 * @module
 */
import type { HistoryOperation } from './history';
import { partitionKvHistory } from './kv-history-partition';
import { withoutUnobservableWrites } from './kv-unobservable-writes';
import { checkLinearizability, type LinearizabilityModel, type LinearizabilityOptions, type LinearizabilityResult } from './linearizability';

/** A client operation on the store. Keys and values are bytes. */
export type KvInput =
  | { readonly kind: 'get'; readonly key: Buffer }
  | { readonly kind: 'put'; readonly key: Buffer; readonly value: Buffer }
  /** TinyKV's test clients append to a value: the new value is the old one (or empty) followed by `value`. */
  | { readonly kind: 'append'; readonly key: Buffer; readonly value: Buffer }
  | { readonly kind: 'delete'; readonly key: Buffer }
  /**
   * The pairs with `startKey <= key < endKey` in key order (an absent or empty `endKey`
   * means "to the end"), at most `limit` of them when a limit is given.
   */
  | { readonly kind: 'scan'; readonly startKey: Buffer; readonly endKey?: Buffer; readonly limit?: number };

/** What an operation returned: a get's value (`undefined` when absent), a write's acknowledgement, a scan's pairs. */
export type KvOutput =
  | { readonly kind: 'get'; readonly value: Buffer | undefined }
  | { readonly kind: 'write' }
  | { readonly kind: 'scan'; readonly pairs: readonly { readonly key: Buffer; readonly value: Buffer }[] };

/** One operation of a key/value history. */
export type KvOperation = HistoryOperation<KvInput, KvOutput>;

/** The model's state: latin1 key → latin1 value, never mutated (each write makes a new map). */
export type KvModelState = ReadonlyMap<string, string>;

function text(bytes: Buffer): string {
  return bytes.toString('latin1');
}

function printable(bytes: Buffer | undefined): string {
  if (bytes === undefined) return '(absent)';
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) return `0x${bytes.toString('hex')}`;
  return JSON.stringify(bytes.toString('latin1'));
}

function withValue(state: KvModelState, key: string, value: string | undefined): KvModelState {
  const next = new Map(state);
  if (value === undefined) next.delete(key);
  else next.set(key, value);
  return next;
}

function scanOf(state: KvModelState, input: Extract<KvInput, { kind: 'scan' }>): [string, string][] {
  const start = text(input.startKey);
  const end = input.endKey !== undefined && input.endKey.length > 0 ? text(input.endKey) : undefined;
  // Latin1 strings compare with < exactly as their bytes compare with memcmp.
  const pairs = [...state.entries()].filter(([key]) => key >= start && (end === undefined || key < end)).sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
  return input.limit !== undefined ? pairs.slice(0, input.limit) : pairs;
}

function sameScan(expected: [string, string][], actual: readonly { key: Buffer; value: Buffer }[]): boolean {
  if (expected.length !== actual.length) return false;
  return expected.every(([key, value], index) => key === text(actual[index].key) && value === text(actual[index].value));
}

/**
 * Describes an operation in one line.
 *
 * @example
 * ```ts
 * describeKvOperation(operation); // 'op 7 client 2 [120 ms, 135 ms]: put "k1" "v3" -> ok'
 * ```
 */
export function describeKvOperation(operation: KvOperation): string {
  const input = operation.input;
  const asked =
    input.kind === 'scan'
      ? `scan [${printable(input.startKey)}, ${input.endKey && input.endKey.length > 0 ? printable(input.endKey) : 'end'})${input.limit !== undefined ? ` limit ${input.limit}` : ''}`
      : input.kind === 'get' || input.kind === 'delete'
        ? `${input.kind} ${printable(input.key)}`
        : `${input.kind} ${printable(input.key)} ${printable(input.value)}`;
  const output = operation.output;
  const answered =
    operation.outcome === 'unknown' || output === undefined
      ? 'unknown outcome'
      : output.kind === 'get'
        ? printable(output.value)
        : output.kind === 'scan'
          ? `[${output.pairs.map((pair) => `${printable(pair.key)}=${printable(pair.value)}`).join(', ')}]`
          : 'ok';
  const interval = `[${operation.invokeMs} ms, ${operation.outcome === 'ok' ? `${operation.returnMs} ms` : 'no reply'}]`;
  return `op ${operation.id} client ${operation.clientId} ${interval}: ${asked} -> ${answered}`;
}

/**
 * The sequential key/value store every history is checked against.
 *
 * Partitioning: by key, where scans allow it ({@link partitionKvHistory}): each key is an
 * independent register (P-compositionality), except that a scan reads all the keys of its
 * range at one instant, so those keys are checked together against the whole-store model.
 * Gets and scans are read-only: with unknown outcome they are left out of the check, and so
 * are puts with unknown outcome whose value no answer shows ({@link withoutUnobservableWrites}).
 *
 * A mismatched output kind (a get answered with a scan) is never allowed.
 *
 * @example
 * ```ts
 * const verdict = checkLinearizability(operations, kvModel, { maxSteps: 5_000_000 });
 * ```
 */
export const kvModel: LinearizabilityModel<KvModelState, KvInput, KvOutput> = {
  init: () => new Map(),
  step(state, input, output) {
    switch (input.kind) {
      case 'get': {
        if (output === undefined) return state;
        if (output.kind !== 'get') return undefined;
        const stored = state.get(text(input.key));
        const got = output.value === undefined ? undefined : text(output.value);
        return stored === got ? state : undefined;
      }
      case 'put':
        if (output !== undefined && output.kind !== 'write') return undefined;
        return withValue(state, text(input.key), text(input.value));
      case 'append':
        if (output !== undefined && output.kind !== 'write') return undefined;
        return withValue(state, text(input.key), (state.get(text(input.key)) ?? '') + text(input.value));
      case 'delete':
        if (output !== undefined && output.kind !== 'write') return undefined;
        return withValue(state, text(input.key), undefined);
      case 'scan':
        if (output === undefined) return state;
        if (output.kind !== 'scan') return undefined;
        return sameScan(scanOf(state, input), output.pairs) ? state : undefined;
    }
  },
  stateKey(state) {
    // Sorted pairs, each part prefixed with its length: equal keys mean equal maps, whatever bytes they hold.
    const keys = [...state.keys()].sort();
    let key = '';
    for (const name of keys) {
      const value = state.get(name) as string;
      key += `${name.length}:${name}${value.length}:${value}`;
    }
    return key;
  },
  isReadOnly: (input) => input.kind === 'get' || input.kind === 'scan',
  withoutUnobservableOperations: withoutUnobservableWrites,
  partition: partitionKvHistory,
  describe: describeKvOperation,
};

/**
 * Checks a key/value history with {@link kvModel}.
 *
 * @param history - the operations (from `HistoryRecorder.operations()`).
 * @param options - the search budget.
 * @returns the verdict; `unknown` (budget exhausted) must fail a test.
 *
 * @example
 * ```ts
 * const verdict = checkKvLinearizability(recorder.operations());
 * expect(verdict.result).toBe('ok');
 * ```
 */
export function checkKvLinearizability(history: readonly KvOperation[], options: LinearizabilityOptions = {}): LinearizabilityResult<KvInput, KvOutput> {
  return checkLinearizability(history, kvModel, options);
}

/**
 * Checks a key/value history and throws unless it is proven linearizable: the one-line
 * assertion for cluster tests. A budget that runs out fails too.
 *
 * @throws Error with the checker's explanation when the verdict is `illegal` or `unknown`.
 *
 * @example
 * ```ts
 * await runtime.runUntil(Promise.all(clients.map((client) => client.run())), { maxVirtualMs: 60_000 });
 * assertKvLinearizable(recorder.operations());
 * ```
 */
export function assertKvLinearizable(history: readonly KvOperation[], options: LinearizabilityOptions = {}): void {
  const verdict = checkKvLinearizability(history, options);
  if (verdict.result !== 'ok') throw new Error(verdict.explanation);
}
