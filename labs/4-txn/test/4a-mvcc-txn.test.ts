/**
 * Stage 4A public tests: the MVCC transaction layer (labs/4-txn/src/mvcc-txn.ts).
 *
 * Goal: every MvccTxn method buffers exactly the modification the layout requires (checked
 * byte for byte against hand-written arrays) and every read method finds the right version.
 * Method: each test arranges raw records in an in-memory engine with the provided codec, runs
 * one MvccTxn method, and compares buffered modifications or returned records. Then a
 * model-based test (mvcc-model.ts) runs generated programs of overlapping transactions on
 * adjacent keys that share prefixes, each with many versions, and compares every read method
 * with a plain model at every interesting timestamp.
 */
import { CF_DEFAULT, CF_LOCK, CF_WRITE } from '../../common/engine/engine';
import { encodeKey } from '../src/codec';
import { Lock } from '../src/lock-record';
import { MvccTxn } from '../src/mvcc-txn';
import { Write, WriteKind } from '../src/write-record';
import { TxnFixture, bytes, text } from './txn-fixture';
import { checkMvccAgainstModel } from './mvcc-model';
import { forEachSeed } from '../../common/testkit/seeds';

/** encodeKey([3], 100) written out by hand: one memcomparable group, then ~100 big-endian. */
const KEY3_AT_100 = bytes(3, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x9b);

let fixture: TxnFixture;
beforeEach(() => {
  fixture = new TxnFixture();
});

describe('[4A] buffered writes', () => {
  test('[4A] putValue buffers a CF_DEFAULT put under the key encoded with the start ts', async () => {
    const writes = await fixture.withTxn(100, (txn) => {
      txn.putValue(bytes(3), bytes(42));
      return txn.writes();
    });
    expect(writes).toEqual([{ kind: 'put', cf: CF_DEFAULT, key: KEY3_AT_100, value: bytes(42) }]);
  });

  test('[4A] deleteValue buffers a CF_DEFAULT delete under the key encoded with the start ts', async () => {
    const writes = await fixture.withTxn(100, (txn) => {
      txn.deleteValue(bytes(3));
      return txn.writes();
    });
    expect(writes).toEqual([{ kind: 'delete', cf: CF_DEFAULT, key: KEY3_AT_100 }]);
  });

  test('[4A] putWrite buffers a 9-byte record (kind, start ts) under the key encoded with the commit ts', async () => {
    const writes = await fixture.withTxn(90, (txn) => {
      txn.putWrite(bytes(3), 100, new Write(90, WriteKind.Put));
      return txn.writes();
    });
    expect(writes).toEqual([{ kind: 'put', cf: CF_WRITE, key: KEY3_AT_100, value: bytes(1, 0, 0, 0, 0, 0, 0, 0, 90) }]);
  });

  test('[4A] putLock buffers the lock bytes under the raw key in CF_LOCK', async () => {
    const writes = await fixture.withTxn(100, (txn) => {
      txn.putLock(bytes(3), new Lock(bytes(1, 2), 100, 7, WriteKind.Delete));
      return txn.writes();
    });
    const lockBytes = bytes(2, 0, 0, 0, 2, 1, 2, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 7);
    expect(writes).toEqual([{ kind: 'put', cf: CF_LOCK, key: bytes(3), value: lockBytes }]);
  });

  test('[4A] deleteLock buffers a CF_LOCK delete of the raw key', async () => {
    const writes = await fixture.withTxn(100, (txn) => {
      txn.deleteLock(bytes(3));
      return txn.writes();
    });
    expect(writes).toEqual([{ kind: 'delete', cf: CF_LOCK, key: bytes(3) }]);
  });

  test('[4A] writes are only buffered, in order, and reach the storage only when applied', async () => {
    const reader = await fixture.reader();
    const txn = new MvccTxn(reader, 100);
    txn.putValue(bytes(1), bytes(10));
    txn.putLock(bytes(1), new Lock(bytes(1), 100, 5, WriteKind.Put));
    txn.deleteLock(bytes(2));
    expect(txn.writes().map((w) => [w.kind, w.cf])).toEqual([
      ['put', CF_DEFAULT],
      ['put', CF_LOCK],
      ['delete', CF_LOCK],
    ]);
    expect(fixture.counts()).toEqual([0, 0, 0]);
    await fixture.apply(txn);
    reader.close();
    expect(fixture.counts()).toEqual([1, 1, 0]);
  });

  test('[4A] encoded keys sort by user key ascending, then by timestamp descending', async () => {
    const writesAt = (ts: number, keys: Buffer[]) =>
      fixture.withTxn(ts, (txn) => {
        for (const key of keys) txn.putValue(key, bytes(ts));
        return txn;
      });
    // 'a' and 'a\0' and 9-byte keys straddle the group boundary: naive concatenation would misorder them.
    const keys = [text('a'), text('a\0'), text('b'), text('abcdefgh'), text('abcdefgh\0')];
    for (const ts of [5, 50, 20]) await fixture.apply(await writesAt(ts, keys));
    const order = fixture.entries(CF_DEFAULT).map((entry) => entry.value[0]);
    const expectedKeyOrder = [text('a'), text('a\0'), text('abcdefgh'), text('abcdefgh\0'), text('b')];
    expect(fixture.entries(CF_DEFAULT).map((entry) => entry.key)).toEqual(
      expectedKeyOrder.flatMap((key) => [50, 20, 5].map((ts) => encodeKey(key, ts))),
    );
    expect(order).toEqual(expectedKeyOrder.flatMap(() => [50, 20, 5]));
  });
});

describe('[4A] locks', () => {
  test('[4A] getLock returns undefined for an unlocked key', async () => {
    fixture.prewritten(bytes(2), bytes(1), bytes(2), 50);
    expect(await fixture.withTxn(100, (txn) => txn.getLock(bytes(3)))).toBeUndefined();
  });

  test('[4A] getLock decodes the lock stored under the raw key', async () => {
    fixture.putRaw(CF_LOCK, bytes(3), bytes(1, 0, 0, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0, 80, 0, 0, 0, 0, 0, 0, 0, 30));
    const lock = await fixture.withTxn(100, (txn) => txn.getLock(bytes(3)));
    expect(lock).toEqual(new Lock(bytes(9), 80, 30, WriteKind.Put));
  });
});

describe('[4A] getValue', () => {
  test('[4A] getValue returns undefined for a key that was never written', async () => {
    fixture.committed(bytes(4), bytes(44), 10, 20);
    expect(await fixture.withTxn(100, (txn) => txn.getValue(bytes(3)))).toBeUndefined();
  });

  test('[4A] a value is invisible to transactions that start before its commit ts', async () => {
    fixture.committed(bytes(3), bytes(42), 10, 20);
    expect(await fixture.withTxn(15, (txn) => txn.getValue(bytes(3)))).toBeUndefined();
    expect(await fixture.withTxn(19, (txn) => txn.getValue(bytes(3)))).toBeUndefined();
    expect(await fixture.withTxn(20, (txn) => txn.getValue(bytes(3)))).toEqual(bytes(42));
    expect(await fixture.withTxn(25, (txn) => txn.getValue(bytes(3)))).toEqual(bytes(42));
  });

  test('[4A] a prewritten but uncommitted value is invisible', async () => {
    fixture.prewritten(bytes(3), bytes(42), bytes(3), 10);
    expect(await fixture.withTxn(30, (txn) => txn.getValue(bytes(3)))).toBeUndefined();
  });

  test('[4A] each start ts sees the version committed last at or before it', async () => {
    fixture.committed(bytes(3), bytes(1), 10, 20).committed(bytes(3), bytes(2), 30, 40).committed(bytes(3), bytes(3), 50, 60);
    const seen = await Promise.all(
      [20, 35, 40, 59, 60, 1000].map((ts) => fixture.withTxn(ts, (txn) => txn.getValue(bytes(3)))),
    );
    expect(seen).toEqual([bytes(1), bytes(1), bytes(2), bytes(2), bytes(3), bytes(3)]);
  });

  test('[4A] a committed delete hides older values and a later put shows again', async () => {
    fixture.committed(bytes(3), bytes(1), 10, 20).committed(bytes(3), undefined, 30, 40).committed(bytes(3), bytes(3), 50, 60);
    expect(await fixture.withTxn(45, (txn) => txn.getValue(bytes(3)))).toBeUndefined();
    expect(await fixture.withTxn(25, (txn) => txn.getValue(bytes(3)))).toEqual(bytes(1));
    expect(await fixture.withTxn(65, (txn) => txn.getValue(bytes(3)))).toEqual(bytes(3));
  });

  test('[4A] rollback records are skipped: the older committed value stays visible', async () => {
    fixture.committed(bytes(3), bytes(7), 10, 20).rolledBack(bytes(3), 30);
    expect(await fixture.withTxn(40, (txn) => txn.getValue(bytes(3)))).toEqual(bytes(7));
  });

  test('[4A] getValue never returns a value of the next key', async () => {
    fixture.committed(bytes(3, 0), bytes(30), 10, 20).committed(bytes(4), bytes(40), 10, 20);
    expect(await fixture.withTxn(100, (txn) => txn.getValue(bytes(3)))).toBeUndefined();
    expect(await fixture.withTxn(100, (txn) => txn.getValue(bytes(3, 0)))).toEqual(bytes(30));
  });

  test('[4A] values buffered and applied by one transaction are read back by a later one', async () => {
    const writer = await fixture.withTxn(10, (txn) => {
      txn.putValue(text('k'), text('v'));
      txn.putWrite(text('k'), 12, new Write(10, WriteKind.Put));
      return txn;
    });
    await fixture.apply(writer);
    expect(await fixture.withTxn(13, (txn) => txn.getValue(text('k')))).toEqual(text('v'));
    expect(await fixture.withTxn(11, (txn) => txn.getValue(text('k')))).toBeUndefined();
  });
});

describe('[4A] currentWrite and mostRecentWrite', () => {
  test('[4A] currentWrite finds the write of this start ts among newer and older writes', async () => {
    fixture.committed(bytes(3), bytes(1), 10, 20).committed(bytes(3), bytes(2), 30, 40).committed(bytes(3), bytes(3), 50, 60);
    const found = await fixture.withTxn(30, (txn) => txn.currentWrite(bytes(3)));
    expect(found).toEqual({ write: new Write(30, WriteKind.Put), commitTs: 40 });
  });

  test('[4A] currentWrite returns undefined when only other transactions wrote the key', async () => {
    fixture.committed(bytes(3), bytes(1), 10, 20).committed(bytes(3), bytes(2), 30, 40).committed(bytes(4), bytes(4), 25, 26);
    expect(await fixture.withTxn(25, (txn) => txn.currentWrite(bytes(3)))).toBeUndefined();
    expect(await fixture.withTxn(25, (txn) => txn.currentWrite(bytes(5)))).toBeUndefined();
  });

  test('[4A] currentWrite finds a rollback record, whose commit ts is its start ts', async () => {
    fixture.committed(bytes(3), bytes(1), 10, 20).rolledBack(bytes(3), 30).committed(bytes(3), bytes(2), 35, 40);
    const found = await fixture.withTxn(30, (txn) => txn.currentWrite(bytes(3)));
    expect(found).toEqual({ write: new Write(30, WriteKind.Rollback), commitTs: 30 });
  });

  test('[4A] mostRecentWrite returns the newest write even when it is newer than the start ts', async () => {
    fixture.committed(bytes(3), bytes(1), 10, 20).committed(bytes(3), undefined, 30, 40);
    const found = await fixture.withTxn(15, (txn) => txn.mostRecentWrite(bytes(3)));
    expect(found).toEqual({ write: new Write(30, WriteKind.Delete), commitTs: 40 });
  });

  test('[4A] mostRecentWrite returns undefined for a key without writes, even beside written keys', async () => {
    fixture.committed(bytes(2), bytes(1), 10, 20).committed(bytes(4), bytes(1), 10, 20);
    expect(await fixture.withTxn(100, (txn) => txn.mostRecentWrite(bytes(3)))).toBeUndefined();
    expect(await fixture.withTxn(100, (txn) => txn.mostRecentWrite(bytes(4)))).toEqual({ write: new Write(10, WriteKind.Put), commitTs: 20 });
  });
});

describe('[4A] the MVCC layer, model-based', () => {
  test('[4A] on adjacent keys sharing prefixes, with many versions, overlapping commits and rollbacks, every read matches a plain model', () =>
    forEachSeed(3, (seed) => checkMvccAgainstModel(seed, 25)),
  );
});
