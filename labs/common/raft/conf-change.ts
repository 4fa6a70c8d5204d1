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
