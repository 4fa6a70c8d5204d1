/**
 * The apply state record: how far a peer's state machine has got.
 *
 * @module
 */
import { readU64, writeU64 } from './byte-layout';

/** Where the log was truncated (2C): the last discarded entry. Index 0 means "never truncated". */
export interface TruncatedState {
  readonly index: number;
  readonly term: number;
}

/**
 * The persisted progress of a peer's state machine, kept in the kv engine and written in
 * the same batch as the effects of the entries it counts (TinyKV's `RaftApplyState`): after a
 * crash the kv engine holds exactly the effects of entries `1..appliedIndex`.
 *
 * Byte layout (24 bytes, big-endian u64s): `appliedIndex | truncatedIndex | truncatedTerm`.
 */
export interface RaftApplyState {
  /** The last log index whose effects are in the kv engine. */
  readonly appliedIndex: number;
  /** The last entry discarded by log compaction (2C); `{0, 0}` in 2B. */
  readonly truncatedState: TruncatedState;
}

/** The apply state of a new peer: nothing applied, nothing truncated. */
export function initialApplyState(): RaftApplyState {
  return { appliedIndex: 0, truncatedState: { index: 0, term: 0 } };
}

/** Serialises an apply state (24 bytes, see {@link RaftApplyState}). */
export function encodeApplyState(state: RaftApplyState): Buffer {
  const bytes = Buffer.alloc(24);
  writeU64(bytes, 0, state.appliedIndex);
  writeU64(bytes, 8, state.truncatedState.index);
  writeU64(bytes, 16, state.truncatedState.term);
  return bytes;
}

/**
 * Reads back a record written by {@link encodeApplyState}.
 *
 * @throws RangeError when the record does not have 24 bytes.
 */
export function decodeApplyState(bytes: Buffer): RaftApplyState {
  if (bytes.length !== 24) throw new RangeError(`An apply state record has 24 bytes, this one has ${bytes.length}: the kv engine is corrupt.`);
  return { appliedIndex: readU64(bytes, 0), truncatedState: { index: readU64(bytes, 8), term: readU64(bytes, 16) } };
}
