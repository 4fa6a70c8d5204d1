/**
 * Stage 1 public tests: the raw API (RawGet, RawPut, RawDelete, RawScan) end to end.
 *
 * Goal: check every behaviour TinyKV's stage-1 suite checks (get, not found, put, delete,
 * scan, scan limit, scan after put/delete, iterating around deletes), plus column-family
 * isolation, empty value vs missing key, scan edge cases, bad input answered with an error
 * response, and that handlers close what they open.
 * Method: each test starts a fresh `StandaloneStorage`, talks to it through `RawApi` (and
 * sometimes directly through `Storage.write` / `Storage.reader`), and compares answers with
 * exact expected values. The core behaviours run on both backends (memory and LMDB).
 * Handout: labs/1-standalone/README.md.
 */
import { CF_DEFAULT, CF_LOCK, CF_WRITE } from '../../common/engine/engine';
import type { RawGetRequest, RawPutRequest, RawScanRequest, RawDeleteRequest } from '../../common/proto/raw';
import { RawApi } from '../src/raw-api';
import { RecordingStorage } from './recording-storage';
import { BACKENDS, asText, b, put, startFixture } from './storage-fixture';
import type { StorageFixture } from './storage-fixture';

describe.each(BACKENDS)('raw API on the %s engine', (backend) => {
  let fixture: StorageFixture;
  beforeEach(async () => {
    fixture = await startFixture(backend);
  });
  afterEach(async () => {
    // Unset when startFixture threw (a stub's start): that error is then the test's only failure.
    await fixture?.cleanup();
  });

  test('[1] rawGet returns a value written through the storage', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'color', 'blue')]);
    const response = await fixture.api.rawGet({ key: b('color'), cf: CF_DEFAULT });
    expect(response).toEqual({ value: b('blue'), notFound: false });
  });

  test('[1] rawGet of a missing key answers notFound, with no value and no error', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'present', 'x')]);
    const response = await fixture.api.rawGet({ key: b('absent'), cf: CF_DEFAULT });
    // A missing key is a normal answer, not an error (handout: "A missing key is not an error").
    expect(response.error).toBeUndefined();
    expect(response.notFound).toBe(true);
    expect(response.value).toBeUndefined();
  });

  test('[1] rawPut stores a value the storage reader then returns', async () => {
    const response = await fixture.api.rawPut({ key: b('city'), value: b('Lyon'), cf: CF_DEFAULT });
    expect(response.error).toBeUndefined();
    const reader = await fixture.storage.reader({});
    try {
      expect(reader.getCF(CF_DEFAULT, b('city'))?.toString()).toBe('Lyon');
    } finally {
      reader.close();
    }
  });

  test('[1] rawGet returns the latest value rawPut stored', async () => {
    await fixture.api.rawPut({ key: b('k'), value: b('first'), cf: CF_DEFAULT });
    await fixture.api.rawPut({ key: b('k'), value: b('second'), cf: CF_DEFAULT });
    const response = await fixture.api.rawGet({ key: b('k'), cf: CF_DEFAULT });
    expect(response).toEqual({ value: b('second'), notFound: false });
  });

  test('[1] rawGet after rawDelete answers notFound', async () => {
    await fixture.api.rawPut({ key: b('k'), value: b('v'), cf: CF_DEFAULT });
    expect(await fixture.api.rawDelete({ key: b('k'), cf: CF_DEFAULT })).toEqual({});
    const response = await fixture.api.rawGet({ key: b('k'), cf: CF_DEFAULT });
    expect(response).toEqual({ notFound: true });
  });

  test('[1] rawDelete removes a key written through the storage', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'a', '1'), put(CF_DEFAULT, 'b', '2')]);
    expect(await fixture.api.rawDelete({ key: b('a'), cf: CF_DEFAULT })).toEqual({});
    const reader = await fixture.storage.reader({});
    try {
      expect(reader.getCF(CF_DEFAULT, b('a'))).toBeUndefined();
      expect(reader.getCF(CF_DEFAULT, b('b'))?.toString()).toBe('2');
    } finally {
      reader.close();
    }
  });

  test('[1] rawScan returns at most limit pairs in key order from the start key', async () => {
    await fixture.storage.write({}, [
      put(CF_DEFAULT, 'e', '5'),
      put(CF_DEFAULT, 'a', '1'),
      put(CF_DEFAULT, 'c', '3'),
      put(CF_DEFAULT, 'b', '2'),
      put(CF_DEFAULT, 'd', '4'),
    ]);
    const response = await fixture.api.rawScan({ startKey: b('b'), limit: 3, cf: CF_DEFAULT });
    expect(response.error).toBeUndefined();
    expect(asText(response.kvs)).toEqual([
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
    ]);
  });

  test('[1] rawScan sees the keys rawPut added', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'a', '1'), put(CF_DEFAULT, 'c', '3')]);
    await fixture.api.rawPut({ key: b('b'), value: b('2'), cf: CF_DEFAULT });
    await fixture.api.rawPut({ key: b('d'), value: b('4'), cf: CF_DEFAULT });
    const response = await fixture.api.rawScan({ startKey: b('a'), limit: 10, cf: CF_DEFAULT });
    expect(asText(response.kvs)).toEqual([
      ['a', '1'],
      ['b', '2'],
      ['c', '3'],
      ['d', '4'],
    ]);
  });

  test('[1] rawScan skips the keys rawDelete removed', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'a', '1'), put(CF_DEFAULT, 'b', '2'), put(CF_DEFAULT, 'c', '3')]);
    await fixture.api.rawDelete({ key: b('b'), cf: CF_DEFAULT });
    const response = await fixture.api.rawScan({ startKey: b('a'), limit: 3, cf: CF_DEFAULT });
    // With limit 3 and 'b' gone, exactly two pairs remain: the deleted key must not appear.
    expect(asText(response.kvs)).toEqual([
      ['a', '1'],
      ['c', '3'],
    ]);
  });

  test('[1] a reader iterator walks past deleted keys and stops at the end', async () => {
    const keys = ['k1', 'k2', 'k3', 'k4'];
    for (const key of keys) await fixture.api.rawPut({ key: b(key), value: b(`v-${key}`), cf: CF_DEFAULT });
    await fixture.api.rawDelete({ key: b('k2'), cf: CF_DEFAULT });
    await fixture.api.rawDelete({ key: b('k4'), cf: CF_DEFAULT });
    const reader = await fixture.storage.reader({});
    const iterator = reader.iterCF(CF_DEFAULT);
    const seen: string[] = [];
    try {
      for (iterator.seek(b('k1')); iterator.valid(); iterator.next()) {
        seen.push(`${iterator.key().toString()}=${iterator.value().toString()}`);
      }
    } finally {
      iterator.close();
      reader.close();
    }
    expect(seen).toEqual(['k1=v-k1', 'k3=v-k3']);
  });
});

describe('raw API edge cases', () => {
  let fixture: StorageFixture;
  beforeEach(async () => {
    fixture = await startFixture('memory');
  });
  afterEach(async () => {
    // Unset when startFixture threw (a stub's start): that error is then the test's only failure.
    await fixture?.cleanup();
  });

  test('[1] column families are isolated: the same key holds a separate value in each', async () => {
    await fixture.api.rawPut({ key: b('k'), value: b('in-default'), cf: CF_DEFAULT });
    await fixture.api.rawPut({ key: b('k'), value: b('in-lock'), cf: CF_LOCK });
    await fixture.api.rawPut({ key: b('only-write'), value: b('w'), cf: CF_WRITE });
    expect(await fixture.api.rawGet({ key: b('k'), cf: CF_DEFAULT })).toEqual({ value: b('in-default'), notFound: false });
    expect(await fixture.api.rawGet({ key: b('k'), cf: CF_LOCK })).toEqual({ value: b('in-lock'), notFound: false });
    expect(await fixture.api.rawGet({ key: b('k'), cf: CF_WRITE })).toEqual({ notFound: true });
    await fixture.api.rawDelete({ key: b('k'), cf: CF_LOCK });
    expect(await fixture.api.rawGet({ key: b('k'), cf: CF_DEFAULT })).toEqual({ value: b('in-default'), notFound: false });
    const writeScan = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 10, cf: CF_WRITE });
    expect(asText(writeScan.kvs)).toEqual([['only-write', 'w']]);
    const lockScan = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 10, cf: CF_LOCK });
    expect(lockScan.kvs).toEqual([]);
  });

  test('[1] an empty value is a present value, unlike a missing key', async () => {
    await fixture.api.rawPut({ key: b('empty'), value: Buffer.alloc(0), cf: CF_DEFAULT });
    const present = await fixture.api.rawGet({ key: b('empty'), cf: CF_DEFAULT });
    expect(present).toEqual({ value: Buffer.alloc(0), notFound: false });
    const missing = await fixture.api.rawGet({ key: b('missing'), cf: CF_DEFAULT });
    expect(missing).toEqual({ notFound: true });
    const scan = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 10, cf: CF_DEFAULT });
    expect(asText(scan.kvs)).toEqual([['empty', '']]);
  });

  test('[1] rawScan with limit 0 returns no pairs and no error', async () => {
    await fixture.api.rawPut({ key: b('a'), value: b('1'), cf: CF_DEFAULT });
    const response = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 0, cf: CF_DEFAULT });
    expect(response).toEqual({ kvs: [] });
  });

  test('[1] rawScan from a start key past the last key returns no pairs', async () => {
    await fixture.api.rawPut({ key: b('a'), value: b('1'), cf: CF_DEFAULT });
    await fixture.api.rawPut({ key: b('m'), value: b('2'), cf: CF_DEFAULT });
    const response = await fixture.api.rawScan({ startKey: b('n'), limit: 10, cf: CF_DEFAULT });
    expect(response).toEqual({ kvs: [] });
  });

  test('[1] rawScan from the empty start key begins at the first key', async () => {
    await fixture.api.rawPut({ key: b('b'), value: b('2'), cf: CF_DEFAULT });
    await fixture.api.rawPut({ key: b('a'), value: b('1'), cf: CF_DEFAULT });
    const response = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 1, cf: CF_DEFAULT });
    expect(asText(response.kvs)).toEqual([['a', '1']]);
  });

  test('[1] an unknown column family is answered with an error response by every handler', async () => {
    const cf = 'colour' as unknown as typeof CF_DEFAULT;
    const get = await fixture.api.rawGet({ key: b('k'), cf });
    const putResponse = await fixture.api.rawPut({ key: b('k'), value: b('v'), cf });
    const deleteResponse = await fixture.api.rawDelete({ key: b('k'), cf });
    const scan = await fixture.api.rawScan({ startKey: b('k'), limit: 1, cf });
    expect(get.error).toMatch(/colour/);
    expect(get.notFound).toBe(false);
    expect(putResponse.error).toMatch(/colour/);
    expect(deleteResponse.error).toMatch(/colour/);
    expect(scan.error).toMatch(/colour/);
    expect(scan.kvs).toEqual([]);
  });

  test('[1] missing or mistyped fields are answered with an error response, and nothing is written', async () => {
    const api = fixture.api;
    const noKey = await api.rawGet({ cf: CF_DEFAULT } as unknown as RawGetRequest);
    expect(noKey.error).toMatch(/'key'/);
    const noValue = await api.rawPut({ key: b('k'), cf: CF_DEFAULT } as unknown as RawPutRequest);
    expect(noValue.error).toMatch(/'value'/);
    const stringValue = await api.rawPut({ key: b('k'), value: 'text', cf: CF_DEFAULT } as unknown as RawPutRequest);
    expect(stringValue.error).toMatch(/'value'/);
    const noCf = await api.rawDelete({ key: b('k') } as unknown as RawDeleteRequest);
    expect(noCf.error).toMatch(/'cf'/);
    const badLimit = await api.rawScan({ startKey: b('a'), limit: -1, cf: CF_DEFAULT } as RawScanRequest);
    expect(badLimit.error).toMatch(/'limit'/);
    const noStart = await api.rawScan({ limit: 5, cf: CF_DEFAULT } as unknown as RawScanRequest);
    expect(noStart.error).toMatch(/'startKey'/);
    const notAnObject = await api.rawGet(null as unknown as RawGetRequest);
    expect(notAnObject.error).toEqual(expect.any(String));
    // The rejected puts must not have written anything.
    expect(await api.rawGet({ key: b('k'), cf: CF_DEFAULT })).toEqual({ notFound: true });
  });

  test('[1] rawScan and rawGet close every iterator and reader they open, iterator first', async () => {
    const recording = new RecordingStorage(fixture.storage);
    const api = new RawApi(recording);
    await api.rawPut({ key: b('a'), value: b('1'), cf: CF_DEFAULT });
    await api.rawPut({ key: b('b'), value: b('2'), cf: CF_DEFAULT });
    expect(asText((await api.rawScan({ startKey: b('a'), limit: 1, cf: CF_DEFAULT })).kvs)).toEqual([['a', '1']]);
    expect((await api.rawGet({ key: b('b'), cf: CF_DEFAULT })).notFound).toBe(false);
    expect(recording.events).toEqual(['reader-open 1', 'iterator-open 2', 'iterator-close 2', 'reader-close 1', 'reader-open 3', 'reader-close 3']);
    expect(recording.openReaders()).toBe(0);
    expect(recording.openIterators()).toBe(0);
  });

  test('[1] buffers are copies: changing a sent or received buffer does not change the store', async () => {
    const key = b('key');
    const value = b('value');
    await fixture.api.rawPut({ key, value, cf: CF_DEFAULT });
    value.write('XXXXX');
    key.write('zzz');
    const first = await fixture.api.rawGet({ key: b('key'), cf: CF_DEFAULT });
    expect(first.value?.toString()).toBe('value');
    first.value?.write('YYYYY');
    const scan = await fixture.api.rawScan({ startKey: Buffer.alloc(0), limit: 10, cf: CF_DEFAULT });
    expect(asText(scan.kvs)).toEqual([['key', 'value']]);
    scan.kvs[0].value.write('ZZZZZ');
    expect((await fixture.api.rawGet({ key: b('key'), cf: CF_DEFAULT })).value?.toString()).toBe('value');
  });
});
