/**
 * What stores send each other: a Raft message wrapped with its region and peers
 * (TinyKV's `raft_serverpb.RaftMessage`).
 *
 * @module
 */
import { describeMessage, type Message } from '../raft/message';
import type { PeerMeta, RegionEpoch } from './region';

/** A Raft message between two peers of one region, on two stores. */
export interface StoreMessage {
  /** The region whose Raft group the message belongs to. */
  readonly regionId: number;
  /** The sending peer. */
  readonly fromPeer: PeerMeta;
  /** The receiving peer. */
  readonly toPeer: PeerMeta;
  /** The sender's region epoch (3B uses it to drop messages from stale peers). */
  readonly regionEpoch: RegionEpoch;
  /** The Raft message itself. */
  readonly message: Message;
  /**
   * 3B: not a Raft message but a notice from a store whose region no longer lists the receiving
   * peer (its epoch is newer): the peer was removed, and destroys itself if its own epoch is
   * older. `message` then only carries the ids, and is never stepped.
   */
  readonly isTombstone?: boolean;
}

/**
 * A copy that shares no mutable object with the original (entries are copied; their data
 * buffers are shared, since nobody writes into them). The simulated network uses it so that
 * a duplicated message is two independent objects, as on a real wire.
 */
export function copyStoreMessage(storeMessage: StoreMessage): StoreMessage {
  const message = storeMessage.message;
  return { ...storeMessage, message: { ...message, entries: message.entries.map((entry) => ({ ...entry })) } };
}

/** One line for traces: `r1 1->2 MsgAppend term:2 ...` (`r1 1->2 tombstone` for a 3B tombstone notice). */
export function describeStoreMessage(storeMessage: StoreMessage): string {
  if (storeMessage.isTombstone) return `r${storeMessage.regionId} ${storeMessage.fromPeer.id}->${storeMessage.toPeer.id} tombstone`;
  return `r${storeMessage.regionId} ${describeMessage(storeMessage.message)}`;
}
