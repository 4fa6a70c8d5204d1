/**
 * Stage 4C hidden tests: edge cases of scans, status checks, rollbacks and resolution, and a
 * heavier snapshot-isolation workload.
 *
 * Goal: ttl boundaries, delete locks, partial resolutions, long keys in scans, and more
 * clients, keys and abandoned transactions than the public SI test. Method: arrange raw
 * records and run one command, or run the seeded Percolator workload and check its history.
 */
import { CF_WRITE } from '../../../labs/common/engine/engine';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { checkSnapshotIsolation, runSnapshotIsolationWorkload } from '../../../labs/common/testkit/percolator-si-checker';
import { encodeKey } from '../../../labs/4-txn/src/codec';
import { composeTs } from '../../../labs/4-txn/src/timestamp';
import { TxnFixture, bytes, text } from '../../../labs/4-txn/test/txn-fixture';

let fixture: TxnFixture;
beforeEach(() => {
  fixture = new TxnFixture();
});
afterEach(() => fixture.assertLatchesClean());

const K = bytes(3);

describe('[4C] hidden', () => {
  test('[4C] a lock expires exactly when physical time reaches its start plus its ttl', async () => {
    const startTs = composeTs(100, 7);
    fixture.prewritten(K, bytes(1), K, startTs, 10);
    const alive = await fixture.server.kvCheckTxnStatus({ primaryKey: K, lockTs: startTs, currentTs: composeTs(109, 2 ** 18 - 1) });
    expect(alive).toMatchObject({ lockTtl: 10, action: 'no-action' });
    const expired = await fixture.server.kvCheckTxnStatus({ primaryKey: K, lockTs: startTs, currentTs: composeTs(110, 0) });
    expect(expired).toMatchObject({ lockTtl: 0, commitVersion: 0, action: 'ttl-expire-rollback' });
  });

  test('[4C] an expired delete lock is rolled back without touching older values', async () => {
    fixture.committed(K, bytes(1), 10, 20).prewritten(K, undefined, K, composeTs(1, 0), 1);
    expect((await fixture.server.kvCheckTxnStatus({ primaryKey: K, lockTs: composeTs(1, 0), currentTs: composeTs(5, 0) })).action).toBe('ttl-expire-rollback');
    expect(fixture.counts()).toEqual([1, 0, 2]);
    expect(await fixture.server.kvGet({ key: K, version: composeTs(6, 0) })).toMatchObject({ value: bytes(1) });
  });

  test('[4C] batch rollback of a delete lock leaves older values readable', async () => {
    fixture.committed(K, bytes(1), 10, 20).prewritten(K, undefined, K, 100);
    expect((await fixture.server.kvBatchRollback({ keys: [K], startVersion: 100 })).error).toBeUndefined();
    expect(fixture.counts()).toEqual([1, 0, 2]);
    expect(fixture.raw(CF_WRITE, encodeKey(K, 100))).toEqual(bytes(3, 0, 0, 0, 0, 0, 0, 0, 100));
  });

  test('[4C] resolving a half-committed transaction commits the locks left over', async () => {
    fixture.committed(bytes(1), bytes(1), 100, 120).prewritten(bytes(2), bytes(2), bytes(1), 100);
    expect((await fixture.server.kvResolveLock({ startVersion: 100, commitVersion: 120 })).error).toBeUndefined();
    expect(fixture.counts()).toEqual([2, 0, 2]);
    expect(await fixture.server.kvGet({ key: bytes(2), version: 130 })).toMatchObject({ value: bytes(2) });
  });

  test('[4C] scans handle keys longer than one group and a limit equal to the number of keys', async () => {
    const keys = [text('abcdefgh'), text('abcdefgh0'), text('abcdefgh01234567'), text('b')];
    for (const key of keys) fixture.committed(key, key, 10, 20);
    const response = await fixture.server.kvScan({ startKey: text('a'), limit: 4, version: 30 });
    expect(response.pairs.map((pair) => pair.key)).toEqual(keys);
    const fromMiddle = await fixture.server.kvScan({ startKey: text('abcdefgh00'), limit: 10, version: 30 });
    expect(fromMiddle.pairs.map((pair) => pair.key)).toEqual(keys.slice(2));
  });

  test('[4C] a heavier workload with many abandoned transactions keeps snapshot isolation', () =>
    forEachSeed(6, async (seed) => {
      const workload = new TxnFixture();
      const run = await runSnapshotIsolationWorkload(workload.server, seed + 1000, {
        clients: 6,
        transactions: 60,
        keys: 10,
        abandonProbability: 0.3,
        lockTtlMs: 2,
      });
      expect(checkSnapshotIsolation(run)).toEqual([]);
      expect(run.history.filter((txn) => txn.abandoned).length).toBeGreaterThan(0);
      workload.assertLatchesClean();
    }));
});
