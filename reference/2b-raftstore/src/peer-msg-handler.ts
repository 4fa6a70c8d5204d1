/**
 * The Ready loop of a peer: propose commands, then persist, send, apply and advance.
 * (Student file, 2B.)
 *
 * @module
 */
import { CF_DEFAULT } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import type { Entry } from '../../common/raft/entry';
import { applyStateKey, dataKey } from '../../common/raftstore/meta-keys';
import { encodeApplyState } from '../../common/raftstore/raft-apply-state';
import {
  decodeRaftCmdRequest,
  encodeRaftCmdRequest,
  errorResponse,
  type Callback,
  type RaftCmdRequest,
  type Response,
} from '../../common/raftstore/raft-cmd';
import { notLeaderError, staleCommandError } from '../../common/raftstore/raftstore-error';
import { ProposalDroppedError } from '../../2a-raft/src/proposal-dropped-error';
import { checkKeysInRegion } from './command-checks';
import type { Peer } from './peer';
import type { Proposal } from './proposal';

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
    const raft = this.peer.rawNode.raft;
    const index = raft.raftLog.lastIndex() + 1;
    const term = raft.term;
    try {
      this.peer.rawNode.propose(encodeRaftCmdRequest(request));
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      callback(errorResponse(notLeaderError(this.peer.regionId, this.peer.leader()), term));
      return;
    }
    this.peer.proposals.push({ index, term, callback });
  }

  /**
   * Handles the peer's Ready, if any, in the only safe order: persist entries and hard
   * state; then send messages; then apply committed entries (each with its applied index in
   * the same kv batch) and answer their proposals; then advance.
   */
  handleRaftReady(): void {
    const rawNode = this.peer.rawNode;
    if (!rawNode.hasReady()) return;
    const ready = rawNode.ready();
    this.peer.peerStorage.saveReadyState(ready);
    this.peer.sendRaftMessages(ready.messages);
    for (const entry of ready.committedEntries) applyEntry(this.peer, entry);
    rawNode.advance(ready);
  }
}

/** Applies one committed entry: its writes and the new applied index in one kv batch, then its answer. */
function applyEntry(peer: Peer, entry: Entry): void {
  const proposal = takeProposal(peer, entry);
  const kvBatch = new WriteBatch();
  const request = entry.data.length > 0 ? decodeRaftCmdRequest(entry.data) : undefined;
  const refusal = request === undefined ? undefined : checkKeysInRegion(request, peer.region);
  if (request !== undefined && refusal === undefined) {
    for (const operation of request.requests) {
      if (operation.cmdType === 'put') kvBatch.put(operation.cf, dataKey(operation.key), operation.value);
      else if (operation.cmdType === 'delete') kvBatch.delete(operation.cf, dataKey(operation.key));
    }
  }
  const applyState = { ...peer.peerStorage.applyState, appliedIndex: entry.index };
  kvBatch.put(CF_DEFAULT, applyStateKey(peer.regionId), encodeApplyState(applyState));
  peer.engines.kv.write(kvBatch);
  peer.peerStorage.applyState = applyState;
  if (proposal === undefined || request === undefined) return;
  proposal.callback(refusal !== undefined ? errorResponse(refusal, peer.term()) : { header: { currentTerm: peer.term() }, responses: readResponses(peer, request) });
}

/** The responses of a command whose writes are already in the kv engine (reads see them). */
function readResponses(peer: Peer, request: RaftCmdRequest): Response[] {
  return request.requests.map((operation): Response => {
    switch (operation.cmdType) {
      case 'get':
        return { cmdType: 'get', value: peer.engines.kv.get(operation.cf, dataKey(operation.key)) };
      case 'put':
        return { cmdType: 'put' };
      case 'delete':
        return { cmdType: 'delete' };
      case 'snap':
        return { cmdType: 'snap', region: peer.region, view: peer.engines.kv.view() };
    }
  });
}

/**
 * Finds the proposal waiting for `entry`. Proposals at earlier indexes, or at this index
 * but from another term, were overwritten by a newer leader: they are answered with
 * stale-command now, since their entry can never be applied.
 */
function takeProposal(peer: Peer, entry: Entry): Proposal | undefined {
  while (peer.proposals.length > 0 && peer.proposals[0].index <= entry.index) {
    const proposal = peer.proposals.shift() as Proposal;
    if (proposal.index === entry.index && proposal.term === entry.term) return proposal;
    proposal.callback(errorResponse(staleCommandError(peer.regionId, proposal.index, proposal.term), peer.term()));
  }
  return undefined;
}

