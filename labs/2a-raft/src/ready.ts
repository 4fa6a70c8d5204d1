/**
 * What a RawNode hands its owner to persist, send and apply (provided types).
 *
 * @module
 */
import type { Entry } from '../../common/raft/entry';
import type { HardState } from '../../common/raft/hard-state';
import type { Message } from '../../common/raft/message';
import type { Snapshot } from '../../common/raft/snapshot';
import type { StateType } from './state-type';

/** The volatile state worth reporting: who leads and this node's role. Never persisted. */
export interface SoftState {
  /** The leader's id, or 0 when none is known. */
  lead: number;
  /** This node's role. */
  raftState: StateType;
}

/** True when both soft states have the same leader and role. */
export function softStateEquals(a: SoftState, b: SoftState): boolean {
  return a.lead === b.lead && a.raftState === b.raftState;
}

/**
 * One batch of work for the owner of a RawNode.
 *
 * "Absent" is defined once, here: `softState`, `hardState` and `snapshot` are `undefined`
 * when there is nothing new (the state did not change since the last Ready, or there is no
 * snapshot to install); the three arrays are always present and empty when there is nothing
 * to do. There is no difference between "nil" and "empty" to trip over.
 *
 * The owner handles a Ready in this order: persist `snapshot`, `entries` and `hardState`;
 * then send `messages`; then apply `committedEntries`; then call `advance(ready)`.
 */
export interface Ready {
  /** The new soft state, or undefined when leader and role are unchanged since the last Ready. */
  softState?: SoftState;
  /** The new hard state to persist, or undefined when term, vote and commit are unchanged. */
  hardState?: HardState;
  /** Entries to persist before sending `messages` (the unstable tail of the log). */
  entries: Entry[];
  /** A snapshot to persist and install (2C), or undefined. */
  snapshot?: Snapshot;
  /** Entries committed and not yet applied: apply them in order, after persisting. */
  committedEntries: Entry[];
  /** Messages to send after `entries` and `hardState` are persisted. */
  messages: Message[];
}
