/**
 * The Ready loop of a peer: propose commands, then persist, send, apply and advance.
 * (Student file, 2B.)
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import type { Callback, RaftCmdRequest } from '../../common/raftstore/raft-cmd';
import type { Peer } from './peer';

const HANDOUT = 'labs/2b-raftstore/README.md#the-ready-loop';

/** Drives one {@link Peer}: turns commands into proposals and Readies into effects. */
export class PeerMsgHandler {
  /** @param peer - the peer to drive. */
  constructor(readonly peer: Peer) {}

  /**
   * Proposes a command that passed the router's checks (this peer is the leader) and
   * remembers it, so that `callback` is answered when its entry is applied.
   *
   * @param request - the command.
   * @param callback - called exactly once with the answer.
   */
  proposeRaftCommand(request: RaftCmdRequest, callback: Callback): void {
    // TODO(2B): note index = raftLog.lastIndex() + 1 and the current term, propose
    // encodeRaftCmdRequest(request) on the RawNode, and push { index, term, callback } on
    // peer.proposals. If the RawNode throws ProposalDroppedError, answer not-leader now.
    throw new NotImplementedError('2B', 'PeerMsgHandler.proposeRaftCommand', HANDOUT);
  }

  /**
   * Handles the peer's Ready, if any, in the only safe order: persist entries and hard
   * state; then send messages; then apply committed entries (each with its applied index in
   * the same kv batch) and answer their proposals; then advance.
   */
  handleRaftReady(): void {
    // TODO(2B): saveReadyState BEFORE sendRaftMessages (a vote or an append acknowledgement
    // sent before it is durable can be forgotten by a crash); apply each committed entry with
    // the new apply state in the SAME kv batch; answer the proposal whose (index, term) match,
    // and stale-command to proposals the log overwrote; answer only after the write.
    throw new NotImplementedError('2B', 'PeerMsgHandler.handleRaftReady', HANDOUT);
  }
}
