/**
 * The engine conformance suite: one set of behaviours every backend must show, written once
 * and run against each backend by `engine-conformance.test.ts`.
 *
 * Goal: pin down the engine contract (engine.ts) so that lab code behaves the same on the
 * memory and the LMDB backend. Method: each test opens a fresh, empty engine from the
 * backend's factory, drives it through the public API only, and compares what it reads with
 * what a byte-level reasoning says it must read.
 *
 * @module
 */
import { CF_DEFAULT, CF_LOCK, CF_WRITE, COLUMN_FAMILIES, EngineError } from '../engine';
import type { ColumnFamily, Engine, EngineErrorCode, ReadView } from '../engine';
import { WriteBatch } from '../write-batch';

/** A backend under test: opens fresh engines, and (for durable backends) reopens them. */
export interface EngineBackend {
  /** The backend's name, used in test titles. */
  readonly name: string;
  /** True when data survives `close` and {@link OpenedEngine.reopen}. */
  readonly durable: boolean;
  /** Opens a new, empty engine. */
  open(): OpenedEngine;
}

/** An engine opened for one test, with what it takes to reopen and to clean up after it. */
export interface OpenedEngine {
  readonly engine: Engine;
  /** Closes `engine` if still open and opens the same storage again (durable backends only). */
  reopen(): Engine;
  /** Closes everything and removes any files. */
  dispose(): void;
}

/** `Buffer.from(text)`: short to read in tests. */
export function bytes(text: string): Buffer {
  return Buffer.from(text);
}

/** Runs `action` and checks it throws an {@link EngineError} with `code`. */
export function expectEngineError(action: () => unknown, code: EngineErrorCode): EngineError {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(EngineError);
  const engineError = thrown as EngineError;
  expect(engineError.code).toBe(code);
  // Messages are full sentences that say what to do.
  expect(engineError.message.length).toBeGreaterThan(30);
  return engineError;
}

/** Every key/value of `cf` in the view, in iteration order, as hex strings. */
export function scanHex(view: ReadView, cf: ColumnFamily, from?: Buffer): [string, string][] {
  const iterator = view.iterator(cf);
  const rows: [string, string][] = [];
  try {
    if (from === undefined) iterator.seekToFirst();
    else iterator.seek(from);
    while (iterator.valid()) {
      rows.push([iterator.key().toString('hex'), iterator.value().toString('hex')]);
      iterator.next();
    }
  } finally {
    iterator.close();
  }
  return rows;
}

/** Scans `cf` of the engine's latest data through a short-lived view. */
function scanLatest(engine: Engine, cf: ColumnFamily): [string, string][] {
  const view = engine.view();
  try {
    return scanHex(view, cf);
  } finally {
    view.close();
  }
}

function put(engine: Engine, cf: ColumnFamily, key: Buffer | string, value: Buffer | string): void {
  engine.write(new WriteBatch().put(cf, asBuffer(key), asBuffer(value)));
}

function asBuffer(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data) : data;
}

function hex(data: Buffer | string): string {
  return asBuffer(data).toString('hex');
}

/**
 * Declares the conformance tests for `backend` (call inside a `describe`).
 *
 * @param backend - the backend to test.
 */
export function defineEngineConformance(backend: EngineBackend): void {
  let opened: OpenedEngine;
  let engine: Engine;

  beforeEach(() => {
    opened = backend.open();
    engine = opened.engine;
  });
  afterEach(() => {
    opened.dispose();
  });

  describe('point reads and writes', () => {
    test('a put value is read back, an overwrite replaces it and a delete removes it', () => {
      put(engine, CF_DEFAULT, 'k', 'v1');
      expect(engine.get(CF_DEFAULT, bytes('k'))).toEqual(bytes('v1'));
      put(engine, CF_DEFAULT, 'k', 'v2');
      expect(engine.get(CF_DEFAULT, bytes('k'))).toEqual(bytes('v2'));
      engine.write(new WriteBatch().delete(CF_DEFAULT, bytes('k')));
      expect(engine.get(CF_DEFAULT, bytes('k'))).toBeUndefined();
    });

    test('a missing key reads as undefined and deleting it is a harmless no-op', () => {
      expect(engine.get(CF_DEFAULT, bytes('never'))).toBeUndefined();
      engine.write(new WriteBatch().delete(CF_DEFAULT, bytes('never')));
      expect(engine.get(CF_DEFAULT, bytes('never'))).toBeUndefined();
      expect(scanLatest(engine, CF_DEFAULT)).toEqual([]);
    });

    test('an empty value is a present value, distinct from a missing key', () => {
      put(engine, CF_DEFAULT, 'empty', Buffer.alloc(0));
      const value = engine.get(CF_DEFAULT, bytes('empty'));
      expect(value).toBeInstanceOf(Buffer);
      expect(value).toHaveLength(0);
      expect(scanLatest(engine, CF_DEFAULT)).toEqual([[hex('empty'), '']]);
      const view = engine.view();
      expect(view.get(CF_DEFAULT, bytes('empty'))).toEqual(Buffer.alloc(0));
      view.close();
    });

    test('the empty key is an ordinary key that sorts first', () => {
      put(engine, CF_DEFAULT, 'a', '1');
      put(engine, CF_DEFAULT, Buffer.alloc(0), 'empty-key');
      expect(engine.get(CF_DEFAULT, Buffer.alloc(0))).toEqual(bytes('empty-key'));
      expect(scanLatest(engine, CF_DEFAULT)).toEqual([
        ['', hex('empty-key')],
        [hex('a'), hex('1')],
      ]);
    });

    test('binary values with every byte value round-trip unchanged', () => {
      const value = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
      put(engine, CF_DEFAULT, 'binary', value);
      expect(engine.get(CF_DEFAULT, bytes('binary'))).toEqual(value);
    });

    test('returned buffers are copies: mutating them, or the buffers given to a batch, changes nothing stored', () => {
      const key = bytes('k');
      const value = bytes('original');
      const batch = new WriteBatch().put(CF_DEFAULT, key, value);
      value.fill(0x7a);
      engine.write(batch);
      value.fill(0x79);
      key.fill(0x78);
      const read = engine.get(CF_DEFAULT, bytes('k'))!;
      expect(read).toEqual(bytes('original'));
      read.fill(0x41);
      expect(engine.get(CF_DEFAULT, bytes('k'))).toEqual(bytes('original'));
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      iterator.seekToFirst();
      iterator.key().fill(0x41);
      iterator.value().fill(0x41);
      expect(iterator.key()).toEqual(bytes('k'));
      expect(iterator.value()).toEqual(bytes('original'));
      iterator.close();
      view.close();
    });

    test('buffers returned earlier stay intact while the iterator moves on and other reads happen', () => {
      put(engine, CF_DEFAULT, 'k1', 'value-one');
      put(engine, CF_DEFAULT, 'k2', 'value-two');
      const first = engine.get(CF_DEFAULT, bytes('k1'))!;
      const second = engine.get(CF_DEFAULT, bytes('k2'))!;
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      iterator.seekToFirst();
      const keys: Buffer[] = [];
      const values: Buffer[] = [];
      while (iterator.valid()) {
        keys.push(iterator.key());
        values.push(iterator.value());
        view.get(CF_DEFAULT, bytes('k2'));
        iterator.next();
      }
      iterator.close();
      view.close();
      expect([first, second]).toEqual([bytes('value-one'), bytes('value-two')]);
      expect(keys).toEqual([bytes('k1'), bytes('k2')]);
      expect(values).toEqual([bytes('value-one'), bytes('value-two')]);
    });
  });

  describe('column families', () => {
    test('the same key in different column families holds independent values', () => {
      put(engine, CF_DEFAULT, 'k', 'default');
      put(engine, CF_LOCK, 'k', 'lock');
      expect(engine.get(CF_DEFAULT, bytes('k'))).toEqual(bytes('default'));
      expect(engine.get(CF_LOCK, bytes('k'))).toEqual(bytes('lock'));
      expect(engine.get(CF_WRITE, bytes('k'))).toBeUndefined();
      engine.write(new WriteBatch().delete(CF_LOCK, bytes('k')));
      expect(engine.get(CF_DEFAULT, bytes('k'))).toEqual(bytes('default'));
      expect(engine.get(CF_LOCK, bytes('k'))).toBeUndefined();
    });

    test('an iterator sees only its own column family, even for keys adjacent to the other families', () => {
      for (const cf of COLUMN_FAMILIES) {
        put(engine, cf, Buffer.from([0x00]), cf);
        put(engine, cf, Buffer.from([0xff, 0xff]), cf);
      }
      for (const cf of COLUMN_FAMILIES) {
        expect(scanLatest(engine, cf)).toEqual([
          ['00', hex(cf)],
          ['ffff', hex(cf)],
        ]);
      }
      engine.write(new WriteBatch().deleteRange(CF_LOCK, Buffer.alloc(0), Buffer.alloc(0)));
      expect(scanLatest(engine, CF_LOCK)).toEqual([]);
      expect(scanLatest(engine, CF_DEFAULT)).toHaveLength(2);
      expect(scanLatest(engine, CF_WRITE)).toHaveLength(2);
    });
  });

  describe('write batches', () => {
    test('ops of one batch apply in order: the last op on a key wins', () => {
      const batch = new WriteBatch()
        .put(CF_DEFAULT, bytes('a'), bytes('1'))
        .put(CF_DEFAULT, bytes('a'), bytes('2'))
        .put(CF_DEFAULT, bytes('b'), bytes('1'))
        .delete(CF_DEFAULT, bytes('b'))
        .delete(CF_DEFAULT, bytes('c'))
        .put(CF_DEFAULT, bytes('c'), bytes('3'))
        .put(CF_DEFAULT, bytes('d'), bytes('4'))
        .deleteRange(CF_DEFAULT, bytes('d'), bytes('e'))
        .put(CF_DEFAULT, bytes('d0'), bytes('5'));
      engine.write(batch);
      expect(scanLatest(engine, CF_DEFAULT)).toEqual([
        [hex('a'), hex('2')],
        [hex('c'), hex('3')],
        [hex('d0'), hex('5')],
      ]);
    });

    test('a batch with one oversized key writes nothing at all, and the engine stays usable', () => {
      put(engine, CF_DEFAULT, 'keep', 'old');
      const batch = new WriteBatch()
        .put(CF_DEFAULT, bytes('new'), bytes('1'))
        .delete(CF_DEFAULT, bytes('keep'))
        .put(CF_WRITE, bytes('w'), bytes('2'))
        .put(CF_LOCK, Buffer.alloc(engine.maxKeyBytes + 1, 0x61), bytes('too big'))
        .put(CF_DEFAULT, bytes('after'), bytes('3'));
      expectEngineError(() => engine.write(batch), 'key-too-large');
      expect(engine.get(CF_DEFAULT, bytes('new'))).toBeUndefined();
      expect(engine.get(CF_DEFAULT, bytes('keep'))).toEqual(bytes('old'));
      expect(engine.get(CF_WRITE, bytes('w'))).toBeUndefined();
      expect(engine.get(CF_DEFAULT, bytes('after'))).toBeUndefined();
      put(engine, CF_DEFAULT, 'later', 'ok');
      expect(engine.get(CF_DEFAULT, bytes('later'))).toEqual(bytes('ok'));
    });

    test('a key of exactly maxKeyBytes is accepted, one byte more is rejected (also as a range bound)', () => {
      const largest = Buffer.alloc(engine.maxKeyBytes, 0x62);
      put(engine, CF_DEFAULT, largest, 'v');
      expect(engine.get(CF_DEFAULT, largest)).toEqual(bytes('v'));
      const tooLarge = Buffer.alloc(engine.maxKeyBytes + 1, 0x62);
      expectEngineError(() => put(engine, CF_DEFAULT, tooLarge, 'v'), 'key-too-large');
      expectEngineError(() => engine.write(new WriteBatch().delete(CF_DEFAULT, tooLarge)), 'key-too-large');
      expectEngineError(
        () => engine.write(new WriteBatch().deleteRange(CF_DEFAULT, bytes('a'), tooLarge)),
        'key-too-large',
      );
      // Reading an impossible key is not an error: it is simply absent.
      expect(engine.get(CF_DEFAULT, tooLarge)).toBeUndefined();
      expect(engine.get(CF_DEFAULT, largest)).toEqual(bytes('v'));
    });

    test('an empty batch is a no-op', () => {
      put(engine, CF_DEFAULT, 'k', 'v');
      engine.write(new WriteBatch());
      expect(scanLatest(engine, CF_DEFAULT)).toEqual([[hex('k'), hex('v')]]);
    });

    test('rolling back to a safe point writes only the ops before it', () => {
      const batch = new WriteBatch().put(CF_DEFAULT, bytes('kept'), bytes('1'));
      batch.setSafePoint();
      batch.put(CF_DEFAULT, bytes('dropped'), bytes('2')).delete(CF_DEFAULT, bytes('kept'));
      batch.rollbackToSafePoint();
      batch.put(CF_WRITE, bytes('after'), bytes('3'));
      engine.write(batch);
      expect(engine.get(CF_DEFAULT, bytes('kept'))).toEqual(bytes('1'));
      expect(engine.get(CF_DEFAULT, bytes('dropped'))).toBeUndefined();
      expect(engine.get(CF_WRITE, bytes('after'))).toEqual(bytes('3'));
    });

    test('a batch can be written again after clear() and reused', () => {
      const batch = new WriteBatch().put(CF_DEFAULT, bytes('a'), bytes('1'));
      engine.write(batch);
      batch.clear();
      batch.put(CF_DEFAULT, bytes('b'), bytes('2'));
      engine.write(batch);
      expect(scanLatest(engine, CF_DEFAULT)).toEqual([
        [hex('a'), hex('1')],
        [hex('b'), hex('2')],
      ]);
    });
  });

  describe('deleteRange', () => {
    beforeEach(() => {
      const batch = new WriteBatch();
      for (const key of ['a', 'b', 'b\x00', 'ba', 'c', 'd']) {
        batch.put(CF_DEFAULT, bytes(key), bytes(key));
        batch.put(CF_WRITE, bytes(key), bytes(key));
      }
      engine.write(batch);
    });

    test('removes keys from start inclusive to end exclusive, in its column family only', () => {
      engine.write(new WriteBatch().deleteRange(CF_DEFAULT, bytes('b'), bytes('c')));
      expect(scanLatest(engine, CF_DEFAULT).map(([key]) => key)).toEqual([hex('a'), hex('c'), hex('d')]);
      expect(scanLatest(engine, CF_WRITE)).toHaveLength(6);
    });

    test('start equal to end removes nothing, and bounds between keys work', () => {
      engine.write(new WriteBatch().deleteRange(CF_DEFAULT, bytes('b'), bytes('b')));
      expect(scanLatest(engine, CF_DEFAULT)).toHaveLength(6);
      engine.write(new WriteBatch().deleteRange(CF_DEFAULT, bytes('a\x00'), bytes('b\x00')));
      expect(scanLatest(engine, CF_DEFAULT).map(([key]) => key)).toEqual(['a', 'b\x00', 'ba', 'c', 'd'].map(hex));
    });

    test('an empty end means to the end of the column family', () => {
      engine.write(new WriteBatch().deleteRange(CF_DEFAULT, bytes('ba'), Buffer.alloc(0)));
      expect(scanLatest(engine, CF_DEFAULT).map(([key]) => key)).toEqual(['a', 'b', 'b\x00'].map(hex));
      engine.write(new WriteBatch().deleteRange(CF_DEFAULT, Buffer.alloc(0), Buffer.alloc(0)));
      expect(scanLatest(engine, CF_DEFAULT)).toEqual([]);
      expect(scanLatest(engine, CF_WRITE)).toHaveLength(6);
    });

    test('a range past every key, or on an empty column family, removes nothing', () => {
      engine.write(new WriteBatch().deleteRange(CF_DEFAULT, bytes('x'), bytes('z')));
      engine.write(new WriteBatch().deleteRange(CF_LOCK, bytes('a'), Buffer.alloc(0)));
      expect(scanLatest(engine, CF_DEFAULT)).toHaveLength(6);
      expect(scanLatest(engine, CF_LOCK)).toEqual([]);
    });

    test('start after end is rejected when the op is added', () => {
      expectEngineError(() => new WriteBatch().deleteRange(CF_DEFAULT, bytes('c'), bytes('b')), 'invalid-key');
    });
  });

  describe('ordering and seek', () => {
    // Byte strings chosen to catch string-order bugs: 0x00 and 0xff bytes, prefixes, and
    // bytes >= 0x80 (which UTF-8 decoding would mangle and signed comparison would misorder).
    const keys = [
      [],
      [0x00],
      [0x00, 0x00],
      [0x00, 0x01],
      [0x01],
      [0x61],
      [0x61, 0x00],
      [0x61, 0x62],
      [0x61, 0xff],
      [0x62],
      [0x7f],
      [0x80],
      [0x80, 0x00],
      [0xc3, 0xa9],
      [0xfe, 0xff],
      [0xff],
      [0xff, 0x00],
      [0xff, 0xff, 0xff],
    ].map((octets) => Buffer.from(octets));

    beforeEach(() => {
      // Insert in a scrambled order so that insertion order cannot fake sorted order.
      const batch = new WriteBatch();
      for (let i = 0; i < keys.length; i++) {
        const key = keys[(i * 7) % keys.length];
        batch.put(CF_DEFAULT, key, Buffer.concat([bytes('v'), key]));
      }
      engine.write(batch);
    });

    test('iteration is in bytewise (memcmp) order, shorter prefix first', () => {
      const expected = [...keys].sort(Buffer.compare).map((key) => key.toString('hex'));
      expect(scanLatest(engine, CF_DEFAULT).map(([key]) => key)).toEqual(expected);
      expect(expected).toEqual(keys.map((key) => key.toString('hex')));
    });

    test('seek to an existing key lands on that key', () => {
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      for (const key of keys) {
        iterator.seek(key);
        expect(iterator.valid()).toBe(true);
        expect(iterator.key()).toEqual(key);
        expect(iterator.value()).toEqual(Buffer.concat([bytes('v'), key]));
      }
      iterator.close();
      view.close();
    });

    test('seek between keys lands on the next larger key', () => {
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      iterator.seek(Buffer.from([0x00, 0x00, 0x00]));
      expect(iterator.key()).toEqual(Buffer.from([0x00, 0x01]));
      iterator.seek(Buffer.from([0x61, 0x01]));
      expect(iterator.key()).toEqual(Buffer.from([0x61, 0x62]));
      iterator.seek(Buffer.from([0x7f, 0xff]));
      expect(iterator.key()).toEqual(Buffer.from([0x80]));
      iterator.seek(Buffer.from([0xff, 0x00, 0x00]));
      expect(iterator.key()).toEqual(Buffer.from([0xff, 0xff, 0xff]));
      iterator.next();
      expect(iterator.valid()).toBe(false);
      iterator.close();
      view.close();
    });

    test('seek past the last key leaves the iterator invalid, and it can seek again', () => {
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      iterator.seek(Buffer.from([0xff, 0xff, 0xff, 0x00]));
      expect(iterator.valid()).toBe(false);
      iterator.seek(Buffer.from([0x62]));
      expect(iterator.valid()).toBe(true);
      expect(iterator.key()).toEqual(Buffer.from([0x62]));
      iterator.seekToFirst();
      expect(iterator.key()).toEqual(Buffer.alloc(0));
      iterator.close();
      view.close();
    });

    test('an iterator over an empty column family is invalid after seekToFirst and seek', () => {
      const view = engine.view();
      const iterator = view.iterator(CF_LOCK);
      iterator.seekToFirst();
      expect(iterator.valid()).toBe(false);
      iterator.seek(Buffer.alloc(0));
      expect(iterator.valid()).toBe(false);
      iterator.close();
      view.close();
    });

    test('an ordered scan crosses many keys (more than one tree node or page) without gaps', () => {
      const batch = new WriteBatch();
      const count = 3000;
      for (let i = 0; i < count; i++) {
        const key = Buffer.alloc(4);
        key.writeUInt32BE((i * 7919) % count);
        batch.put(CF_WRITE, key, key);
      }
      engine.write(batch);
      const expected = Array.from({ length: count }, (_, index) => {
        const key = Buffer.alloc(4);
        key.writeUInt32BE(index);
        return [key.toString('hex'), key.toString('hex')];
      });
      expect(scanLatest(engine, CF_WRITE)).toEqual(expected);
    });
  });

  describe('views', () => {
    test('a view does not see puts, overwrites, deletes or range deletes made after it was taken', () => {
      put(engine, CF_DEFAULT, 'a', '1');
      put(engine, CF_DEFAULT, 'b', '1');
      put(engine, CF_DEFAULT, 'c', '1');
      put(engine, CF_LOCK, 'l', '1');
      const view = engine.view();
      const before = COLUMN_FAMILIES.map((cf) => scanHex(view, cf));
      engine.write(
        new WriteBatch()
          .put(CF_DEFAULT, bytes('a'), bytes('2'))
          .delete(CF_DEFAULT, bytes('b'))
          .put(CF_DEFAULT, bytes('new'), bytes('2'))
          .put(CF_WRITE, bytes('w'), bytes('2'))
          .deleteRange(CF_LOCK, Buffer.alloc(0), Buffer.alloc(0)),
      );
      engine.write(new WriteBatch().deleteRange(CF_DEFAULT, bytes('c'), bytes('d')));
      expect(view.get(CF_DEFAULT, bytes('a'))).toEqual(bytes('1'));
      expect(view.get(CF_DEFAULT, bytes('b'))).toEqual(bytes('1'));
      expect(view.get(CF_DEFAULT, bytes('c'))).toEqual(bytes('1'));
      expect(view.get(CF_DEFAULT, bytes('new'))).toBeUndefined();
      expect(view.get(CF_LOCK, bytes('l'))).toEqual(bytes('1'));
      expect(COLUMN_FAMILIES.map((cf) => scanHex(view, cf))).toEqual(before);
      // The engine and a new view see the new data.
      expect(engine.get(CF_DEFAULT, bytes('a'))).toEqual(bytes('2'));
      const fresh = engine.view();
      expect(scanHex(fresh, CF_DEFAULT)).toEqual([
        [hex('a'), hex('2')],
        [hex('new'), hex('2')],
      ]);
      expect(scanHex(fresh, CF_LOCK)).toEqual([]);
      fresh.close();
      view.close();
    });

    test('an iterator in the middle of a scan is not disturbed by writes to the engine', () => {
      const batch = new WriteBatch();
      for (let i = 0; i < 500; i++) batch.put(CF_DEFAULT, bytes(`key${String(i).padStart(4, '0')}`), bytes('old'));
      engine.write(batch);
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      iterator.seekToFirst();
      const seen: string[] = [];
      for (let i = 0; i < 100; i++) {
        seen.push(iterator.key().toString());
        iterator.next();
      }
      engine.write(new WriteBatch().deleteRange(CF_DEFAULT, bytes('key0150'), bytes('key0300')));
      const rewrite = new WriteBatch();
      for (let i = 0; i < 500; i += 2) rewrite.put(CF_DEFAULT, bytes(`key${String(i).padStart(4, '0')}a`), bytes('new'));
      engine.write(rewrite);
      while (iterator.valid()) {
        expect(iterator.value()).toEqual(bytes('old'));
        seen.push(iterator.key().toString());
        iterator.next();
      }
      expect(seen).toEqual(Array.from({ length: 500 }, (_, i) => `key${String(i).padStart(4, '0')}`));
      iterator.close();
      view.close();
    });

    test('several views taken at different times each keep their own point in time', () => {
      const views: ReadView[] = [];
      for (let version = 0; version < 5; version++) {
        put(engine, CF_DEFAULT, 'k', `v${version}`);
        put(engine, CF_WRITE, `w${version}`, 'x');
        views.push(engine.view());
      }
      views.forEach((view, version) => {
        expect(view.get(CF_DEFAULT, bytes('k'))).toEqual(bytes(`v${version}`));
        expect(scanHex(view, CF_WRITE)).toHaveLength(version + 1);
        view.close();
      });
    });
  });

  describe('lifecycle errors', () => {
    test('key(), value() and next() on an unpositioned or exhausted iterator throw iterator-invalid', () => {
      put(engine, CF_DEFAULT, 'only', '1');
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      expect(iterator.valid()).toBe(false);
      expectEngineError(() => iterator.key(), 'iterator-invalid');
      expectEngineError(() => iterator.value(), 'iterator-invalid');
      expectEngineError(() => iterator.next(), 'iterator-invalid');
      iterator.seekToFirst();
      iterator.next();
      expect(iterator.valid()).toBe(false);
      expectEngineError(() => iterator.key(), 'iterator-invalid');
      expectEngineError(() => iterator.next(), 'iterator-invalid');
      iterator.close();
      view.close();
    });

    test('a closed iterator throws closed on every call, and close is idempotent', () => {
      put(engine, CF_DEFAULT, 'only', '1');
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      iterator.seekToFirst();
      iterator.close();
      iterator.close();
      expectEngineError(() => iterator.valid(), 'closed');
      expectEngineError(() => iterator.key(), 'closed');
      expectEngineError(() => iterator.value(), 'closed');
      expectEngineError(() => iterator.next(), 'closed');
      expectEngineError(() => iterator.seek(bytes('a')), 'closed');
      expectEngineError(() => iterator.seekToFirst(), 'closed');
      // The view itself is still usable.
      expect(view.get(CF_DEFAULT, bytes('only'))).toEqual(bytes('1'));
      view.close();
    });

    test('closing a view closes its iterators; a closed view throws closed', () => {
      put(engine, CF_DEFAULT, 'only', '1');
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      iterator.seekToFirst();
      view.close();
      view.close();
      expectEngineError(() => iterator.valid(), 'closed');
      expectEngineError(() => iterator.key(), 'closed');
      expectEngineError(() => view.get(CF_DEFAULT, bytes('only')), 'closed');
      expectEngineError(() => view.iterator(CF_DEFAULT), 'closed');
      iterator.close();
      // The engine is still usable.
      expect(engine.get(CF_DEFAULT, bytes('only'))).toEqual(bytes('1'));
    });

    test('a closed engine throws closed on every call and closes its views; close is idempotent', () => {
      put(engine, CF_DEFAULT, 'only', '1');
      const view = engine.view();
      const iterator = view.iterator(CF_DEFAULT);
      iterator.seekToFirst();
      expect(engine.closed).toBe(false);
      engine.close();
      engine.close();
      expect(engine.closed).toBe(true);
      expectEngineError(() => engine.get(CF_DEFAULT, bytes('only')), 'closed');
      expectEngineError(() => put(engine, CF_DEFAULT, 'x', 'y'), 'closed');
      expectEngineError(() => engine.view(), 'closed');
      expectEngineError(() => view.get(CF_DEFAULT, bytes('only')), 'closed');
      expectEngineError(() => iterator.valid(), 'closed');
      view.close();
      iterator.close();
    });

    test('a view offers no write methods', () => {
      const view = engine.view() as unknown as Record<string, unknown>;
      for (const name of ['put', 'delete', 'write', 'deleteRange', 'set']) expect(view[name]).toBeUndefined();
      (view as unknown as ReadView).close();
    });
  });

  describe('bad input', () => {
    const unknownCf = 'users' as ColumnFamily;
    const notABuffer = 'key' as unknown as Buffer;

    test('an unknown column family is rejected by get, iterator and every batch op, naming the valid ones', () => {
      const error = expectEngineError(() => engine.get(unknownCf, bytes('k')), 'unknown-column-family');
      expect(error.message).toContain('users');
      for (const cf of COLUMN_FAMILIES) expect(error.message).toContain(cf);
      const view = engine.view();
      expectEngineError(() => view.get(unknownCf, bytes('k')), 'unknown-column-family');
      expectEngineError(() => view.iterator(unknownCf), 'unknown-column-family');
      view.close();
      expectEngineError(() => new WriteBatch().put(unknownCf, bytes('k'), bytes('v')), 'unknown-column-family');
      expectEngineError(() => new WriteBatch().delete(unknownCf, bytes('k')), 'unknown-column-family');
      expectEngineError(() => new WriteBatch().deleteRange(unknownCf, bytes('a'), bytes('b')), 'unknown-column-family');
    });

    test('a key that is not a Buffer is rejected by get, seek and every batch op', () => {
      expectEngineError(() => engine.get(CF_DEFAULT, notABuffer), 'invalid-key');
      const view = engine.view();
      expectEngineError(() => view.get(CF_DEFAULT, notABuffer), 'invalid-key');
      const iterator = view.iterator(CF_DEFAULT);
      expectEngineError(() => iterator.seek(notABuffer), 'invalid-key');
      iterator.close();
      view.close();
      expectEngineError(() => new WriteBatch().put(CF_DEFAULT, notABuffer, bytes('v')), 'invalid-key');
      expectEngineError(() => new WriteBatch().delete(CF_DEFAULT, notABuffer), 'invalid-key');
      expectEngineError(() => new WriteBatch().deleteRange(CF_DEFAULT, notABuffer, bytes('b')), 'invalid-key');
      expectEngineError(() => new WriteBatch().deleteRange(CF_DEFAULT, bytes('a'), notABuffer), 'invalid-key');
    });

    test('a value that is not a Buffer is rejected when the op is added', () => {
      expectEngineError(() => new WriteBatch().put(CF_DEFAULT, bytes('k'), 'v' as unknown as Buffer), 'invalid-value');
      expectEngineError(() => new WriteBatch().put(CF_DEFAULT, bytes('k'), undefined as unknown as Buffer), 'invalid-value');
    });
  });

  if (backend.durable) {
    describe('durability', () => {
      test('closing and reopening the same path keeps every column family, and deletes stay deleted', () => {
        const batch = new WriteBatch();
        for (const cf of COLUMN_FAMILIES) {
          batch.put(cf, bytes('a'), bytes(`${cf}-a`));
          batch.put(cf, bytes('b'), bytes(`${cf}-b`));
          batch.put(cf, Buffer.alloc(0), Buffer.alloc(0));
        }
        engine.write(batch);
        engine.write(new WriteBatch().delete(CF_LOCK, bytes('b')).deleteRange(CF_WRITE, bytes('a'), bytes('b')));
        const reopened = opened.reopen();
        expect(reopened.get(CF_DEFAULT, bytes('a'))).toEqual(bytes('default-a'));
        expect(reopened.get(CF_LOCK, bytes('b'))).toBeUndefined();
        expect(reopened.get(CF_LOCK, Buffer.alloc(0))).toEqual(Buffer.alloc(0));
        expect(scanLatest(reopened, CF_WRITE)).toEqual([
          ['', ''],
          [hex('b'), hex('write-b')],
        ]);
        expect(scanLatest(reopened, CF_DEFAULT)).toHaveLength(3);
      });
    });
  }
}
