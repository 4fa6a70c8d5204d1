/**
 * Stage 4C public test: many interleaved Percolator transactions keep snapshot isolation.
 *
 * Goal: the whole server (4A + 4B + 4C) survives contention and clients that abandon
 * transactions half way. Method: for each seed, the Percolator test client runs a randomised
 * workload step by step (labs/common/testkit/percolator-si-checker.ts); the checker then
 * asserts that every read saw exactly the writes committed before its start ts, that no two
 * committed transactions with a common written key overlapped, and that no committed write
 * was lost (final state by kvGet and by kvScan). A failure prints the seed and how to replay it.
 */
import { forEachSeed } from '../../common/testkit/seeds';
import { checkSnapshotIsolation, runSnapshotIsolationWorkload } from '../../common/testkit/percolator-si-checker';
import { TxnFixture } from './txn-fixture';

describe('[4C] snapshot isolation', () => {
  test('[4C] interleaved transactions with abandoned commits keep snapshot isolation and lose no write', () =>
    forEachSeed(8, async (seed) => {
      const fixture = new TxnFixture();
      const run = await runSnapshotIsolationWorkload(fixture.server, seed);
      expect(checkSnapshotIsolation(run)).toEqual([]);
      // The workload must really have exercised the protocol, not just run read-only transactions.
      expect(run.history.filter((txn) => txn.commitTs !== undefined && txn.writes.size > 0).length).toBeGreaterThan(5);
      fixture.assertLatchesClean();
    }));
});
