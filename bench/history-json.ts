/**
 * Key/value histories as JSON, for benchmark fixtures and measurement scripts: Buffers as
 * latin1 text (`{"$latin1": "..."}`), an unknown outcome's infinite return as `"Infinity"`.
 *
 * @module
 */
import type { KvOperation } from '../labs/common/testkit/linearizability-kv-model';

function encodeValue(this: unknown, key: string, value: unknown): unknown {
  const original = (this as Record<string, unknown>)[key];
  if (Buffer.isBuffer(original)) return { $latin1: original.toString('latin1') };
  if (original === Number.POSITIVE_INFINITY) return 'Infinity';
  return value;
}

function decodeValue(_key: string, value: unknown): unknown {
  if (value === 'Infinity') return Number.POSITIVE_INFINITY;
  if (typeof value === 'object' && value !== null && '$latin1' in value) return Buffer.from((value as { $latin1: string }).$latin1, 'latin1');
  return value;
}

/** The history as one JSON text. */
export function historyToJson(history: readonly KvOperation[]): string {
  return JSON.stringify(history, encodeValue);
}

/** The history a {@link historyToJson} text holds. */
export function historyFromJson(text: string): KvOperation[] {
  return JSON.parse(text, decodeValue) as KvOperation[];
}
