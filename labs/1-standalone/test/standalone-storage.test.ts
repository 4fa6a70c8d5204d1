/**
 * Stage 1 public tests: `StandaloneStorage` and its reader, below the raw API.
 *
 * Goal: check the storage contract a server relies on: batches apply in order and
 * atomically, readers are point-in-time snapshots, iterators walk one column family in byte
 * order, closed readers and stopped storages refuse work, and the LMDB backend keeps its
 * data across stop/start and across a new storage opened on the same path.
 * Method: drive `StandaloneStorage` directly (write / reader / getCF / iterCF) on a fresh
 * store per test; LMDB stores live in temp dirs under os.tmpdir() that each test deletes.
 * Handout: labs/1-standalone/README.md.
 */
import * as fs from 'node:fs';
import { CF_DEFAULT, CF_LOCK, CF_WRITE } from '../../common/engine/engine';
import type { ColumnFamily, EngineIterator } from '../../common/engine/engine';
import type { StorageReader } from '../../common/storage/storage';
import { StandaloneStorage } from '../src/standalone-storage';
import { b, del, put, startFixture } from './storage-fixture';
import type { StorageFixture } from './storage-fixture';

/** Every `key=value` of `cf` from `start` on, through a fresh iterator that is closed after. */
function walk(reader: StorageReader, cf: ColumnFamily, start: Buffer = Buffer.alloc(0)): string[] {
  const iterator: EngineIterator = reader.iterCF(cf);
  const seen: string[] = [];
  try {
    for (iterator.seek(start); iterator.valid(); iterator.next()) {
      seen.push(`${iterator.key().toString()}=${iterator.value().toString()}`);
    }
  } finally {
    iterator.close();
  }
  return seen;
}

/** Reads `key` of `cf` with a fresh reader, as text (or `undefined`). */
async function readText(storage: StandaloneStorage, cf: ColumnFamily, key: string): Promise<string | undefined> {
  const reader = await storage.reader({});
  try {
    return reader.getCF(cf, b(key))?.toString();
  } finally {
    reader.close();
  }
}

describe('standalone storage on the memory engine', () => {
  let fixture: StorageFixture;
  beforeEach(async () => {
    fixture = await startFixture('memory');
  });
  afterEach(async () => {
    // Unset when startFixture threw (a stub's start): that error is then the test's only failure.
    await fixture?.cleanup();
  });

  test('[1] a written batch is readable per column family and a missing key reads as undefined', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'd'), put(CF_LOCK, 'k', 'l'), put(CF_WRITE, 'w', 'x')]);
    const reader = await fixture.storage.reader({});
    try {
      expect(reader.getCF(CF_DEFAULT, b('k'))?.toString()).toBe('d');
      expect(reader.getCF(CF_LOCK, b('k'))?.toString()).toBe('l');
      expect(reader.getCF(CF_WRITE, b('w'))?.toString()).toBe('x');
      // Missing keys are undefined — not an error and not an empty Buffer.
      expect(reader.getCF(CF_WRITE, b('k'))).toBeUndefined();
      expect(reader.getCF(CF_DEFAULT, b('nope'))).toBeUndefined();
    } finally {
      reader.close();
    }
  });

  test('[1] the modifications of one batch apply in order', async () => {
    await fixture.storage.write({}, [
      put(CF_DEFAULT, 'put-then-delete', 'v'),
      del(CF_DEFAULT, 'put-then-delete'),
      del(CF_DEFAULT, 'delete-then-put'),
      put(CF_DEFAULT, 'delete-then-put', 'v'),
      put(CF_DEFAULT, 'twice', 'old'),
      put(CF_DEFAULT, 'twice', 'new'),
    ]);
    expect(await readText(fixture.storage, CF_DEFAULT, 'put-then-delete')).toBeUndefined();
    expect(await readText(fixture.storage, CF_DEFAULT, 'delete-then-put')).toBe('v');
    expect(await readText(fixture.storage, CF_DEFAULT, 'twice')).toBe('new');
  });

  test('[1] a batch with a bad modification writes nothing', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'before', '1')]);
    const bad = { kind: 'put', cf: 'nonexistent', key: b('k'), value: b('v') } as unknown as ReturnType<typeof put>;
    await expect(fixture.storage.write({}, [put(CF_DEFAULT, 'good', '2'), bad])).rejects.toThrow(/nonexistent/);
    expect(await readText(fixture.storage, CF_DEFAULT, 'good')).toBeUndefined();
    expect(await readText(fixture.storage, CF_DEFAULT, 'before')).toBe('1');
  });

  test('[1] a reader keeps seeing the data as it was when the reader was created', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'a', 'old'), put(CF_DEFAULT, 'b', 'kept')]);
    const reader = await fixture.storage.reader({});
    try {
      await fixture.storage.write({}, [put(CF_DEFAULT, 'a', 'new'), del(CF_DEFAULT, 'b'), put(CF_DEFAULT, 'c', 'added')]);
      expect(reader.getCF(CF_DEFAULT, b('a'))?.toString()).toBe('old');
      expect(reader.getCF(CF_DEFAULT, b('b'))?.toString()).toBe('kept');
      expect(reader.getCF(CF_DEFAULT, b('c'))).toBeUndefined();
      expect(walk(reader, CF_DEFAULT)).toEqual(['a=old', 'b=kept']);
    } finally {
      reader.close();
    }
    expect(await readText(fixture.storage, CF_DEFAULT, 'a')).toBe('new');
  });

  test('[1] iterCF walks one column family in byte order from the sought key', async () => {
    await fixture.storage.write({}, [
      put(CF_DEFAULT, 'b', '2'),
      put(CF_DEFAULT, 'ab', '1b'),
      put(CF_DEFAULT, 'a', '1'),
      put(CF_DEFAULT, 'B', 'upper'),
      put(CF_LOCK, 'aa', 'lock'),
    ]);
    const reader = await fixture.storage.reader({});
    try {
      // Byte order: 'B' (0x42) < 'a' (0x61) < 'ab' < 'b'; a prefix sorts before its extensions.
      expect(walk(reader, CF_DEFAULT)).toEqual(['B=upper', 'a=1', 'ab=1b', 'b=2']);
      expect(walk(reader, CF_DEFAULT, b('aa'))).toEqual(['ab=1b', 'b=2']);
      expect(walk(reader, CF_LOCK)).toEqual(['aa=lock']);
    } finally {
      reader.close();
    }
  });

  test('[1] a closed reader refuses getCF and iterCF, and closing it twice is harmless', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'v')]);
    const reader = await fixture.storage.reader({});
    expect(reader.getCF(CF_DEFAULT, b('k'))?.toString()).toBe('v');
    reader.close();
    expect(() => reader.close()).not.toThrow();
    expect(() => reader.getCF(CF_DEFAULT, b('k'))).toThrow();
    expect(() => reader.iterCF(CF_DEFAULT)).toThrow();
  });

  test('[1] an iterator left open is unusable once its reader is closed', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'v')]);
    const reader = await fixture.storage.reader({});
    const iterator = reader.iterCF(CF_DEFAULT);
    iterator.seekToFirst();
    expect(iterator.key().toString()).toBe('k');
    reader.close();
    // Closing the reader first is the classic lifecycle bug: the iterator must not keep working.
    expect(() => iterator.next()).toThrow();
  });

  test('[1] a stopped storage refuses writes and readers until started again', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'v')]);
    expect(await readText(fixture.storage, CF_DEFAULT, 'k')).toBe('v');
    await fixture.storage.stop();
    await expect(fixture.storage.write({}, [put(CF_DEFAULT, 'k2', 'v')])).rejects.toThrow();
    await expect(fixture.storage.reader({})).rejects.toThrow();
    await expect(fixture.storage.stop()).resolves.toBeUndefined();
    await fixture.storage.start();
    await fixture.storage.write({}, [put(CF_DEFAULT, 'k3', 'v3')]);
    expect(await readText(fixture.storage, CF_DEFAULT, 'k3')).toBe('v3');
  });

  test('[1] starting a started storage is refused', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'v')]);
    await expect(fixture.storage.start()).rejects.toThrow();
    // The refused start must not have replaced the open engine.
    expect(await readText(fixture.storage, CF_DEFAULT, 'k')).toBe('v');
  });

  test('[1] an empty batch is accepted and changes nothing', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'v')]);
    await fixture.storage.write({}, []);
    const reader = await fixture.storage.reader({});
    try {
      expect(walk(reader, CF_DEFAULT)).toEqual(['k=v']);
    } finally {
      reader.close();
    }
  });
});

describe('standalone storage on the lmdb engine', () => {
  let fixture: StorageFixture;
  beforeEach(async () => {
    fixture = await startFixture('lmdb');
  });
  afterEach(async () => {
    // Unset when startFixture threw (a stub's start): that error is then the test's only failure.
    await fixture?.cleanup();
  });

  test('[1] data survives stop and start of the same storage', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'a', '1'), put(CF_LOCK, 'a', 'lock'), put(CF_DEFAULT, 'gone', 'x')]);
    await fixture.storage.write({}, [del(CF_DEFAULT, 'gone')]);
    await fixture.storage.stop();
    await fixture.storage.start();
    const reader = await fixture.storage.reader({});
    try {
      expect(walk(reader, CF_DEFAULT)).toEqual(['a=1']);
      expect(walk(reader, CF_LOCK)).toEqual(['a=lock']);
    } finally {
      reader.close();
    }
  });

  test('[1] a new storage opened on the same path sees everything written before', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'k1', 'v1'), put(CF_WRITE, 'k2', 'v2'), put(CF_DEFAULT, 'empty', '')]);
    await fixture.storage.stop();
    expect(fs.existsSync(fixture.config.engine === 'lmdb' ? fixture.config.path : '')).toBe(true);
    const reopened = new StandaloneStorage(fixture.config);
    await reopened.start();
    try {
      expect(await readText(reopened, CF_DEFAULT, 'k1')).toBe('v1');
      expect(await readText(reopened, CF_WRITE, 'k2')).toBe('v2');
      expect(await readText(reopened, CF_DEFAULT, 'empty')).toBe('');
      expect(await readText(reopened, CF_DEFAULT, 'k2')).toBeUndefined();
    } finally {
      await reopened.stop();
    }
  });

  test('[1] a reader keeps its snapshot on the lmdb engine too', async () => {
    await fixture.storage.write({}, [put(CF_DEFAULT, 'a', 'old')]);
    const reader = await fixture.storage.reader({});
    try {
      await fixture.storage.write({}, [put(CF_DEFAULT, 'a', 'new'), put(CF_DEFAULT, 'b', 'added')]);
      expect(walk(reader, CF_DEFAULT)).toEqual(['a=old']);
    } finally {
      reader.close();
    }
    expect(await readText(fixture.storage, CF_DEFAULT, 'a')).toBe('new');
  });
});
