/**
 * The Ready loop of a peer: propose commands, then persist, send, apply and advance.
 * (Student file, 2B; compaction in 2C; conf change, leader transfer and split in 3B.)
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
    // TODO(3B): adminRequest transferLeader: rawNode.transferLeader(peer id) and answer at once
    // ({ adminResponse: { cmdType: 'transferLeader' } }: it is not replicated). changePeer:
    // rawNode.proposeConfChange({ changeType, nodeId: peer id, context: encodeRaftCmdRequest(request) })
    // instead of propose — but removing yourself, the leader, from a two-member region must first
    // transfer leadership to the other peer and answer not-leader (see the handout's livelock).
    // split: a normal proposal.
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
    // the new apply state in the SAME kv batch (one batch per entry; no safe points needed);
    // re-check checkKeysInRegion(request, peer.region) before writing a command (refused: write
    // nothing, still advance the applied index, answer the error); answer the proposal whose
    // index AND term match, and stale-command to proposals the log overwrote; answer only after
    // the write, with header.currentTerm = peer.term().
    // TODO(2C): an entry whose command has adminRequest compactLog: if compactIndex > the truncated
    // index, the apply state's truncatedState becomes { compactIndex, compactTerm } (never
    // backwards), in the SAME kv batch as the applied index; after the write,
    // peer.scheduleRaftLogGc(compactIndex); answer { adminResponse: { cmdType: 'compactLog' } }.
    // TODO(3B): do nothing once peer.destroyed. After saveReadyState, a snapshot may have brought
    // a new region: tell the store with peer.setRegion. Before writing any command, also
    // checkEpochAtApply(request, peer.region) (epoch-not-match). Grow peer.sizeDiffHint by
    // key + value of every put and key of every delete (the split checker reads it).
    // EntryConfChange entries: decodeConfChange(entry.data), its context is the changePeer
    // command; epoch check; a repeat (the peer is already there / already gone) changes nothing
    // but is answered ok; otherwise peers +/- the peer and confVer + 1, the region state
    // (regionStateKey, encodeRegion) in the SAME kv batch as the applied index; then
    // peer.setRegion, rawNode.applyConfChange, answer { adminResponse: changePeer, region },
    // peer.heartbeatScheduler(); removing yourself: peer.destroy() and stop (no advance).
    // split: epoch check, split key inside the region (and not its start key); left = the region
    // ending at the split key, right = { newRegionId, splitKey..old end, peers with newPeerIds
    // on the same stores }, both version + 1; left's region state + peer.writeSplitRegionState(
    // kvBatch, right) + the applied index in ONE kv batch; then peer.setRegion(left),
    // peer.createSplitPeer(right) (when writeSplitRegionState returned true), answer
    // { adminResponse: split, regions: [left, right] }, peer.heartbeatScheduler().
    throw new NotImplementedError('2B', 'PeerMsgHandler.handleRaftReady', HANDOUT);
  }
}
