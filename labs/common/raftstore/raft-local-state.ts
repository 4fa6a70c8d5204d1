/**
 * The raft local state record: what a peer must find in its raft engine after a restart.
 *
 * @module
 */
import { emptyHardState, type HardState } from '../raft/hard-state';
import { readU64, writeU64 } from './byte-layout';

/**
 * The persisted state of a peer's Raft log, kept in the raft engine next to the entries and
 * written in the same batch as them (TinyKV's `RaftLocalState`).
 *
 * Byte layout (40 bytes, each field a big-endian u64):
 * `term | vote | commit | lastIndex | lastTerm`.
 */
export interface RaftLocalState {
  /** The hard state (term, vote, commit). */
  readonly hardState: HardState;
  /** The index of the last entry in the raft engine. */
  readonly lastIndex: number;
  /** The term of that entry. */
  readonly lastTerm: number;
}

/** The state of a peer that has persisted nothing: empty hard state, empty log. */
export function initialRaftLocalState(): RaftLocalState {
  return { hardState: emptyHardState(), lastIndex: 0, lastTerm: 0 };
}

/** Serialises a raft local state (40 bytes, see {@link RaftLocalState}). */
export function encodeRaftLocalState(state: RaftLocalState): Buffer {
  const bytes = Buffer.alloc(40);
  writeU64(bytes, 0, state.hardState.term);
  writeU64(bytes, 8, state.hardState.vote);
  writeU64(bytes, 16, state.hardState.commit);
  writeU64(bytes, 24, state.lastIndex);
  writeU64(bytes, 32, state.lastTerm);
  return bytes;
}

/**
 * Reads back a record written by {@link encodeRaftLocalState}.
 *
 * @throws RangeError when the record does not have 40 bytes.
 */
export function decodeRaftLocalState(bytes: Buffer): RaftLocalState {
  if (bytes.length !== 40) throw new RangeError(`A raft local state record has 40 bytes, this one has ${bytes.length}: the raft engine is corrupt.`);
  return {
    hardState: { term: readU64(bytes, 0), vote: readU64(bytes, 8), commit: readU64(bytes, 16) },
    lastIndex: readU64(bytes, 24),
    lastTerm: readU64(bytes, 32),
  };
}
