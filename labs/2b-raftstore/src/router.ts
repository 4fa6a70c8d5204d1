/**
 * The router: hands Raft messages and client commands to the right peer of a store (provided).
 *
 * @module
 */
import { LOCAL_MESSAGE_TYPES } from '../../common/raft/message';
import { errorResponse, type Callback, type RaftCmdRequest } from '../../common/raftstore/raft-cmd';
import { regionNotFoundError } from '../../common/raftstore/raftstore-error';
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
}

/**
 * Delivers what reaches a store to the peer it is for. A message for a region or peer the
 * store does not have is dropped (the sender will retry or learn); a command that fails the
 * checks of {@link checkRaftCommand} is answered at once with its error and never proposed.
 */
export class Router {
  /** Messages dropped because no peer here matched them. */
  droppedMessages = 0;

  /** @param host - the store. */
  constructor(private readonly host: RouterHost) {}

  /** Steps a Raft message into its peer's Raft node. */
  deliverRaftMessage(storeMessage: StoreMessage): void {
    const routed = this.host.peerOf(storeMessage.regionId);
    // Local message types never travel; a peer id mismatch means the message is for a replica we do not host.
    if (routed === undefined || routed.peer.meta.id !== storeMessage.toPeer.id || LOCAL_MESSAGE_TYPES.includes(storeMessage.message.msgType)) {
      this.droppedMessages++;
      return;
    }
    routed.peer.rawNode.step(storeMessage.message);
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
    if (routed === undefined) {
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
}
