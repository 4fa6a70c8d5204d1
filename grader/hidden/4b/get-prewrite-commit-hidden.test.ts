/**
 * Stage 4B hidden tests: edge cases of kvGet, kvPrewrite and kvCommit.
 *
 * Goal: boundary timestamps (a lock at exactly the read version), deletes through the whole
 * protocol, expired locks that a read must still respect, and idempotent commits under newer
 * writes. Method: arrange raw records, run commands, compare responses and raw records; every
 * test ends by checking that no latch was missed or left held.
 */
import { CF_LOCK } from '../../../labs/common/engine/engine';
import { TxnFixture, bytes, del, put } from '../../../labs/4-txn/test/txn-fixture';

let fixture: TxnFixture;
beforeEach(() => {
  fixture = new TxnFixture();
});
afterEach(() => fixture.assertLatchesClean());

const K = bytes(3);

describe('[4B] hidden', () => {
  test('[4B] get is blocked by a lock whose ts equals its version', async () => {
    fixture.committed(K, bytes(1), 10, 20).prewritten(K, bytes(2), K, 50);
    expect((await fixture.server.kvGet({ key: K, version: 50 })).error?.locked?.lockVersion).toBe(50);
  });

  test('[4B] get does not resolve locks itself, even long-expired ones', async () => {
    fixture.prewritten(K, bytes(2), K, 50, 0);
    expect((await fixture.server.kvGet({ key: K, version: 1_000_000_000 })).error?.locked).toBeDefined();
    expect(fixture.raw(CF_LOCK, K)).toBeDefined();
  });

  test('[4B] a delete prewritten and committed makes the key not found from its commit ts on', async () => {
    fixture.committed(K, bytes(1), 10, 20);
    expect((await fixture.server.kvPrewrite({ mutations: [del(K)], primaryLock: K, startVersion: 30, lockTtl: 10 })).errors).toEqual([]);
    expect((await fixture.server.kvCommit({ keys: [K], startVersion: 30, commitVersion: 40 })).error).toBeUndefined();
    expect(await fixture.server.kvGet({ key: K, version: 39 })).toMatchObject({ value: bytes(1) });
    expect(await fixture.server.kvGet({ key: K, version: 40 })).toMatchObject({ notFound: true });
  });

  test('[4B] a repeated commit stays idempotent after a later transaction wrote the key', async () => {
    fixture.prewritten(K, bytes(1), K, 100);
    await fixture.server.kvCommit({ keys: [K], startVersion: 100, commitVersion: 110 });
    await fixture.server.kvPrewrite({ mutations: [put(K, bytes(2))], primaryLock: K, startVersion: 120, lockTtl: 10 });
    await fixture.server.kvCommit({ keys: [K], startVersion: 120, commitVersion: 130 });
    const before = fixture.counts();
    expect((await fixture.server.kvCommit({ keys: [K], startVersion: 100, commitVersion: 110 })).error).toBeUndefined();
    expect(fixture.counts()).toEqual(before);
    expect(await fixture.server.kvGet({ key: K, version: 200 })).toMatchObject({ value: bytes(2) });
  });

  test('[4B] prewrite conflicts with a delete committed after its start ts', async () => {
    fixture.committed(K, undefined, 90, 105);
    const response = await fixture.server.kvPrewrite({ mutations: [put(K, bytes(2))], primaryLock: bytes(1), startVersion: 100, lockTtl: 10 });
    expect(response.errors).toEqual([{ conflict: { startTs: 100, conflictTs: 105, key: K, primary: bytes(1) } }]);
    expect(fixture.counts()).toEqual([0, 0, 1]);
  });
});
