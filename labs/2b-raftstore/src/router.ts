/**
 * The router: hands Raft messages and client commands to the right peer of a store (provided).
 *
 * @module
 */
import { LOCAL_MESSAGE_TYPES, MessageType, type Message } from '../../common/raft/message';
import { errorResponse, type Callback, type RaftCmdRequest } from '../../common/raftstore/raft-cmd';
import { regionNotFoundError } from '../../common/raftstore/raftstore-error';
import { findPeer, isEpochStale, type PeerMeta, type Region } from '../../common/raftstore/region';
import { decodeSnapshotData } from '../../common/raftstore/snapshot-data';
import type { StoreMessage } from '../../common/raftstore/store-message';
import { checkRaftCommand } from './command-checks';
import type { Peer } from './peer';
import type { PeerMsgHandler } from './peer-msg-handler';

/** A peer and the handler that drives it. */
export interface RoutedPeer {
  readonly peer: Peer;
  readonly handler: PeerMsgHandler;
}

/** What the router needs from its store. */
export interface RouterHost {
  /** The store's id. */
  readonly storeId: number;
  /** The peer of region `regionId` on this store, if any. */
  peerOf(regionId: number): RoutedPeer | undefined;
  /** Asks the store to handle the peer's Ready soon (after the current event). */
  wake(regionId: number): void;
  /** 3B: creates an uninitialised peer for a message to a region this store does not host (or refuses: undefined). */
  maybeCreatePeer(message: StoreMessage): RoutedPeer | undefined;
  /** 3B: destroys this store's peer of `regionId`: it was removed from its region. */
  destroyStalePeer(regionId: number): void;
  /** 3B: true when `region` overlaps an initialised region of this store other than itself. */
  overlapsOtherRegion(region: Region): boolean;
  /** 3B: tells the peer `to` of another store that `region` no longer lists it. */
  sendTombstone(from: PeerMeta, to: PeerMeta, region: Region): void;
}

/**
 * Messages that may create a peer on a store that does not have one yet (TinyKV's
 * `IsInitialMsg`): a vote request, or a leader's heartbeat with commit 0 — the commit a leader
 * sends a peer it knows nothing about (its match is 0). An append is not enough: the peer would
 * need the entries before it.
 */
function isInitialMessage(message: Message): boolean {
  return message.msgType === MessageType.MsgRequestVote || (message.msgType === MessageType.MsgHeartbeat && message.commit === 0);
}

/**
 * Delivers what reaches a store to the peer it is for. A command that fails the checks of
 * {@link checkRaftCommand} is answered at once with its error and never proposed.
 *
 * Messages (3B rules in order; in 2B and 2C only the last one ever applies):
 * - a tombstone notice destroys the local peer it names, if the local region is older;
 * - a message for a region this store does not host creates an uninitialised peer when it is
 *   an initial message (a vote, or a heartbeat with commit 0) and no tombstone says that peer
 *   was destroyed here; otherwise it is dropped;
 * - a message for a newer peer id than the local one means the local peer was removed and this
 *   store added again under a new id: the local peer is destroyed and the new one created;
 *   a message for an older peer id is dropped;
 * - a message from a peer the local region no longer lists, carrying an older conf version,
 *   comes from a removed peer that does not know it: it is dropped, and the sender told so;
 * - a snapshot whose range overlaps another region of this store is dropped (the other region
 *   must split or move first);
 * - otherwise the message is stepped into the peer's Raft node.
 */
export class Router {
  /** Messages dropped because no peer here matched them. */
  droppedMessages = 0;

  /** @param host - the store. */
  constructor(private readonly host: RouterHost) {}

  /** Steps a Raft message into its peer's Raft node (see the class comment for the 3B rules). */
  deliverRaftMessage(storeMessage: StoreMessage): void {
    if (storeMessage.isTombstone) return this.handleTombstone(storeMessage);
    // Local message types never travel.
    if (LOCAL_MESSAGE_TYPES.includes(storeMessage.message.msgType) || storeMessage.toPeer.storeId !== this.host.storeId) return this.drop();
    let routed = this.host.peerOf(storeMessage.regionId);
    if (routed !== undefined && routed.peer.meta.id < storeMessage.toPeer.id) {
      this.host.destroyStalePeer(storeMessage.regionId);
      routed = undefined;
    }
    if (routed === undefined) {
      if (!isInitialMessage(storeMessage.message)) return this.drop();
      routed = this.host.maybeCreatePeer(storeMessage);
      if (routed === undefined) return this.drop();
    }
    const peer = routed.peer;
    if (peer.meta.id !== storeMessage.toPeer.id) return this.drop();
    if (this.isFromRemovedPeer(peer, storeMessage)) {
      this.host.sendTombstone(peer.meta, storeMessage.fromPeer, peer.region);
      return this.drop();
    }
    if (storeMessage.message.msgType === MessageType.MsgSnapshot && this.overlapsOtherRegion(storeMessage)) return this.drop();
    peer.peerCache.set(storeMessage.fromPeer.id, storeMessage.fromPeer);
    peer.rawNode.step(storeMessage.message);
    this.host.wake(storeMessage.regionId);
  }

  /**
   * Hands a client command to its region's peer for proposal; answers refused commands at once.
   *
   * @param request - the command.
   * @param callback - called exactly once with the answer (now, or when the entry is applied).
   */
  deliverCommand(request: RaftCmdRequest, callback: Callback): void {
    const routed = this.host.peerOf(request.header.regionId);
    if (routed === undefined || !routed.peer.isInitialized()) {
      callback(errorResponse(regionNotFoundError(request.header.regionId, this.host.storeId)));
      return;
    }
    const error = checkRaftCommand(routed.peer, this.host.storeId, request);
    if (error !== undefined) {
      callback(errorResponse(error, routed.peer.term()));
      return;
    }
    routed.handler.proposeRaftCommand(request, callback);
    this.host.wake(request.header.regionId);
  }

  private handleTombstone(storeMessage: StoreMessage): void {
    const routed = this.host.peerOf(storeMessage.regionId);
    if (routed === undefined || routed.peer.meta.id !== storeMessage.toPeer.id) return;
    // Only a newer view of the region may say this peer is gone.
    if (isEpochStale(routed.peer.region.epoch, storeMessage.regionEpoch)) this.host.destroyStalePeer(storeMessage.regionId);
  }

  /** True when the sender is not in the local (initialised) region and its epoch is older: it was removed and does not know. */
  private isFromRemovedPeer(peer: Peer, storeMessage: StoreMessage): boolean {
    if (!peer.isInitialized() || findPeer(peer.region, storeMessage.fromPeer.id) !== undefined) return false;
    return storeMessage.regionEpoch.confVer < peer.region.epoch.confVer;
  }

  private overlapsOtherRegion(storeMessage: StoreMessage): boolean {
    const snapshot = storeMessage.message.snapshot;
    if (snapshot === undefined) return false;
    try {
      return this.host.overlapsOtherRegion(decodeSnapshotData(snapshot.data).region);
    } catch {
      // Not a region snapshot (a Raft unit test's opaque data): nothing to overlap.
      return false;
    }
  }

  private drop(): void {
    this.droppedMessages++;
  }
}
