/**
 * Stage 4B public tests: kvGet, kvPrewrite and kvCommit (labs/4-txn/src/txn-server.ts).
 *
 * Goal: each command answers as Percolator requires (locks block, conflicts abort, commits are
 * idempotent), writes exactly the expected records byte for byte or nothing at all, and latches
 * every key it writes. Method: arrange raw records, run one or two commands, compare the
 * response and the raw column families; the server runs over a storage that rejects writes of
 * unlatched keys, and every test ends by checking no latch was missed or left held.
 */
import { CF_DEFAULT, CF_LOCK, CF_WRITE } from '../../common/engine/engine';
import type { Mutation } from '../../common/proto/txn';
import { encodeKey } from '../src/codec';
import { Lock } from '../src/lock-record';
import { Write, WriteKind } from '../src/write-record';
import { TxnFixture, bytes, del, put, rejectionOf, settle } from './txn-fixture';

let fixture: TxnFixture;
beforeEach(() => {
  fixture = new TxnFixture();
});
afterEach(() => fixture.assertLatchesClean());

const K = bytes(3);
const prewrite = (mutations: Mutation[], startVersion: number, primaryLock = mutations[0].key, lockTtl = 100) =>
  fixture.server.kvPrewrite({ mutations, primaryLock, startVersion, lockTtl });
const commit = (keys: Buffer[], startVersion: number, commitVersion: number) => fixture.server.kvCommit({ keys, startVersion, commitVersion });

describe('[4B] kvGet', () => {
  test('[4B] get of a key never written answers notFound without an error', async () => {
    const response = await fixture.server.kvGet({ key: K, version: 100 });
    expect(response).toMatchObject({ notFound: true });
    expect(response.error).toBeUndefined();
    expect(response.value).toBeUndefined();
  });

  test('[4B] get returns the value committed at or before its version', async () => {
    fixture.committed(K, bytes(42), 10, 20);
    expect(await fixture.server.kvGet({ key: K, version: 20 })).toMatchObject({ value: bytes(42), notFound: false });
  });

  test('[4B] get at a version before the commit ts answers notFound', async () => {
    fixture.committed(K, bytes(42), 10, 20);
    expect(await fixture.server.kvGet({ key: K, version: 15 })).toMatchObject({ notFound: true });
  });

  test('[4B] get of a deleted key answers notFound', async () => {
    fixture.committed(K, bytes(42), 10, 20).committed(K, undefined, 30, 40);
    expect(await fixture.server.kvGet({ key: K, version: 50 })).toMatchObject({ notFound: true });
  });

  test('[4B] get is blocked by a lock of a transaction that started at or before its version', async () => {
    fixture.committed(K, bytes(42), 10, 20).prewritten(K, bytes(43), bytes(1), 50, 77);
    const response = await fixture.server.kvGet({ key: K, version: 60 });
    expect(response.error).toEqual({ locked: { primaryLock: bytes(1), lockVersion: 50, key: K, lockTtl: 77 } });
    expect(response.value).toBeUndefined();
  });

  test('[4B] get ignores a lock of a transaction that started after its version', async () => {
    fixture.committed(K, bytes(42), 10, 20).prewritten(K, bytes(43), K, 50);
    const response = await fixture.server.kvGet({ key: K, version: 40 });
    expect(response).toMatchObject({ value: bytes(42), notFound: false });
    expect(response.error).toBeUndefined();
  });

  test('[4B] get is not blocked by a lock on another key and writes nothing', async () => {
    fixture.committed(K, bytes(42), 10, 20).prewritten(bytes(4), bytes(1), bytes(4), 30);
    const before = fixture.counts();
    expect(await fixture.server.kvGet({ key: K, version: 40 })).toMatchObject({ value: bytes(42) });
    expect(fixture.counts()).toEqual(before);
  });
});

describe('[4B] kvPrewrite', () => {
  test('[4B] prewrite of a put writes the value at the start ts and a lock with the exact bytes', async () => {
    expect(await prewrite([put(K, bytes(42))], 100, bytes(9), 5)).toEqual({ errors: [] });
    expect(fixture.counts()).toEqual([1, 1, 0]);
    expect(fixture.raw(CF_DEFAULT, encodeKey(K, 100))).toEqual(bytes(42));
    expect(fixture.raw(CF_LOCK, K)).toEqual(bytes(1, 0, 0, 0, 1, 9, 0, 0, 0, 0, 0, 0, 0, 100, 0, 0, 0, 0, 0, 0, 0, 5));
  });

  test('[4B] prewrite of a delete writes a delete lock and no value', async () => {
    fixture.committed(K, bytes(42), 10, 20);
    expect((await prewrite([del(K)], 100)).errors).toEqual([]);
    expect(fixture.counts()).toEqual([1, 1, 1]);
    expect(Lock.fromBytes(fixture.raw(CF_LOCK, K)!)).toEqual(new Lock(K, 100, 100, WriteKind.Delete));
  });

  test('[4B] prewrite of several keys locks each one with the same primary', async () => {
    expect((await prewrite([put(bytes(1), bytes(11)), put(bytes(2), bytes(22)), del(bytes(5))], 100, bytes(2))).errors).toEqual([]);
    expect(fixture.counts()).toEqual([2, 3, 0]);
    for (const key of [bytes(1), bytes(2), bytes(5)]) {
      expect(Lock.fromBytes(fixture.raw(CF_LOCK, key)!).primary).toEqual(bytes(2));
    }
  });

  test('[4B] prewrite over an older committed write succeeds', async () => {
    fixture.committed(K, bytes(1), 10, 20);
    expect((await prewrite([put(K, bytes(2))], 30)).errors).toEqual([]);
    expect(fixture.counts()).toEqual([2, 1, 1]);
  });

  test('[4B] prewrite meeting a write committed after its start ts reports a write conflict and writes nothing', async () => {
    fixture.committed(K, bytes(1), 10, 120);
    const response = await prewrite([put(K, bytes(2))], 100, bytes(8));
    expect(response.errors).toEqual([{ conflict: { startTs: 100, conflictTs: 120, key: K, primary: bytes(8) } }]);
    expect(fixture.counts()).toEqual([1, 0, 1]);
  });

  test('[4B] prewrite meeting another transaction\'s lock reports it and writes nothing', async () => {
    fixture.prewritten(K, bytes(1), bytes(7), 90, 33);
    const response = await prewrite([put(K, bytes(2))], 100);
    expect(response.errors).toEqual([{ locked: { primaryLock: bytes(7), lockVersion: 90, key: K, lockTtl: 33 } }]);
    expect(fixture.counts()).toEqual([1, 1, 0]);
    expect(Lock.fromBytes(fixture.raw(CF_LOCK, K)!).ts).toBe(90);
  });

  test('[4B] a late prewrite of a rolled-back transaction meets its rollback record and fails', async () => {
    fixture.rolledBack(K, 100);
    const response = await prewrite([put(K, bytes(2))], 100);
    expect(response.errors).toHaveLength(1);
    expect(response.errors[0].conflict).toMatchObject({ startTs: 100, conflictTs: 100 });
    expect(fixture.counts()).toEqual([0, 0, 1]);
  });

  test('[4B] prewrite with some bad keys reports one error per bad key and writes nothing at all', async () => {
    fixture.committed(bytes(1), bytes(1), 10, 120).prewritten(bytes(3), bytes(1), bytes(3), 90);
    const response = await prewrite([put(bytes(1), bytes(5)), put(bytes(2), bytes(5)), put(bytes(3), bytes(5))], 100, bytes(2));
    expect(response.errors).toHaveLength(2);
    expect(response.errors[0].conflict?.key).toEqual(bytes(1));
    expect(response.errors[1].locked?.key).toEqual(bytes(3));
    expect(fixture.raw(CF_LOCK, bytes(2))).toBeUndefined();
    expect(fixture.counts()).toEqual([2, 1, 1]);
  });

  test('[4B] a repeated prewrite of the same transaction succeeds and changes nothing', async () => {
    expect((await prewrite([put(K, bytes(2))], 100)).errors).toEqual([]);
    const before = [fixture.entries(CF_DEFAULT), fixture.entries(CF_LOCK)];
    expect((await prewrite([put(K, bytes(2))], 100)).errors).toEqual([]);
    expect([fixture.entries(CF_DEFAULT), fixture.entries(CF_LOCK)]).toEqual(before);
  });

  test('[4B] two concurrent prewrites of one key: exactly one wins, the other sees its lock', async () => {
    const [first, second] = await Promise.all([prewrite([put(K, bytes(1))], 100), prewrite([put(K, bytes(2))], 101)]);
    expect([first.errors.length, second.errors.length].sort()).toEqual([0, 1]);
    const loser = first.errors.length === 1 ? first : second;
    expect(loser.errors[0].locked).toBeDefined();
    expect(fixture.counts()).toEqual([1, 1, 0]);
  });

  test('[4B] prewrite waits while another command holds the latch of its key', async () => {
    const guard = await fixture.latches.acquire([K]);
    let finished = false;
    const pending = prewrite([put(K, bytes(1))], 100).then((response) => {
      finished = true;
      return response;
    });
    await settle();
    expect(finished).toBe(false);
    expect(fixture.counts()).toEqual([0, 0, 0]);
    guard.release();
    expect((await pending).errors).toEqual([]);
    expect(fixture.counts()).toEqual([1, 1, 0]);
  });
});

describe('[4B] kvCommit', () => {
  test('[4B] commit turns the lock into a write record with the exact bytes at the commit ts', async () => {
    fixture.prewritten(K, bytes(42), K, 100);
    expect(await commit([K], 100, 110)).toEqual({});
    expect(fixture.counts()).toEqual([1, 0, 1]);
    expect(fixture.entries(CF_WRITE)).toEqual([{ key: encodeKey(K, 110), value: bytes(1, 0, 0, 0, 0, 0, 0, 0, 100) }]);
    expect(fixture.raw(CF_DEFAULT, encodeKey(K, 100))).toEqual(bytes(42));
  });

  test('[4B] commit of a delete prewrite writes a delete record', async () => {
    fixture.prewritten(K, undefined, K, 100);
    expect((await commit([K], 100, 110)).error).toBeUndefined();
    expect(fixture.entries(CF_WRITE)).toEqual([{ key: encodeKey(K, 110), value: bytes(2, 0, 0, 0, 0, 0, 0, 0, 100) }]);
  });

  test('[4B] commit of several keys commits each one', async () => {
    fixture.prewritten(bytes(1), bytes(1), bytes(1), 100).prewritten(bytes(2), bytes(2), bytes(1), 100);
    expect((await commit([bytes(1), bytes(2)], 100, 110)).error).toBeUndefined();
    expect(fixture.counts()).toEqual([2, 0, 2]);
  });

  test('[4B] a repeated commit is idempotent: no error and no new records', async () => {
    fixture.prewritten(K, bytes(42), K, 100);
    await commit([K], 100, 110);
    const writesBefore = fixture.entries(CF_WRITE);
    const again = await commit([K], 100, 110);
    expect(again.error).toBeUndefined();
    expect(fixture.entries(CF_WRITE)).toEqual(writesBefore);
    expect(fixture.counts()).toEqual([1, 0, 1]);
  });

  test('[4B] commit with no prewrite at all fails and writes nothing', async () => {
    fixture.committed(K, bytes(1), 80, 84);
    const response = await commit([K], 100, 110);
    expect(response.error).toBeDefined();
    expect(response.error?.abort ?? response.error?.retryable).toEqual(expect.any(String));
    expect(fixture.counts()).toEqual([1, 0, 1]);
  });

  test('[4B] commit meeting another transaction\'s lock is retryable and leaves that lock alone', async () => {
    fixture.prewritten(K, bytes(1), K, 90);
    const response = await commit([K], 100, 110);
    expect(response.error?.retryable).toEqual(expect.any(String));
    expect(Lock.fromBytes(fixture.raw(CF_LOCK, K)!).ts).toBe(90);
    expect(fixture.counts()).toEqual([1, 1, 0]);
  });

  test('[4B] commit of a rolled-back transaction aborts', async () => {
    fixture.rolledBack(K, 100);
    const response = await commit([K], 100, 110);
    expect(response.error?.abort).toEqual(expect.any(String));
    expect(fixture.counts()).toEqual([0, 0, 1]);
  });

  test('[4B] commit with one bad key among several writes nothing', async () => {
    fixture.prewritten(bytes(1), bytes(1), bytes(1), 100).prewritten(bytes(2), bytes(2), bytes(2), 90);
    const response = await commit([bytes(1), bytes(2)], 100, 110);
    expect(response.error).toBeDefined();
    expect(fixture.counts()).toEqual([2, 2, 0]);
  });

  test('[4B] commit with a commit ts not above the start ts is rejected', async () => {
    fixture.prewritten(K, bytes(1), K, 100);
    expect(await rejectionOf(commit([K], 100, 100))).toBeInstanceOf(RangeError);
    expect(fixture.counts()).toEqual([1, 1, 0]);
  });

  test('[4B] prewrite then commit: the value is visible from the commit ts on, not before', async () => {
    fixture.committed(K, bytes(1), 10, 20);
    expect((await prewrite([put(K, bytes(2))], 100)).errors).toEqual([]);
    expect((await fixture.server.kvGet({ key: K, version: 105 })).error?.locked).toBeDefined();
    expect((await commit([K], 100, 110)).error).toBeUndefined();
    expect(await fixture.server.kvGet({ key: K, version: 105 })).toMatchObject({ value: bytes(1) });
    expect(await fixture.server.kvGet({ key: K, version: 110 })).toMatchObject({ value: bytes(2) });
    expect(Write.fromBytes(fixture.raw(CF_WRITE, encodeKey(K, 110))!)).toEqual(new Write(100, WriteKind.Put));
  });

  test('[4B] a commit racing a second commit of the same transaction writes one record', async () => {
    fixture.prewritten(K, bytes(1), K, 100);
    const [first, second] = await Promise.all([commit([K], 100, 110), commit([K], 100, 110)]);
    expect([first.error, second.error]).toEqual([undefined, undefined]);
    expect(fixture.counts()).toEqual([1, 0, 1]);
  });

  test('[4B] commit waits while another command holds the latch of its key', async () => {
    fixture.prewritten(K, bytes(1), K, 100);
    const guard = await fixture.latches.acquire([K]);
    let finished = false;
    const pending = commit([K], 100, 110).then(() => {
      finished = true;
    });
    await settle();
    expect(finished).toBe(false);
    expect(fixture.counts()).toEqual([1, 1, 0]);
    guard.release();
    await pending;
    expect(fixture.counts()).toEqual([1, 0, 1]);
  });
});
