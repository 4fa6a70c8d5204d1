/**
 * Stage 1 hidden tests: the raw API under harder inputs than the public suite.
 *
 * Goal: binary keys (0x00 / 0xff bytes, prefixes), large values, many keys paged by scans,
 * random interleavings over every column family checked against a model, scans starting
 * between keys, deletes of missing keys, storage failures and too-long keys answered as
 * error responses, and readers/iterators closed even when a read throws.
 * Method: a fresh `StandaloneStorage` per test behind `RawApi`; randomised tests draw from
 * seeded generators (forEachSeed / fast-check with an explicit seed) so a failure replays.
 */
import fc from 'fast-check';
import { CF_DEFAULT, CF_LOCK, CF_WRITE, COLUMN_FAMILIES } from '../../../labs/common/engine/engine';
import type { ColumnFamily, EngineIterator } from '../../../labs/common/engine/engine';
import type { KvPair } from '../../../labs/common/proto/raw';
import { createRng } from '../../../labs/common/runtime/rng';
import type { Modify, RequestContext, Storage, StorageReader } from '../../../labs/common/storage/storage';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { RawApi } from '../../../labs/1-standalone/src/raw-api';
import { BACKENDS, asHex, asText, b, put, startFixture } from '../../../labs/1-standalone/test/storage-fixture';
import type { StorageFixture } from '../../../labs/1-standalone/test/storage-fixture';

/** A model of one store: per column family, hex key → value. */
type Model = Map<ColumnFamily, Map<string, Buffer>>;

function emptyModel(): Model {
  return new Map(COLUMN_FAMILIES.map((cf) => [cf, new Map<string, Buffer>()]));
}

/** The model's pairs of `cf` from `startKey` on, in byte order, at most `limit`. */
function modelScan(model: Model, cf: ColumnFamily, startKey: Buffer, limit: number): KvPair[] {
  const family = model.get(cf) ?? new Map<string, Buffer>();
  return [...family.entries()]
    .map(([hex, value]) => ({ key: Buffer.from(hex, 'hex'), value }))
    .filter((pair) => Buffer.compare(pair.key, startKey) >= 0)
    .sort((left, right) => Buffer.compare(left.key, right.key))
    .slice(0, limit);
}

describe.each(BACKENDS)('raw API with binary and large data on the %s engine', (backend) => {
  let fixture: StorageFixture;
  beforeEach(async () => {
    fixture = await startFixture(backend);
  });
  afterEach(async () => {
    // Unset when startFixture threw (a stub's start): that error is then the test's only failure.
    await fixture?.cleanup();
  });

  test('[1] binary keys with 0x00 and 0xff bytes round-trip and scan in byte order', async () => {
    const keys = [[0xff], [0x00], [0x00, 0x00], [0x01], [0xff, 0x00], [0x7f, 0xff], [0x00, 0xff], [0x80]].map((bytes) => Buffer.from(bytes));
    for (const [index, key] of keys.entries()) {
      const response = await fixture.api.rawPut({ key, value: Buffer.from([index, 0x00, 0xff]), cf: CF_DEFAULT });
      expect(response).toEqual({});
    }
    for (const [index, key] of keys.entries()) {
      expect(await fixture.api.rawGet({ key, cf: CF_DEFAULT })).toEqual({ value: Buffer.from([index, 0x00, 0xff]), notFound: false });
    }
    const scan = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 100, cf: CF_DEFAULT });
    expect(scan.kvs.map((pair) => pair.key.toString('hex'))).toEqual(['00', '0000', '00ff', '01', '7fff', '80', 'ff', 'ff00']);
    const fromZeroZero = await fixture.api.rawScan({ startKey: Buffer.from([0x00, 0x00]), limit: 2, cf: CF_DEFAULT });
    expect(fromZeroZero.kvs.map((pair) => pair.key.toString('hex'))).toEqual(['0000', '00ff']);
  });

  test('[1] a 1 MiB value round-trips through rawPut, rawGet and rawScan', async () => {
    const rng = createRng(7);
    const large = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < large.length; i += 1024) large[i] = rng.int(0, 255);
    expect(await fixture.api.rawPut({ key: b('big'), value: large, cf: CF_DEFAULT })).toEqual({});
    const got = await fixture.api.rawGet({ key: b('big'), cf: CF_DEFAULT });
    expect(got.notFound).toBe(false);
    expect(got.value?.length).toBe(large.length);
    expect(got.value?.equals(large)).toBe(true);
    const scan = await fixture.api.rawScan({ startKey: b('big'), limit: 1, cf: CF_DEFAULT });
    expect(scan.kvs).toHaveLength(1);
    expect(scan.kvs[0].value.equals(large)).toBe(true);
  });
});

describe('raw API scans and random workloads', () => {
  let fixture: StorageFixture;
  beforeEach(async () => {
    fixture = await startFixture('memory');
  });
  afterEach(async () => {
    // Unset when startFixture threw (a stub's start): that error is then the test's only failure.
    await fixture?.cleanup();
  });

  test('[1] rawScan pages through many keys in byte order without gaps or repeats', async () => {
    await forEachSeed(3, async (seed) => {
      await fixture.storage.stop();
      await fixture.storage.start();
      const rng = createRng(seed);
      const model = emptyModel();
      const family = model.get(CF_DEFAULT)!;
      for (let i = 0; i < 300; i++) {
        const key = Buffer.from(Array.from({ length: rng.int(1, 6) }, () => rng.int(0, 255)));
        const value = Buffer.from(`v${i}`);
        family.set(key.toString('hex'), value);
        expect(await fixture.api.rawPut({ key, value, cf: CF_DEFAULT })).toEqual({});
      }
      const collected: KvPair[] = [];
      let startKey: Buffer = Buffer.alloc(0);
      for (let pages = 0; pages < 1000; pages++) {
        const limit = rng.int(1, 40);
        const page = await fixture.api.rawScan({ startKey, limit, cf: CF_DEFAULT });
        expect(page.error).toBeUndefined();
        expect(page.kvs.length).toBeLessThanOrEqual(limit);
        collected.push(...page.kvs);
        if (page.kvs.length < limit) break;
        // The next page starts just after the last key: the smallest key greater than it.
        startKey = Buffer.concat([page.kvs[page.kvs.length - 1].key, Buffer.from([0x00])]);
      }
      expect(asHex(collected)).toEqual(asHex(modelScan(model, CF_DEFAULT, Buffer.alloc(0), Number.MAX_SAFE_INTEGER)));
    });
  });

  test('[1] random puts, deletes, gets and scans over every column family match a model', async () => {
    await forEachSeed(2, async (seed) => {
      const keyArbitrary = fc.uint8Array({ minLength: 1, maxLength: 3, max: 3 }).map((bytes) => Buffer.from(bytes));
      const cfArbitrary = fc.constantFrom<ColumnFamily>(...COLUMN_FAMILIES);
      const operation = fc.oneof(
        fc.record({ kind: fc.constant('put' as const), cf: cfArbitrary, key: keyArbitrary, value: fc.uint8Array({ maxLength: 4 }).map((bytes) => Buffer.from(bytes)) }),
        fc.record({ kind: fc.constant('delete' as const), cf: cfArbitrary, key: keyArbitrary }),
        fc.record({ kind: fc.constant('get' as const), cf: cfArbitrary, key: keyArbitrary }),
        fc.record({ kind: fc.constant('scan' as const), cf: cfArbitrary, key: keyArbitrary, limit: fc.integer({ min: 0, max: 8 }) }),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(operation, { maxLength: 60 }), async (operations) => {
          await fixture.storage.stop();
          await fixture.storage.start();
          const model = emptyModel();
          for (const op of operations) {
            const family = model.get(op.cf)!;
            if (op.kind === 'put') {
              expect(await fixture.api.rawPut({ key: op.key, value: op.value, cf: op.cf })).toEqual({});
              family.set(op.key.toString('hex'), op.value);
            } else if (op.kind === 'delete') {
              expect(await fixture.api.rawDelete({ key: op.key, cf: op.cf })).toEqual({});
              family.delete(op.key.toString('hex'));
            } else if (op.kind === 'get') {
              const expected = family.get(op.key.toString('hex'));
              const response = await fixture.api.rawGet({ key: op.key, cf: op.cf });
              expect(response).toEqual(expected === undefined ? { notFound: true } : { value: expected, notFound: false });
            } else {
              const response = await fixture.api.rawScan({ startKey: op.key, limit: op.limit, cf: op.cf });
              expect(asHex(response.kvs)).toEqual(asHex(modelScan(model, op.cf, op.key, op.limit)));
            }
          }
        }),
        { seed, numRuns: 25 },
      );
    });
  });

  test('[1] rawScan from a start key between two keys begins at the next greater key', async () => {
    for (const key of ['apple', 'banana', 'cherry']) await fixture.api.rawPut({ key: b(key), value: b(key.toUpperCase()), cf: CF_DEFAULT });
    const between = await fixture.api.rawScan({ startKey: b('apricot'), limit: 5, cf: CF_DEFAULT });
    expect(asText(between.kvs)).toEqual([
      ['banana', 'BANANA'],
      ['cherry', 'CHERRY'],
    ]);
    const prefix = await fixture.api.rawScan({ startKey: b('ban'), limit: 1, cf: CF_DEFAULT });
    expect(asText(prefix.kvs)).toEqual([['banana', 'BANANA']]);
  });

  test('[1] rawDelete of a missing key succeeds and changes nothing', async () => {
    await fixture.api.rawPut({ key: b('keep'), value: b('v'), cf: CF_DEFAULT });
    expect(await fixture.api.rawDelete({ key: b('never-written'), cf: CF_DEFAULT })).toEqual({});
    expect(await fixture.api.rawDelete({ key: b('keep'), cf: CF_LOCK })).toEqual({});
    const scan = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 10, cf: CF_DEFAULT });
    expect(asText(scan.kvs)).toEqual([['keep', 'v']]);
  });

  test('[1] rawScan with a limit above the key count returns every key exactly once', async () => {
    for (const key of ['c', 'a', 'b']) await fixture.api.rawPut({ key: b(key), value: b(key), cf: CF_WRITE });
    await fixture.api.rawPut({ key: b('a'), value: b('again'), cf: CF_WRITE });
    const scan = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 1000, cf: CF_WRITE });
    expect(asText(scan.kvs)).toEqual([
      ['a', 'again'],
      ['b', 'b'],
      ['c', 'c'],
    ]);
  });

  test('[1] a request context is accepted and does not change the answer', async () => {
    const context: RequestContext = { regionId: 1, regionEpoch: { confVer: 1, version: 1 }, peer: { id: 1, storeId: 1 } };
    expect(await fixture.api.rawPut({ context, key: b('k'), value: b('v'), cf: CF_DEFAULT })).toEqual({});
    expect(await fixture.api.rawGet({ context, key: b('k'), cf: CF_DEFAULT })).toEqual({ value: b('v'), notFound: false });
    expect(asText((await fixture.api.rawScan({ context, startKey: b('k'), limit: 1, cf: CF_DEFAULT })).kvs)).toEqual([['k', 'v']]);
    expect(await fixture.api.rawDelete({ context, key: b('k'), cf: CF_DEFAULT })).toEqual({});
  });
});

/** A storage whose every call fails, as a crashed disk would. */
class FailingStorage implements Storage {
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  async write(): Promise<void> {
    throw new Error('disk on fire');
  }
  async reader(): Promise<StorageReader> {
    throw new Error('disk on fire');
  }
}

/** Wraps a storage so that iterators throw on `value()`, and counts what was closed. */
class BrokenIteratorStorage implements Storage {
  readersOpen = 0;
  iteratorsOpen = 0;
  constructor(private readonly inner: Storage) {}
  start(): Promise<void> {
    return this.inner.start();
  }
  stop(): Promise<void> {
    return this.inner.stop();
  }
  write(ctx: RequestContext, batch: readonly Modify[]): Promise<void> {
    return this.inner.write(ctx, batch);
  }
  async reader(ctx: RequestContext): Promise<StorageReader> {
    const inner = await this.inner.reader(ctx);
    this.readersOpen++;
    return {
      getCF: (cf, key) => inner.getCF(cf, key),
      iterCF: (cf): EngineIterator => {
        const iterator = inner.iterCF(cf);
        this.iteratorsOpen++;
        return {
          seek: (key) => iterator.seek(key),
          seekToFirst: () => iterator.seekToFirst(),
          valid: () => iterator.valid(),
          key: () => iterator.key(),
          value: () => {
            throw new Error('checksum mismatch while reading a value');
          },
          next: () => iterator.next(),
          close: () => {
            this.iteratorsOpen--;
            iterator.close();
          },
        };
      },
      close: () => {
        this.readersOpen--;
        inner.close();
      },
    };
  }
}

describe('raw API failures', () => {
  test('[1] a failing storage is answered with error responses, never a rejection', async () => {
    const api = new RawApi(new FailingStorage());
    const get = await api.rawGet({ key: b('k'), cf: CF_DEFAULT });
    expect(get.error).toMatch(/disk on fire/);
    expect(get.notFound).toBe(false);
    expect((await api.rawPut({ key: b('k'), value: b('v'), cf: CF_DEFAULT })).error).toMatch(/disk on fire/);
    expect((await api.rawDelete({ key: b('k'), cf: CF_DEFAULT })).error).toMatch(/disk on fire/);
    const scan = await api.rawScan({ startKey: b('k'), limit: 1, cf: CF_DEFAULT });
    expect(scan.error).toMatch(/disk on fire/);
    expect(scan.kvs).toEqual([]);
  });

  test('[1] rawScan still closes its iterator and reader when reading a value throws', async () => {
    const fixture = await startFixture('memory');
    try {
      await fixture.storage.write({}, [put(CF_DEFAULT, 'a', '1')]);
      const broken = new BrokenIteratorStorage(fixture.storage);
      const api = new RawApi(broken);
      const scan = await api.rawScan({ startKey: Buffer.alloc(0), limit: 5, cf: CF_DEFAULT });
      expect(scan.error).toMatch(/checksum mismatch/);
      expect(scan.kvs).toEqual([]);
      expect({ readersOpen: broken.readersOpen, iteratorsOpen: broken.iteratorsOpen }).toEqual({ readersOpen: 0, iteratorsOpen: 0 });
    } finally {
      await fixture.cleanup();
    }
  });

  test('[1] a key longer than the lmdb backend accepts is answered with an error response', async () => {
    const fixture = await startFixture('lmdb');
    try {
      const tooLong = Buffer.alloc(8 * 1024, 0x61);
      const response = await fixture.api.rawPut({ key: tooLong, value: b('v'), cf: CF_DEFAULT });
      expect(response.error).toEqual(expect.any(String));
      // The server keeps working after the refused request.
      expect(await fixture.api.rawPut({ key: b('ok'), value: b('v'), cf: CF_DEFAULT })).toEqual({});
      expect(await fixture.api.rawGet({ key: b('ok'), cf: CF_DEFAULT })).toEqual({ value: b('v'), notFound: false });
    } finally {
      await fixture.cleanup();
    }
  });
});
