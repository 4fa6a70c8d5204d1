// Goal: the linearizability checker accepts every linearizable key/value history and rejects
// non-linearizable ones, handles overlapping operations, unknown outcomes, TinyKV-style
// appends, deletes and scans, orders events exactly when the recorder numbered them, leaves
// out reads with unknown outcome, splits histories with scans by key where it may, reports the
// operations it could not order, and answers `unknown` (not a pass) when its budget runs out.
// Method: hand-made histories with known verdicts, then seeded random histories built from a
// sequential run (linearizable by construction) and the same histories with one read corrupted.
import { createRng, type Rng } from '../../runtime/rng';
import { forEachSeed } from '../seeds';
import { checkLinearizability, formatLinearizabilityResult, type LinearizabilityModel } from '../linearizability';
import { assertKvLinearizable, checkKvLinearizability, kvModel, type KvInput, type KvOperation, type KvOutput } from '../linearizability-kv-model';
import { observeLinearizabilityChecks } from '../linearizability-observer';

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

/** Gives operation i the recorder's event numbers `numbers[i]` = [invoke, return]. */
function numberEvents(operations: KvOperation[], ...numbers: [number, number][]): KvOperation[] {
  return operations.map((operation, index) => ({ ...operation, invokeSequence: numbers[index][0], returnSequence: numbers[index][1] }));
}

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

  test('without event numbers, treats operations that only touch at the same millisecond as concurrent', () => {
    expect(verdictOf(history([1, put('x', '1'), 0, 10, done], [2, get('x'), 10, 20, got()]))).toBe('ok');
    expect(verdictOf(history([1, put('x', '1'), 0, 10, done], [2, get('x'), 11, 20, got()]))).toBe('illegal');
  });

  test('with the recorder\'s event numbers, orders operations that touch within one millisecond', () => {
    // The put returned (event 2) before the get was invoked (event 3), both at 10 ms: the get must see it.
    const touching = history([1, put('x', '1'), 0, 10, done], [2, get('x'), 10, 20, got()]);
    const numbered = numberEvents(touching, [1, 2], [3, 4]);
    const verdict = checkKvLinearizability(numbered);
    expect(verdict.result).toBe('illegal');
    expect(verdict.orderResolution).toBe('exact');
    // Invoked (event 2) before the put returned (event 3): concurrent, either order.
    expect(verdictOf(numberEvents(touching, [1, 3], [2, 4]))).toBe('ok');
    expect(checkKvLinearizability(touching).orderResolution).toBe('by-time');
  });

  test('refuses event numbers that contradict times: one history comes from one recorder', () => {
    const operations = numberEvents(history([1, put('x', '1'), 0, 10, done], [2, get('x'), 5, 20, got('1')]), [1, 4], [2, 3]);
    expect(() => checkKvLinearizability(operations)).toThrow(/event numbers of operations 2 and 1 contradict their times/);
    expect(() => checkKvLinearizability(numberEvents(history([1, get('x'), 0, 10, got()]), [5, 5]))).toThrow(/not after its invocation/);
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

  test('leaves reads with unknown outcome out of the check: they constrain nothing', () => {
    const unknownReads = Array.from({ length: 30 }, (_, client) => [client + 10, client % 2 === 0 ? get('x') : scan('a'), client, undefined] as const);
    const verdict = checkKvLinearizability(history([1, put('x', '1'), 0, 10, done], ...unknownReads, [2, get('x'), 40, 50, got('1')]));
    expect(verdict.result).toBe('ok');
    expect(verdict.droppedOperationCount).toBe(30);
    // Unknown writes stay: they may have taken effect.
    expect(checkKvLinearizability(history([1, put('x', '1'), 0, undefined], [2, get('x'), 40, 50, got('1')])).droppedOperationCount).toBe(0);
  });

  test('leaves out puts with unknown outcome whose value no answer shows, and keeps the others', () => {
    // Ten timed-out puts nobody read, concurrent with everything after them: left out.
    const lost = Array.from({ length: 10 }, (_, client) => [client + 10, put('x', `lost ${client}`), client, undefined] as const);
    const base = [[1, put('x', '1'), 0, 10, done], ...lost, [2, get('x'), 40, 50, got('1')], [2, put('x', '2'), 60, 70, done]] as const;
    const verdict = checkKvLinearizability(history(...base, [2, get('x'), 80, 90, got('2')]));
    expect(verdict.result).toBe('ok');
    expect(verdict.droppedOperationCount).toBe(10);
    expect(verdict.steps).toBeLessThan(20);
    // One that a later read shows stays in the check: it took effect late, after the put of '2',
    // so a read after that cannot see '2' again.
    expect(verdictOf(history(...base, [2, get('x'), 80, 90, got('lost 3')]))).toBe('ok');
    expect(verdictOf(history(...base, [2, get('x'), 80, 90, got('lost 3')], [2, get('x'), 100, 110, got('2')]))).toBe('illegal');
    // A put on a key that is appended to stays: the append shows what it extended.
    const appended = checkKvLinearizability(history([1, put('y', 'a'), 0, undefined], [2, append('y', 'b'), 10, 20, done], [2, get('y'), 30, 40, got('ab')]));
    expect(appended.result).toBe('ok');
    expect(appended.droppedOperationCount).toBe(0);
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

  test('splits a history with scans by the keys each scan\'s range touches', () => {
    const writes = [
      [1, put('a', '1'), 0, 10, done],
      [1, put('b', '2'), 10, 20, done],
      [1, put('c', '3'), 20, 30, done],
      [1, put('d', '4'), 30, 40, done],
    ] as const;
    // [a, c) joins a and b; c and d stay alone; a scan of [x, y) touches no key of the history.
    const verdict = checkKvLinearizability(history(...writes, [2, scan('a', 'c'), 50, 60, pairs(['a', '1'], ['b', '2'])], [2, scan('x', 'y'), 70, 80, pairs()]));
    expect(verdict.result).toBe('ok');
    expect(verdict.partitionCount).toBe(4);
    expect(verdict.largestPartition).toBe(3);
    // Within its part, the scan is still checked against every key of its range.
    expect(verdictOf(history(...writes, [2, scan('a', 'c'), 50, 60, pairs(['b', '2'])]))).toBe('illegal');
    // A scan over no key of the history must find nothing.
    expect(verdictOf(history(...writes, [2, scan('x', 'y'), 70, 80, pairs(['x', '9'])]))).toBe('illegal');
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

  test('reports unknown, not a pass, when a memory bound is reached', () => {
    const appends = Array.from({ length: 6 }, (_, client) => [client + 1, append('k', String.fromCharCode(97 + client)), 0, 100, done] as const);
    const verdict = checkKvLinearizability(history(...appends, [99, get('k'), 200, 210, got('fedcba')]), { maxMemoEntries: 50 });
    expect(verdict.result).toBe('unknown');
    expect(formatLinearizabilityResult(verdict)).toMatch(/memory bound of 50 remembered configurations.*This is not a pass/s);
    expect(checkKvLinearizability(history(...appends, [99, get('k'), 200, 210, got('fedcba')]), { maxStates: 10 }).result).toBe('unknown');
    expect(() => checkKvLinearizability([], { maxMemoEntries: 0 })).toThrow(/maxMemoEntries 0; pass a positive integer/);
  });

  test('refutes a stale read behind many concurrent reads without trying their orders', () => {
    // Twenty reads overlap a write, some seeing it and some not; then a read after the write
    // returned still sees the old value. A read that fits is placed at once, so refuting this
    // takes a few steps per operation instead of one branch per subset of the twenty reads.
    const reads = Array.from({ length: 20 }, (_, client) => [client + 10, get('x'), 1 + client, 90, client % 3 === 0 ? got('1') : got()] as const);
    const verdict = checkKvLinearizability(history([1, put('x', '1'), 0, 100, done], ...reads, [2, get('x'), 110, 120, got()]), { maxSteps: 10_000 });
    expect(verdict.result).toBe('illegal');
    expect(verdict.steps).toBeLessThan(1_000);
  });

  test('refuses a history in which an operation returns before it is invoked', () => {
    expect(() => checkKvLinearizability(history([1, get('x'), 10, 5, got()]))).toThrow(/returns \(5 ms\) before it is invoked \(10 ms\)/);
  });

  test('refuses a model whose read-only operation returns a new state', () => {
    const sloppy: LinearizabilityModel<{ value: number }, 'read', number> = {
      init: () => ({ value: 0 }),
      step: (state) => ({ ...state }),
      stateKey: (state) => String(state.value),
      isReadOnly: () => true,
    };
    const read = { id: 1, clientId: 1, input: 'read' as const, invokeMs: 0, returnMs: 1, outcome: 'ok' as const, output: 0 };
    expect(() => checkLinearizability([read], sloppy)).toThrow(/says operation 1 is read-only, but its step returned a new state/);
  });

  test('tells observers about every check until they stop observing', () => {
    const seen: string[] = [];
    const stop = observeLinearizabilityChecks({ beforeCheck: (operations) => seen.push(`before ${operations.length}`), afterCheck: (_, verdict) => seen.push(`after ${verdict.result}`) });
    checkKvLinearizability(history([1, put('x', '1'), 0, 10, done]));
    stop();
    checkKvLinearizability(history([1, put('x', '1'), 0, 10, done]));
    expect(seen).toEqual(['before 1', 'after ok']);
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
