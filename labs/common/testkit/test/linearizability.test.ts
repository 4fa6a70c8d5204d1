// Goal: the linearizability checker accepts every linearizable key/value history and rejects
// non-linearizable ones, handles overlapping operations, unknown outcomes, TinyKV-style
// appends, deletes and scans, reports the operations it could not order, and answers
// `unknown` (not a pass) when its budget runs out.
// Method: hand-made histories with known verdicts, then seeded random histories built from a
// sequential run (linearizable by construction) and the same histories with one read corrupted.
import { createRng, type Rng } from '../../runtime/rng';
import { forEachSeed } from '../seeds';
import { checkLinearizability, formatLinearizabilityResult, type LinearizabilityModel } from '../linearizability';
import { assertKvLinearizable, checkKvLinearizability, kvModel, type KvInput, type KvOperation, type KvOutput } from '../linearizability-kv-model';

const b = (text: string) => Buffer.from(text);
const get = (key: string): KvInput => ({ kind: 'get', key: b(key) });
const put = (key: string, value: string): KvInput => ({ kind: 'put', key: b(key), value: b(value) });
const append = (key: string, value: string): KvInput => ({ kind: 'append', key: b(key), value: b(value) });
const del = (key: string): KvInput => ({ kind: 'delete', key: b(key) });
const scan = (startKey: string, endKey?: string, limit?: number): KvInput => ({ kind: 'scan', startKey: b(startKey), endKey: endKey === undefined ? undefined : b(endKey), limit });
const got = (value?: string): KvOutput => ({ kind: 'get', value: value === undefined ? undefined : b(value) });
const done: KvOutput = { kind: 'write' };
const pairs = (...entries: [string, string][]): KvOutput => ({ kind: 'scan', pairs: entries.map(([key, value]) => ({ key: b(key), value: b(value) })) });

/** Builds a history; `returnMs: undefined` means unknown outcome. */
function history(...operations: (readonly [client: number, input: KvInput, invokeMs: number, returnMs: number | undefined, output?: KvOutput])[]): KvOperation[] {
  return operations.map(([clientId, input, invokeMs, returnMs, output], index) =>
    returnMs === undefined
      ? { id: index + 1, clientId, input, invokeMs, returnMs: Number.POSITIVE_INFINITY, outcome: 'unknown' }
      : { id: index + 1, clientId, input, invokeMs, returnMs, outcome: 'ok', output },
  );
}

const verdictOf = (operations: KvOperation[]) => checkKvLinearizability(operations).result;

describe('linearizability checker (key/value model)', () => {
  test('accepts a sequential history that matches the store', () => {
    const operations = history([1, put('x', '1'), 0, 10, done], [1, get('x'), 20, 30, got('1')], [2, get('y'), 40, 50, got()]);
    const verdict = checkKvLinearizability(operations);
    expect(verdict.result).toBe('ok');
    expect(verdict.partitionCount).toBe(2);
    expect(formatLinearizabilityResult(verdict)).toMatch(/^Linearizable: 3 operations in 2 partitions/);
  });

  test('rejects a stale read after a write completed, and names the read it could not order', () => {
    const operations = history([1, put('x', '1'), 0, 10, done], [1, put('x', '2'), 20, 30, done], [2, get('x'), 40, 50, got('1')]);
    const verdict = checkKvLinearizability(operations);
    expect(verdict.result).toBe('illegal');
    if (verdict.result !== 'illegal') return;
    expect(verdict.longestLinearizedPrefix.map((operation) => operation.id)).toEqual([1, 2]);
    expect(verdict.unorderedOperations.map((operation) => operation.id)).toEqual([3]);
    expect(verdict.explanation).toMatch(/op 3 client 2 \[40 ms, 50 ms\]: get "x" -> "1"/);
    expect(() => assertKvLinearizable(operations)).toThrow(/not linearizable/);
  });

  test('lets a read overlapping a write see either value, but never the old one after a newer read saw the new', () => {
    const overlapping = history([1, put('x', '1'), 0, 100, done], [2, get('x'), 10, 20, got()], [2, get('x'), 30, 40, got('1')]);
    expect(verdictOf(overlapping)).toBe('ok');
    const flipFlop = history(
      [1, put('x', '1'), 0, 100, done],
      [2, get('x'), 10, 20, got('1')],
      [2, get('x'), 30, 40, got()],
    );
    expect(verdictOf(flipFlop)).toBe('illegal');
  });

  test('treats operations that only touch at the same millisecond as concurrent', () => {
    expect(verdictOf(history([1, put('x', '1'), 0, 10, done], [2, get('x'), 10, 20, got()]))).toBe('ok');
    expect(verdictOf(history([1, put('x', '1'), 0, 10, done], [2, get('x'), 11, 20, got()]))).toBe('illegal');
  });

  test('checks TinyKV-style appends: concurrent appends in either order, each applied exactly once', () => {
    const base = [
      [1, append('k', 'x 1 0 y'), 0, 10, done],
      [2, append('k', 'x 2 0 y'), 5, 15, done],
    ] as const;
    expect(verdictOf(history(...base, [3, get('k'), 20, 25, got('x 2 0 yx 1 0 y')]))).toBe('ok');
    expect(verdictOf(history(...base, [3, get('k'), 20, 25, got('x 1 0 yx 2 0 y')]))).toBe('ok');
    expect(verdictOf(history(...base, [3, get('k'), 20, 25, got('x 1 0 y')]))).toBe('illegal');
    expect(verdictOf(history(...base, [3, get('k'), 20, 25, got('x 1 0 yx 1 0 yx 2 0 y')]))).toBe('illegal');
  });

  test('an operation with unknown outcome may take effect late or never, but only once', () => {
    expect(verdictOf(history([1, put('x', '1'), 0, undefined], [2, get('x'), 10, 20, got()], [2, get('x'), 500, 510, got('1')]))).toBe('ok');
    expect(verdictOf(history([1, put('x', '1'), 0, undefined], [2, get('x'), 10, 20, got()]))).toBe('ok');
    expect(verdictOf(history([1, put('x', '1'), 0, undefined], [2, get('x'), 10, 20, got('1')], [2, get('x'), 30, 40, got()]))).toBe('illegal');
    expect(verdictOf(history([1, append('x', 'a'), 0, undefined], [2, get('x'), 10, 20, got('aa')]))).toBe('illegal');
    // It cannot take effect before it was invoked.
    expect(verdictOf(history([2, get('x'), 0, 5, got('1')], [1, put('x', '1'), 10, undefined]))).toBe('illegal');
  });

  test('a delete removes the key for every later read', () => {
    const base = [
      [1, put('x', '1'), 0, 10, done],
      [1, del('x'), 20, 30, done],
    ] as const;
    expect(verdictOf(history(...base, [2, get('x'), 40, 50, got()]))).toBe('ok');
    expect(verdictOf(history(...base, [2, get('x'), 40, 50, got('1')]))).toBe('illegal');
  });

  test('rejects an answer of the wrong kind', () => {
    expect(verdictOf(history([1, get('x'), 0, 10, done]))).toBe('illegal');
    expect(verdictOf(history([1, put('x', '1'), 0, 10, got('1')]))).toBe('illegal');
  });

  test('checks scans against the whole store, with ranges and limits', () => {
    const writes = [
      [1, put('a', '1'), 0, 10, done],
      [1, put('b', '2'), 10, 20, done],
      [1, put('c', '3'), 20, 30, done],
    ] as const;
    expect(verdictOf(history(...writes, [2, scan('a', 'c'), 40, 50, pairs(['a', '1'], ['b', '2'])]))).toBe('ok');
    expect(verdictOf(history(...writes, [2, scan('b'), 40, 50, pairs(['b', '2'], ['c', '3'])]))).toBe('ok');
    expect(verdictOf(history(...writes, [2, scan('a', undefined, 2), 40, 50, pairs(['a', '1'], ['b', '2'])]))).toBe('ok');
    expect(verdictOf(history(...writes, [2, scan('a', 'c'), 40, 50, pairs(['a', '1'])]))).toBe('illegal');
    expect(verdictOf(history(...writes, [2, scan('a'), 40, 50, pairs(['b', '2'], ['a', '1'], ['c', '3'])]))).toBe('illegal');
    const verdict = checkKvLinearizability(history(...writes, [2, scan('a'), 40, 50, pairs(['a', '1'], ['b', '2'], ['c', '3'])]));
    expect(verdict.partitionCount).toBe(1);
  });

  test('a scan sees a consistent cut: two scans cannot see concurrent writes in opposite orders', () => {
    const writes = [
      [1, put('a', '1'), 0, 100, done],
      [2, put('b', '1'), 0, 100, done],
    ] as const;
    expect(verdictOf(history(...writes, [3, scan('a'), 10, 20, pairs(['b', '1'])], [3, scan('a'), 30, 40, pairs(['a', '1'], ['b', '1'])]))).toBe('ok');
    expect(verdictOf(history(...writes, [3, scan('a'), 10, 20, pairs(['b', '1'])], [3, scan('a'), 30, 40, pairs(['a', '1'])]))).toBe('illegal');
  });

  test('reports unknown, not a pass, when the search budget runs out', () => {
    // Twelve concurrent appends and a read no order explains: proving that takes many steps.
    const appends = Array.from({ length: 12 }, (_, client) => [client + 1, append('k', String.fromCharCode(97 + client)), 0, 100, done] as const);
    const operations = history(...appends, [99, get('k'), 200, 210, got('impossible')]);
    const verdict = checkKvLinearizability(operations, { maxSteps: 1_000 });
    expect(verdict.result).toBe('unknown');
    expect(formatLinearizabilityResult(verdict)).toMatch(/ran out of its budget of 1000 search steps.*This is not a pass/s);
    expect(() => assertKvLinearizable(operations, { maxSteps: 1_000 })).toThrow(/not a pass/);
  });

  test('refuses a history in which an operation returns before it is invoked', () => {
    expect(() => checkKvLinearizability(history([1, get('x'), 10, 5, got()]))).toThrow(/returns \(5 ms\) before it is invoked \(10 ms\)/);
  });

  test('works with any model, e.g. a counter without partitions', () => {
    const counter: LinearizabilityModel<number, 'increment' | 'read', number | undefined> = {
      init: () => 0,
      step: (state, input, output) => (input === 'increment' ? state + 1 : output === undefined || output === state ? state : undefined),
      stateKey: (state) => String(state),
    };
    const ok = checkLinearizability(
      [
        { id: 1, clientId: 1, input: 'increment', invokeMs: 0, returnMs: 10, outcome: 'ok', output: undefined },
        { id: 2, clientId: 2, input: 'read', invokeMs: 5, returnMs: 6, outcome: 'ok', output: 1 },
      ],
      counter,
    );
    expect(ok.result).toBe('ok');
  });
});

/** A random history built from a sequential run: each operation's interval surrounds its real instant. */
function randomLinearizableHistory(rng: Rng, operationCount: number, withScans: boolean): KvOperation[] {
  const keys = ['a', 'b', 'c'];
  let state = kvModel.init();
  const operations: KvOperation[] = [];
  for (let index = 0; index < operationCount; index++) {
    const key = rng.pick(keys);
    const choice = rng.int(0, withScans ? 4 : 3);
    const input: KvInput =
      choice === 0 ? get(key) : choice === 1 ? put(key, String(index)) : choice === 2 ? append(key, `.${index}`) : choice === 3 ? del(key) : scan(rng.pick(keys));
    let output: KvOutput;
    if (input.kind === 'get') output = got(state.get(key));
    else if (input.kind === 'scan') {
      const start = input.startKey.toString('latin1');
      output = pairs(...[...state.entries()].filter(([k]) => k >= start).sort(([x], [y]) => (x < y ? -1 : 1)));
    } else output = done;
    state = kvModel.step(state, input, output) as typeof state;
    const instantMs = index * 10;
    const invokeMs = Math.max(0, instantMs - rng.int(0, 25));
    const unknown = input.kind !== 'get' && input.kind !== 'scan' && rng.chance(0.1);
    operations.push(
      unknown
        ? { id: index + 1, clientId: index, input, invokeMs, returnMs: Number.POSITIVE_INFINITY, outcome: 'unknown' }
        : { id: index + 1, clientId: index, input, invokeMs, returnMs: instantMs + rng.int(0, 25), outcome: 'ok', output },
    );
  }
  return operations;
}

describe('linearizability checker on seeded random histories', () => {
  test('accepts every history built from a sequential run, with and without scans', () =>
    forEachSeed(20, (seed) => {
      const rng = createRng(seed);
      for (const withScans of [false, true]) {
        const verdict = checkKvLinearizability(randomLinearizableHistory(rng.split(`scans=${withScans}`), 60, withScans));
        expect(formatLinearizabilityResult(verdict)).toMatch(/^Linearizable/);
      }
    }));

  test('rejects the same histories once a read returns a value that was never written', () =>
    forEachSeed(20, (seed) => {
      const rng = createRng(seed);
      const operations = randomLinearizableHistory(rng, 60, false);
      const reads = operations.filter((operation) => operation.input.kind === 'get' && operation.outcome === 'ok');
      expect(reads.length).toBeGreaterThan(0);
      const victim = rng.pick(reads);
      const corrupted = operations.map((operation) => (operation === victim ? { ...operation, output: got('never written') } : operation));
      expect(checkKvLinearizability(corrupted).result).toBe('illegal');
    }));
});
