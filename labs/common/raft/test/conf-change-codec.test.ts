// Goal: the conf-change codec round-trips every field, writes the documented byte layout, and
// refuses data it did not write. Method: encode and decode by hand-picked values.
import { ConfChangeType, decodeConfChange, encodeConfChange } from '../conf-change';

test('a conf change survives encode and decode, context included', () => {
  for (const change of [
    { changeType: ConfChangeType.AddNode, nodeId: 1, context: Buffer.alloc(0) },
    { changeType: ConfChangeType.RemoveNode, nodeId: Number.MAX_SAFE_INTEGER, context: Buffer.from('store 7') },
  ]) {
    expect(decodeConfChange(encodeConfChange(change))).toEqual(change);
  }
});

test('the bytes are type (u8), node id (u64 big-endian), then the context', () => {
  const bytes = encodeConfChange({ changeType: ConfChangeType.RemoveNode, nodeId: 258, context: Buffer.from([9]) });
  expect([...bytes]).toEqual([1, 0, 0, 0, 0, 0, 0, 1, 2, 9]);
});

test('bad input is refused with a message that says why', () => {
  expect(() => encodeConfChange({ changeType: ConfChangeType.AddNode, nodeId: 0, context: Buffer.alloc(0) })).toThrow('node ids are positive integers');
  expect(() => decodeConfChange(Buffer.from([0, 1]))).toThrow('at least 9 bytes');
  expect(() => decodeConfChange(Buffer.from([7, 0, 0, 0, 0, 0, 0, 0, 1]))).toThrow('starts with 0 (AddNode) or 1 (RemoveNode)');
});
