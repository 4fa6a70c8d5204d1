/**
 * The state a Raft node must persist before it answers anyone (TinyKV's `eraftpb.HardState`).
 *
 * @module
 */

/**
 * What must survive a crash besides the log: the current term, the vote cast in it, and the
 * commit index. A node that forgets its vote could vote twice in one term; a node that
 * forgets its term could go back in time.
 */
export interface HardState {
  /** The latest term this node has seen. */
  term: number;
  /** The peer this node voted for in `term`, or 0 (no vote). */
  vote: number;
  /** The highest log index known to be committed. */
  commit: number;
}

/** A hard state with every field 0: what a brand-new node starts from. */
export function emptyHardState(): HardState {
  return { term: 0, vote: 0, commit: 0 };
}

/** True when both hard states have the same term, vote and commit. */
export function hardStateEquals(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

/** True when the hard state is all zeros (nothing was ever persisted). */
export function isEmptyHardState(state: HardState): boolean {
  return hardStateEquals(state, emptyHardState());
}
