/**
 * Kit self-test of WriteBatch on its own (no engine).
 *
 * Goal: the batch records exactly the ops it is given, in order, copies its buffers, rejects
 * bad input at call time, and handles safe points. Method: build batches and inspect `ops`.
 */
import { CF_DEFAULT, CF_LOCK, CF_WRITE } from '../engine';
import type { ColumnFamily } from '../engine';
import { WriteBatch } from '../write-batch';
import { bytes, expectEngineError } from './engine-conformance';

describe('WriteBatch', () => {
  test('records put, delete and deleteRange in call order, with length and isEmpty', () => {
    const batch = new WriteBatch();
    expect(batch.isEmpty()).toBe(true);
    expect(batch.length).toBe(0);
    batch
      .put(CF_DEFAULT, bytes('a'), bytes('1'))
      .delete(CF_LOCK, bytes('b'))
      .deleteRange(CF_WRITE, bytes('c'), bytes('d'));
    expect(batch.isEmpty()).toBe(false);
    expect(batch.length).toBe(3);
    expect(batch.ops).toEqual([
      { kind: 'put', cf: CF_DEFAULT, key: bytes('a'), value: bytes('1') },
      { kind: 'delete', cf: CF_LOCK, key: bytes('b') },
      { kind: 'deleteRange', cf: CF_WRITE, start: bytes('c'), end: bytes('d') },
    ]);
  });

  test('copies the buffers it is given: later changes by the caller do not reach the batch', () => {
    const key = bytes('key');
    const value = bytes('value');
    const start = bytes('a');
    const end = bytes('b');
    const batch = new WriteBatch().put(CF_DEFAULT, key, value).deleteRange(CF_DEFAULT, start, end);
    key.fill(0);
    value.fill(0);
    start.fill(0x7a);
    end.fill(0x7a);
    expect(batch.ops).toEqual([
      { kind: 'put', cf: CF_DEFAULT, key: bytes('key'), value: bytes('value') },
      { kind: 'deleteRange', cf: CF_DEFAULT, start: bytes('a'), end: bytes('b') },
    ]);
  });

  test('rollbackToSafePoint drops the ops added after the safe point and keeps the safe point', () => {
    const batch = new WriteBatch().put(CF_DEFAULT, bytes('a'), bytes('1'));
    batch.setSafePoint();
    batch.put(CF_DEFAULT, bytes('b'), bytes('2')).delete(CF_DEFAULT, bytes('a'));
    batch.rollbackToSafePoint();
    expect(batch.ops.map((op) => op.kind)).toEqual(['put']);
    batch.put(CF_DEFAULT, bytes('c'), bytes('3'));
    batch.rollbackToSafePoint();
    expect(batch.length).toBe(1);
    batch.put(CF_DEFAULT, bytes('d'), bytes('4'));
    batch.setSafePoint();
    batch.delete(CF_DEFAULT, bytes('d'));
    batch.rollbackToSafePoint();
    expect(batch.ops.map((op) => op.kind)).toEqual(['put', 'put']);
  });

  test('a safe point set on an empty batch rolls back to empty', () => {
    const batch = new WriteBatch();
    batch.setSafePoint();
    batch.put(CF_DEFAULT, bytes('a'), bytes('1'));
    batch.rollbackToSafePoint();
    expect(batch.isEmpty()).toBe(true);
  });

  test('rollbackToSafePoint without a safe point throws no-safe-point and keeps the ops', () => {
    const batch = new WriteBatch().put(CF_DEFAULT, bytes('a'), bytes('1'));
    expectEngineError(() => batch.rollbackToSafePoint(), 'no-safe-point');
    expect(batch.length).toBe(1);
  });

  test('clear removes every op and the safe point', () => {
    const batch = new WriteBatch().put(CF_DEFAULT, bytes('a'), bytes('1'));
    batch.setSafePoint();
    batch.put(CF_DEFAULT, bytes('b'), bytes('2'));
    batch.clear();
    expect(batch.isEmpty()).toBe(true);
    expect(batch.ops).toEqual([]);
    expectEngineError(() => batch.rollbackToSafePoint(), 'no-safe-point');
  });

  test('bad input is rejected at call time and leaves the batch unchanged', () => {
    const batch = new WriteBatch().put(CF_DEFAULT, bytes('a'), bytes('1'));
    const error = expectEngineError(
      () => batch.put('raft' as ColumnFamily, bytes('k'), bytes('v')),
      'unknown-column-family',
    );
    expect(error.message).toContain('"raft"');
    expect(error.message).toContain('"default", "lock", "write"');
    expectEngineError(() => batch.put(CF_DEFAULT, 'k' as unknown as Buffer, bytes('v')), 'invalid-key');
    expectEngineError(() => batch.put(CF_DEFAULT, new Uint8Array(2) as unknown as Buffer, bytes('v')), 'invalid-key');
    expectEngineError(() => batch.put(CF_DEFAULT, bytes('k'), null as unknown as Buffer), 'invalid-value');
    expectEngineError(() => batch.delete(CF_DEFAULT, 7 as unknown as Buffer), 'invalid-key');
    expectEngineError(() => batch.deleteRange(CF_DEFAULT, bytes('b'), bytes('a')), 'invalid-key');
    expect(batch.length).toBe(1);
  });
});
