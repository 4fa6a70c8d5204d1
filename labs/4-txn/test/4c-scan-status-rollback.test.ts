/**
 * Stage 4C public tests: the scanner, kvScan, kvCheckTxnStatus, kvBatchRollback and
 * kvResolveLock (labs/4-txn/src/scanner.ts and txn-server.ts).
 *
 * Goal: scans return the latest visible value of each key once, in order, skipping deleted and
 * invisible keys; the fate of a transaction is read and settled from its primary exactly as
 * Percolator prescribes; rollbacks and resolutions write exactly the expected records. Method:
 * arrange raw records, run one command, compare the response and the raw column families;
 * every test ends by checking that no latch was missed or left held.
 */
import { CF_DEFAULT, CF_LOCK, CF_WRITE } from '../../common/engine/engine';
import { encodeKey } from '../src/codec';
import { Lock } from '../src/lock-record';
import { MvccTxn } from '../src/mvcc-txn';
import { Scanner } from '../src/scanner';
import { composeTs } from '../src/timestamp';
import { WriteKind } from '../src/write-record';
import { TxnFixture, bytes } from './txn-fixture';

let fixture: TxnFixture;
beforeEach(() => {
  fixture = new TxnFixture();
});
afterEach(() => fixture.assertLatchesClean());

const K = bytes(3);
const scan = (startKey: Buffer, limit: number, version: number) => fixture.server.kvScan({ startKey, limit, version });
const pairsOf = (response: Awaited<ReturnType<typeof scan>>) => response.pairs.map((pair) => [pair.key, pair.value]);

describe('[4C] scanner and kvScan', () => {
  test('[4C] a scan of an empty store returns no pairs', async () => {
    expect((await scan(bytes(1), 10, 100)).pairs).toEqual([]);
  });

  test('[4C] a scan returns keys in order and stops at the limit', async () => {
    for (let key = 1; key <= 5; key++) fixture.committed(bytes(key), bytes(key * 10), 10, 20);
    expect(pairsOf(await scan(bytes(1), 3, 100))).toEqual([
      [bytes(1), bytes(10)],
      [bytes(2), bytes(20)],
      [bytes(3), bytes(30)],
    ]);
  });

  test('[4C] a scan starts at its start key, inclusive', async () => {
    for (let key = 1; key <= 5; key++) fixture.committed(bytes(key), bytes(key * 10), 10, 20);
    expect(pairsOf(await scan(bytes(3), 10, 100)).map(([key]) => key)).toEqual([bytes(3), bytes(4), bytes(5)]);
    expect(pairsOf(await scan(bytes(2, 5), 10, 100)).map(([key]) => key)).toEqual([bytes(3), bytes(4), bytes(5)]);
  });

  test('[4C] a scan skips deleted keys and goes on to the keys after them', async () => {
    fixture.committed(bytes(1), bytes(1), 10, 20).committed(bytes(2), bytes(2), 10, 20).committed(bytes(2), undefined, 30, 40);
    fixture.committed(bytes(3), bytes(3), 10, 20);
    expect(pairsOf(await scan(bytes(1), 10, 100))).toEqual([
      [bytes(1), bytes(1)],
      [bytes(3), bytes(3)],
    ]);
    expect(pairsOf(await scan(bytes(2), 10, 100))).toEqual([[bytes(3), bytes(3)]]);
  });

  test('[4C] a scan returns each key once, with its newest visible version, however many versions it has', async () => {
    for (let key = 0; key < 11; key++) {
      for (let version = 1; version <= 5; version++) fixture.committed(bytes(key), bytes(key, version), version * 10, version * 10 + 1);
    }
    const response = await scan(bytes(0), 1000, 1000);
    expect(response.pairs).toHaveLength(11);
    expect(pairsOf(response)).toEqual(Array.from({ length: 11 }, (_, key) => [bytes(key), bytes(key, 5)]));
  });

  test('[4C] a scan sees the store as of its version', async () => {
    fixture.committed(bytes(1), bytes(1), 10, 20).committed(bytes(1), bytes(2), 30, 40).committed(bytes(2), bytes(9), 50, 60);
    expect(pairsOf(await scan(bytes(1), 10, 35))).toEqual([[bytes(1), bytes(1)]]);
    expect(pairsOf(await scan(bytes(1), 10, 45))).toEqual([[bytes(1), bytes(2)]]);
    expect(pairsOf(await scan(bytes(1), 10, 15))).toEqual([]);
  });

  test('[4C] a scan skips rollback records and shows the older committed value', async () => {
    fixture.committed(bytes(1), bytes(1), 10, 20).rolledBack(bytes(1), 30).rolledBack(bytes(2), 30);
    expect(pairsOf(await scan(bytes(1), 10, 100))).toEqual([[bytes(1), bytes(1)]]);
  });

  test('[4C] a scan reports a key locked at or before its version with the lock, and reads past newer locks', async () => {
    fixture.committed(bytes(1), bytes(1), 10, 20).committed(bytes(2), bytes(2), 10, 20).prewritten(bytes(1), bytes(5), bytes(1), 50, 9);
    fixture.prewritten(bytes(2), bytes(6), bytes(2), 150);
    const response = await scan(bytes(1), 10, 100);
    expect(response.pairs).toHaveLength(2);
    expect(response.pairs[0].error).toEqual({ locked: { primaryLock: bytes(1), lockVersion: 50, key: bytes(1), lockTtl: 9 } });
    expect([response.pairs[1].key, response.pairs[1].value, response.pairs[1].error]).toEqual([bytes(2), bytes(2), undefined]);
  });

  test('[4C] the scanner yields undefined at the end, and again when asked again', async () => {
    fixture.committed(bytes(1), bytes(1), 10, 20).committed(bytes(2), undefined, 10, 20);
    const reader = await fixture.reader();
    const scanner = new Scanner(bytes(0), new MvccTxn(reader, 100));
    try {
      expect(scanner.next()).toEqual({ key: bytes(1), value: bytes(1) });
      expect(scanner.next()).toBeUndefined();
      expect(scanner.next()).toBeUndefined();
    } finally {
      scanner.close();
      reader.close();
    }
  });
});

describe('[4C] kvCheckTxnStatus', () => {
  const check = (lockTs: number, currentTs: number, primaryKey = K) => fixture.server.kvCheckTxnStatus({ primaryKey, lockTs, currentTs });

  test('[4C] a live lock is reported with its ttl and left alone', async () => {
    fixture.prewritten(K, bytes(1), K, composeTs(100, 0), 10);
    expect(await check(composeTs(100, 0), composeTs(109, 5))).toMatchObject({ lockTtl: 10, commitVersion: 0, action: 'no-action' });
    expect(fixture.counts()).toEqual([1, 1, 0]);
  });

  test('[4C] a lock past its ttl is rolled back: lock and value removed, rollback record written', async () => {
    const startTs = composeTs(100, 0);
    fixture.prewritten(K, bytes(1), K, startTs, 10);
    expect(await check(startTs, composeTs(110, 0))).toMatchObject({ lockTtl: 0, commitVersion: 0, action: 'ttl-expire-rollback' });
    expect(fixture.counts()).toEqual([0, 0, 1]);
    const rollbackBytes = Buffer.alloc(9);
    rollbackBytes[0] = 3;
    rollbackBytes.writeBigUInt64BE(BigInt(startTs), 1);
    expect(fixture.entries(CF_WRITE)).toEqual([{ key: encodeKey(K, startTs), value: rollbackBytes }]);
  });

  test('[4C] a committed transaction is reported with its commit ts and nothing is written', async () => {
    fixture.committed(K, bytes(1), 100, 110);
    expect(await check(100, 200)).toMatchObject({ lockTtl: 0, commitVersion: 110, action: 'no-action' });
    expect(fixture.counts()).toEqual([1, 0, 1]);
  });

  test('[4C] a rolled-back transaction is reported as such and nothing is written', async () => {
    fixture.rolledBack(K, 100);
    expect(await check(100, 200)).toMatchObject({ lockTtl: 0, commitVersion: 0, action: 'no-action' });
    expect(fixture.counts()).toEqual([0, 0, 1]);
  });

  test('[4C] a transaction with neither lock nor write is rolled back with a rollback record', async () => {
    fixture.committed(K, bytes(1), 10, 20);
    expect(await check(100, 200)).toMatchObject({ lockTtl: 0, commitVersion: 0, action: 'lock-not-exist-rollback' });
    expect(fixture.counts()).toEqual([1, 0, 2]);
    expect(fixture.raw(CF_WRITE, encodeKey(K, 100))).toEqual(bytes(3, 0, 0, 0, 0, 0, 0, 0, 100));
  });

  test('[4C] a lock of another transaction on the primary is not ours: it stays, and ours is rolled back', async () => {
    fixture.prewritten(K, bytes(1), K, 90);
    expect(await check(100, 200)).toMatchObject({ action: 'lock-not-exist-rollback' });
    expect(Lock.fromBytes(fixture.raw(CF_LOCK, K)!).ts).toBe(90);
    expect(fixture.raw(CF_WRITE, encodeKey(K, 100))).toEqual(bytes(3, 0, 0, 0, 0, 0, 0, 0, 100));
  });
});

describe('[4C] kvBatchRollback', () => {
  const rollback = (keys: Buffer[], startVersion: number) => fixture.server.kvBatchRollback({ keys, startVersion });

  test('[4C] rollback of a prewritten put removes lock and value and writes a rollback record', async () => {
    fixture.prewritten(K, bytes(1), K, 100);
    expect((await rollback([K], 100)).error).toBeUndefined();
    expect(fixture.counts()).toEqual([0, 0, 1]);
    expect(fixture.raw(CF_WRITE, encodeKey(K, 100))).toEqual(bytes(3, 0, 0, 0, 0, 0, 0, 0, 100));
  });

  test('[4C] rollback of a committed transaction aborts and writes nothing', async () => {
    fixture.committed(K, bytes(1), 100, 110);
    expect((await rollback([K], 100)).error?.abort).toEqual(expect.any(String));
    expect(fixture.counts()).toEqual([1, 0, 1]);
  });

  test('[4C] a duplicate rollback succeeds and changes nothing', async () => {
    fixture.prewritten(K, bytes(1), K, 100);
    await rollback([K], 100);
    const before = fixture.entries(CF_WRITE);
    expect((await rollback([K], 100)).error).toBeUndefined();
    expect(fixture.entries(CF_WRITE)).toEqual(before);
    expect(fixture.counts()).toEqual([0, 0, 1]);
  });

  test('[4C] rollback of a key that was never prewritten still leaves a rollback record', async () => {
    expect((await rollback([K], 100)).error).toBeUndefined();
    expect(fixture.entries(CF_WRITE)).toEqual([{ key: encodeKey(K, 100), value: bytes(3, 0, 0, 0, 0, 0, 0, 0, 100) }]);
  });

  test('[4C] rollback never touches another transaction\'s lock but records its own rollback', async () => {
    fixture.prewritten(K, bytes(1), K, 90);
    expect((await rollback([K], 100)).error).toBeUndefined();
    expect(Lock.fromBytes(fixture.raw(CF_LOCK, K)!)).toEqual(new Lock(K, 90, 100, WriteKind.Put));
    expect(fixture.raw(CF_DEFAULT, encodeKey(K, 90))).toEqual(bytes(1));
    expect(fixture.raw(CF_WRITE, encodeKey(K, 100))).toEqual(bytes(3, 0, 0, 0, 0, 0, 0, 0, 100));
  });

  test('[4C] rollback of several keys with one already committed writes nothing', async () => {
    fixture.prewritten(bytes(1), bytes(1), bytes(1), 100).committed(bytes(2), bytes(2), 100, 110);
    expect((await rollback([bytes(1), bytes(2)], 100)).error?.abort).toEqual(expect.any(String));
    expect(fixture.counts()).toEqual([2, 1, 1]);
  });
});

describe('[4C] kvResolveLock', () => {
  const resolve = (startVersion: number, commitVersion: number) => fixture.server.kvResolveLock({ startVersion, commitVersion });

  test('[4C] resolving with a commit ts commits every lock of the transaction and only those', async () => {
    fixture.prewritten(bytes(1), bytes(1), bytes(1), 100).prewritten(bytes(2), undefined, bytes(1), 100).prewritten(bytes(3), bytes(3), bytes(3), 90);
    expect((await resolve(100, 120)).error).toBeUndefined();
    expect(fixture.raw(CF_WRITE, encodeKey(bytes(1), 120))).toEqual(bytes(1, 0, 0, 0, 0, 0, 0, 0, 100));
    expect(fixture.raw(CF_WRITE, encodeKey(bytes(2), 120))).toEqual(bytes(2, 0, 0, 0, 0, 0, 0, 0, 100));
    expect(fixture.entries(CF_LOCK).map((entry) => entry.key)).toEqual([bytes(3)]);
    expect(fixture.counts()).toEqual([2, 1, 2]);
  });

  test('[4C] resolving with commit ts 0 rolls back every lock of the transaction and only those', async () => {
    fixture.prewritten(bytes(1), bytes(1), bytes(1), 100).prewritten(bytes(2), bytes(2), bytes(1), 100).prewritten(bytes(3), bytes(3), bytes(3), 90);
    expect((await resolve(100, 0)).error).toBeUndefined();
    expect(fixture.raw(CF_WRITE, encodeKey(bytes(1), 100))).toEqual(bytes(3, 0, 0, 0, 0, 0, 0, 0, 100));
    expect(fixture.raw(CF_WRITE, encodeKey(bytes(2), 100))).toEqual(bytes(3, 0, 0, 0, 0, 0, 0, 0, 100));
    expect(fixture.entries(CF_LOCK).map((entry) => entry.key)).toEqual([bytes(3)]);
    expect(fixture.counts()).toEqual([1, 1, 2]);
  });

  test('[4C] resolving a transaction with no locks left succeeds and writes nothing', async () => {
    fixture.committed(bytes(1), bytes(1), 100, 110).prewritten(bytes(2), bytes(2), bytes(2), 90);
    const before = fixture.counts();
    const response = await resolve(100, 110);
    expect(response.error).toBeUndefined();
    expect(fixture.counts()).toEqual(before);
    expect(Lock.fromBytes(fixture.raw(CF_LOCK, bytes(2))!).ts).toBe(90);
  });
});
