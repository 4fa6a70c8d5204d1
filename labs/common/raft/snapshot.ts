/**
 * Snapshots and membership (TinyKV's `eraftpb.Snapshot`, `SnapshotMetadata`, `ConfState`).
 * Snapshots are stage 2C; the types exist from 2A so that the message shape never changes.
 *
 * @module
 */

/** The members of a Raft group, as recorded in a snapshot. */
export interface ConfState {
  /** The ids of the voting members (ids start at 1). */
  nodes: number[];
}

/** Where a snapshot sits in the log and which members it knew. */
export interface SnapshotMetadata {
  /** The membership at `index`. */
  confState: ConfState;
  /** The last log index the snapshot covers. */
  index: number;
  /** The term of the entry at `index`. */
  term: number;
}

/** A state-machine image that replaces every log entry up to `metadata.index` (stage 2C). */
export interface Snapshot {
  /** The serialised state machine; opaque to Raft. */
  data: Buffer;
  /** Its position in the log and its membership. */
  metadata: SnapshotMetadata;
}

/** A snapshot at index 0 with no data: what a log with no snapshot reports. */
export function emptySnapshot(): Snapshot {
  return { data: Buffer.alloc(0), metadata: { confState: { nodes: [] }, index: 0, term: 0 } };
}

/** True when the snapshot is the empty one (index 0). */
export function isEmptySnapshot(snapshot: Snapshot | undefined): boolean {
  return snapshot === undefined || snapshot.metadata.index === 0;
}
