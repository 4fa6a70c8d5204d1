/**
 * Single-step membership changes (TinyKV's `eraftpb.ConfChange`), used from stage 3A.
 *
 * @module
 */

/** Whether a conf change adds or removes a peer. */
export const ConfChangeType = {
  AddNode: 'AddNode',
  RemoveNode: 'RemoveNode',
} as const;

/** One of the {@link ConfChangeType} values. */
export type ConfChangeType = (typeof ConfChangeType)[keyof typeof ConfChangeType];

/** Adds or removes one peer; carried as the data of an `EntryConfChange` entry (stage 3A). */
export interface ConfChange {
  changeType: ConfChangeType;
  /** The peer added or removed. */
  nodeId: number;
  /** Opaque context for the layer above (the raftstore puts the peer's store there). */
  context: Buffer;
}

/**
 * Serialises a conf change as the data of an `EntryConfChange` entry (provided, stage 3A).
 *
 * Byte layout: `changeType (u8: 0 AddNode, 1 RemoveNode) | nodeId (u64, big-endian) |
 * context (every remaining byte)`.
 *
 * @param change - the change to encode.
 * @returns a new buffer of 9 + `context.length` bytes.
 * @throws RangeError when `nodeId` is not a positive safe integer.
 * @example
 * ```ts
 * const data = encodeConfChange({ changeType: ConfChangeType.RemoveNode, nodeId: 3, context: Buffer.alloc(0) });
 * decodeConfChange(data).nodeId; // 3
 * ```
 */
export function encodeConfChange(change: ConfChange): Buffer {
  if (!Number.isSafeInteger(change.nodeId) || change.nodeId <= 0) {
    throw new RangeError(`Cannot encode a conf change for node ${change.nodeId}: node ids are positive integers (0 means "none").`);
  }
  const bytes = Buffer.alloc(9 + change.context.length);
  bytes[0] = change.changeType === ConfChangeType.AddNode ? 0 : 1;
  bytes.writeBigUInt64BE(BigInt(change.nodeId), 1);
  change.context.copy(bytes, 9);
  return bytes;
}

/**
 * Reads back a conf change written by {@link encodeConfChange}.
 *
 * @param data - the data of an `EntryConfChange` entry.
 * @returns a new conf change (its context is a copy, never a view of `data`).
 * @throws RangeError when the data is shorter than 9 bytes or its type byte is unknown:
 * the entry was not written by `encodeConfChange`.
 */
export function decodeConfChange(data: Buffer): ConfChange {
  if (data.length < 9) throw new RangeError(`A conf change has at least 9 bytes, this one has ${data.length}: was the entry data written by encodeConfChange?`);
  if (data[0] > 1) throw new RangeError(`A conf change starts with 0 (AddNode) or 1 (RemoveNode), this one with ${data[0]}.`);
  const nodeId = Number(data.readBigUInt64BE(1));
  return {
    changeType: data[0] === 0 ? ConfChangeType.AddNode : ConfChangeType.RemoveNode,
    nodeId,
    context: Buffer.from(data.subarray(9)),
  };
}
