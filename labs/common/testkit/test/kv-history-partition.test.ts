// Goal: a key/value history is split into parts that can be checked one by one: by key, with
// every key of a scan's range in the scan's part, and nothing joined that need not be.
// Method: hand-made histories with known parts, then random histories of gets, puts and
// ranged scans, where every part must be closed (each scan's part holds every operation on a
// key of its range) and minimal (two keys share a part only if scans chain them).
import { createRng } from '../../runtime/rng';
import { partitionKvHistory } from '../kv-history-partition';
import type { KvInput, KvOperation } from '../linearizability-kv-model';
import { forEachSeed } from '../seeds';

const b = (text: string) => Buffer.from(text, 'latin1');
let nextId = 1;
function operation(input: KvInput): KvOperation {
  const id = nextId++;
  return { id, clientId: id, input, invokeMs: id, returnMs: id, outcome: 'ok', output: input.kind === 'get' ? { kind: 'get', value: undefined } : input.kind === 'scan' ? { kind: 'scan', pairs: [] } : { kind: 'write' } };
}
const get = (key: string) => operation({ kind: 'get', key: b(key) });
const scan = (start: string, end?: string, limit?: number) => operation({ kind: 'scan', startKey: b(start), endKey: end === undefined ? undefined : b(end), limit });
const ids = (parts: KvOperation[][]) => parts.map((part) => part.map((op) => op.id));

function keysOf(op: KvOperation, keys: readonly string[]): string[] {
  if (op.input.kind !== 'scan') return [op.input.key.toString('latin1')];
  const start = op.input.startKey.toString('latin1');
  const end = op.input.endKey && op.input.endKey.length > 0 ? op.input.endKey.toString('latin1') : undefined;
  return keys.filter((key) => key >= start && (end === undefined || key < end));
}

describe('partitionKvHistory', () => {
  test('splits single-key operations by key, ordered by key', () => {
    const [a1, b1, a2] = [get('a'), get('b'), get('a')];
    expect(ids(partitionKvHistory([b1, a1, a2]))).toEqual([[a1.id, a2.id], [b1.id]]);
  });

  test('joins the keys of a scan\'s range, limit or not, and chains scans that share a key', () => {
    const ops = [get('a'), get('b'), get('c'), get('d'), get('e'), scan('a', 'c'), scan('b', 'd', 1), scan('e')];
    const [a, bb, c, d, e, ab, bc, fromE] = ops;
    expect(ids(partitionKvHistory(ops))).toEqual([[a.id, bb.id, c.id, ab.id, bc.id], [d.id], [e.id, fromE.id]]);
  });

  test('puts a whole-range scan with everything, and scans over no key apart', () => {
    const ops = [get('a'), get('b'), scan(''), scan('x', 'y'), scan('c', 'b')];
    const [a, bb, all, xy, empty] = ops;
    expect(ids(partitionKvHistory(ops))).toEqual([[a.id, bb.id, all.id], [xy.id, empty.id]]);
  });

  test('gives closed, minimal parts on random histories', () =>
    forEachSeed(20, (seed) => {
      const rng = createRng(seed);
      const alphabet = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
      const ops = Array.from({ length: 40 }, () =>
        rng.chance(0.15) ? scan(rng.pick(['', ...alphabet]), rng.pick(['', ...alphabet])) : get(rng.pick(alphabet)),
      );
      const keys = [...new Set(ops.filter((op) => op.input.kind !== 'scan').map((op) => (op.input as { key: Buffer }).key.toString('latin1')))].sort();
      const parts = partitionKvHistory(ops);
      expect(parts.flat().map((op) => op.id).sort((x, y) => x - y)).toEqual(ops.map((op) => op.id));
      const partOf = new Map(parts.flatMap((part, index) => part.map((op) => [op, index] as const)));
      // Closed: every operation on a key an operation touches is in that operation's part.
      for (const op of ops) for (const key of keysOf(op, keys)) for (const other of ops) if (other.input.kind !== 'scan' && keysOf(other, keys)[0] === key) expect(partOf.get(other)).toBe(partOf.get(op));
      // Minimal: within a part, keys are chained by scans (a union-find over scans' key sets).
      const root = new Map(keys.map((key) => [key, key]));
      const find = (key: string): string => (root.get(key) === key ? key : find(root.get(key) as string));
      for (const op of ops) {
        const touched = keysOf(op, keys);
        for (const key of touched.slice(1)) root.set(find(key), find(touched[0]));
      }
      for (const part of parts) expect(new Set(part.flatMap((op) => keysOf(op, keys)).map(find)).size).toBeLessThanOrEqual(1);
    }));
});
