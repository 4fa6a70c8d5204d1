/**
 * Stage 4A hidden tests: edge cases of the MVCC transaction layer the public tests do not show.
 *
 * Goal: long keys (several memcomparable groups), empty values, rollback records on top of
 * deletes, and a transaction whose write is buried under many newer ones. Method: arrange raw
 * records with the provided codec, call one MvccTxn method, compare the result exactly.
 */
import { CF_WRITE } from '../../../labs/common/engine/engine';
import { encodeKey } from '../../../labs/4-txn/src/codec';
import { Write, WriteKind } from '../../../labs/4-txn/src/write-record';
import { TxnFixture, bytes, text } from '../../../labs/4-txn/test/txn-fixture';

let fixture: TxnFixture;
beforeEach(() => {
  fixture = new TxnFixture();
});

describe('[4A] hidden', () => {
  test('[4A] getValue keeps keys longer than one 8-byte group apart from their prefixes', async () => {
    fixture.committed(text('abcdefghij'), text('long'), 10, 20).committed(text('abcdefgh'), text('eight'), 10, 20);
    expect(await fixture.withTxn(30, (txn) => txn.getValue(text('abcdefghij')))).toEqual(text('long'));
    expect(await fixture.withTxn(30, (txn) => txn.getValue(text('abcdefgh')))).toEqual(text('eight'));
    expect(await fixture.withTxn(30, (txn) => txn.getValue(text('abcdefghi')))).toBeUndefined();
  });

  test('[4A] an empty committed value is a value, not a missing key', async () => {
    fixture.committed(bytes(3), Buffer.alloc(0), 10, 20);
    expect(await fixture.withTxn(30, (txn) => txn.getValue(bytes(3)))).toEqual(Buffer.alloc(0));
  });

  test('[4A] a rollback record above a delete does not uncover the value below the delete', async () => {
    fixture.committed(bytes(3), bytes(1), 10, 20).committed(bytes(3), undefined, 30, 40).rolledBack(bytes(3), 50);
    expect(await fixture.withTxn(60, (txn) => txn.getValue(bytes(3)))).toBeUndefined();
  });

  test('[4A] currentWrite finds an old write buried under many newer ones', async () => {
    fixture.committed(bytes(3), bytes(0), 5, 6);
    for (let i = 1; i <= 20; i++) fixture.committed(bytes(3), bytes(i), i * 10, i * 10 + 5);
    expect(await fixture.withTxn(5, (txn) => txn.currentWrite(bytes(3)))).toEqual({ write: new Write(5, WriteKind.Put), commitTs: 6 });
    expect(await fixture.withTxn(7, (txn) => txn.currentWrite(bytes(3)))).toBeUndefined();
  });

  test('[4A] putWrite of a rollback record stores kind 3 under the start ts', async () => {
    const txn = await fixture.withTxn(77, (t) => {
      t.putWrite(bytes(3), 77, new Write(77, WriteKind.Rollback));
      return t;
    });
    await fixture.apply(txn);
    expect(fixture.entries(CF_WRITE)).toEqual([{ key: encodeKey(bytes(3), 77), value: bytes(3, 0, 0, 0, 0, 0, 0, 0, 77) }]);
  });
});
