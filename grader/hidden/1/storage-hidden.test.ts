/**
 * Stage 1 hidden tests: `StandaloneStorage` durability and concurrent readers.
 *
 * Goal: the LMDB backend keeps exactly the final state after many seeded writes and a
 * reopen; several readers open at once each keep their own snapshot; two iterators of one
 * reader are independent; a write is visible to the next reader; the memory backend starts
 * empty after stop/start, as its config documents.
 * Method: drive `StandaloneStorage` directly; random workloads come from `forEachSeed` and a
 * model map, so a failure names the seed that replays it.
 */
import { CF_DEFAULT, CF_LOCK, COLUMN_FAMILIES } from '../../../labs/common/engine/engine';
import type { ColumnFamily } from '../../../labs/common/engine/engine';
import { createRng } from '../../../labs/common/runtime/rng';
import type { Modify, StorageReader } from '../../../labs/common/storage/storage';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { StandaloneStorage } from '../../../labs/1-standalone/src/standalone-storage';
import { BACKENDS, b, del, put, startFixture } from '../../../labs/1-standalone/test/storage-fixture';

/** Every `hexKey=hexValue` of `cf`, through a fresh iterator that is closed after. */
function dump(reader: StorageReader, cf: ColumnFamily): string[] {
  const iterator = reader.iterCF(cf);
  const seen: string[] = [];
  try {
    for (iterator.seekToFirst(); iterator.valid(); iterator.next()) {
      seen.push(`${iterator.key().toString('hex')}=${iterator.value().toString('hex')}`);
    }
  } finally {
    iterator.close();
  }
  return seen;
}

describe('standalone storage durability', () => {
  test('[1] lmdb keeps exactly the final state after many batched writes and a reopen', async () => {
    await forEachSeed(2, async (seed) => {
      const fixture = await startFixture('lmdb');
      try {
        const rng = createRng(seed);
        const model = new Map<ColumnFamily, Map<string, string>>(COLUMN_FAMILIES.map((cf) => [cf, new Map()]));
        for (let batchNumber = 0; batchNumber < 60; batchNumber++) {
          const batch: Modify[] = [];
          for (let i = rng.int(1, 40); i > 0; i--) {
            const cf = rng.pick(COLUMN_FAMILIES);
            const key = Buffer.from(`key-${rng.int(0, 400)}`);
            if (rng.chance(0.25)) {
              batch.push(del(cf, key));
              model.get(cf)!.delete(key.toString('hex'));
            } else {
              const value = Buffer.from(`value-${batchNumber}-${i}`);
              batch.push(put(cf, key, value));
              model.get(cf)!.set(key.toString('hex'), value.toString('hex'));
            }
          }
          await fixture.storage.write({}, batch);
        }
        await fixture.storage.stop();
        const reopened = new StandaloneStorage(fixture.config);
        await reopened.start();
        try {
          const reader = await reopened.reader({});
          try {
            for (const cf of COLUMN_FAMILIES) {
              const expected = [...model.get(cf)!.entries()]
                .sort(([left], [right]) => Buffer.compare(Buffer.from(left, 'hex'), Buffer.from(right, 'hex')))
                .map(([key, value]) => `${key}=${value}`);
              expect({ cf, pairs: dump(reader, cf) }).toEqual({ cf, pairs: expected });
            }
          } finally {
            reader.close();
          }
        } finally {
          await reopened.stop();
        }
      } finally {
        await fixture.cleanup();
      }
    });
  });

  test('[1] the memory backend starts empty after stop and start', async () => {
    const fixture = await startFixture('memory');
    try {
      await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'v')]);
      await fixture.storage.stop();
      await fixture.storage.start();
      const reader = await fixture.storage.reader({});
      try {
        expect(reader.getCF(CF_DEFAULT, b('k'))).toBeUndefined();
      } finally {
        reader.close();
      }
    } finally {
      await fixture.cleanup();
    }
  });
});

describe.each(BACKENDS)('standalone storage readers on the %s engine', (backend) => {
  test('[1] several readers open at once each keep their own snapshot', async () => {
    const fixture = await startFixture(backend);
    const readers: StorageReader[] = [];
    try {
      await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'v1')]);
      readers.push(await fixture.storage.reader({}));
      await fixture.storage.write({}, [put(CF_DEFAULT, 'k', 'v2'), put(CF_LOCK, 'l', 'x')]);
      readers.push(await fixture.storage.reader({}));
      await fixture.storage.write({}, [del(CF_DEFAULT, 'k')]);
      readers.push(await fixture.storage.reader({}));
      const seen = () => readers.map((reader) => reader.getCF(CF_DEFAULT, b('k'))?.toString() ?? '<absent>');
      expect(seen()).toEqual(['v1', 'v2', '<absent>']);
      expect(readers.map((reader) => reader.getCF(CF_LOCK, b('l'))?.toString() ?? '<absent>')).toEqual(['<absent>', 'x', 'x']);
      // Closing the middle reader must not disturb the others.
      readers[1].close();
      expect(readers[0].getCF(CF_DEFAULT, b('k'))?.toString()).toBe('v1');
      expect(readers[2].getCF(CF_DEFAULT, b('k'))).toBeUndefined();
    } finally {
      for (const reader of readers) reader.close();
      await fixture.cleanup();
    }
  });

  test('[1] two iterators of one reader move independently', async () => {
    const fixture = await startFixture(backend);
    try {
      await fixture.storage.write({}, [put(CF_DEFAULT, 'a', '1'), put(CF_DEFAULT, 'b', '2'), put(CF_DEFAULT, 'c', '3')]);
      const reader = await fixture.storage.reader({});
      const first = reader.iterCF(CF_DEFAULT);
      const second = reader.iterCF(CF_DEFAULT);
      try {
        first.seekToFirst();
        second.seek(b('c'));
        first.next();
        expect([first.key().toString(), second.key().toString()]).toEqual(['b', 'c']);
        second.next();
        expect(second.valid()).toBe(false);
        expect(first.value().toString()).toBe('2');
      } finally {
        first.close();
        second.close();
        reader.close();
      }
    } finally {
      await fixture.cleanup();
    }
  });

  test('[1] a reader taken after a write sees that write', async () => {
    const fixture = await startFixture(backend);
    try {
      for (let round = 0; round < 20; round++) {
        await fixture.storage.write({}, [put(CF_DEFAULT, 'counter', String(round))]);
        const reader = await fixture.storage.reader({});
        try {
          expect(reader.getCF(CF_DEFAULT, b('counter'))?.toString()).toBe(String(round));
        } finally {
          reader.close();
        }
      }
    } finally {
      await fixture.cleanup();
    }
  });
});
