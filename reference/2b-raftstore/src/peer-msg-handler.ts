/**
 * The Ready loop of a peer: propose commands, then persist, send, apply and advance.
 * (Student file, 2B; compaction in 2C; conf change, leader transfer and split in 3B.)
 *
 * @module
 */
import { CF_DEFAULT } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import { ConfChangeType, decodeConfChange } from '../../common/raft/conf-change';
import { EntryType, type Entry } from '../../common/raft/entry';
import { applyStateKey, dataKey, regionStateKey } from '../../common/raftstore/meta-keys';
import { encodeApplyState, type RaftApplyState } from '../../common/raftstore/raft-apply-state';
import {
  decodeRaftCmdRequest,
  encodeRaftCmdRequest,
  errorResponse,
  type AdminRequest,
  type Callback,
  type RaftCmdRequest,
  type RaftCmdResponse,
  type Response,
} from '../../common/raftstore/raft-cmd';
import { keyNotInRegionError, notLeaderError, staleCommandError, type RaftstoreError } from '../../common/raftstore/raftstore-error';
import { encodeRegion, findPeer, keyInRegion, type Region } from '../../common/raftstore/region';
import { ProposalDroppedError } from '../../2a-raft/src/proposal-dropped-error';
import { checkEpochAtApply, checkKeysInRegion } from './command-checks';
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
    const peer = this.peer;
    const admin = request.adminRequest;
    if (admin?.cmdType === 'transferLeader') {
      // Not replicated: only the leader acts on it, and the answer says nothing about the outcome.
      peer.rawNode.transferLeader(admin.peer.id);
      callback({ header: { currentTerm: peer.term() }, responses: [], adminResponse: { cmdType: 'transferLeader' } });
      return;
    }
    if (admin?.cmdType === 'changePeer' && removesLeaderOfTwo(peer, admin)) {
      // The classic livelock: once this leader applies its own removal and is destroyed, the
      // other peer may not know the entry is committed and can never win an election alone
      // in the old two-member group. Hand leadership over first; the scheduler asks again.
      const other = peer.region.peers.find((member) => member.id !== peer.meta.id);
      if (other !== undefined) peer.rawNode.transferLeader(other.id);
      callback(errorResponse(notLeaderError(peer.regionId, other), peer.term()));
      return;
    }
    const raft = peer.rawNode.raft;
    const index = raft.raftLog.lastIndex() + 1;
    const term = raft.term;
    try {
      if (admin?.cmdType === 'changePeer') {
        peer.rawNode.proposeConfChange({ changeType: admin.changeType, nodeId: admin.peer.id, context: encodeRaftCmdRequest(request) });
      } else {
        peer.rawNode.propose(encodeRaftCmdRequest(request));
      }
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      callback(errorResponse(notLeaderError(peer.regionId, peer.leader()), term));
      return;
    }
    peer.proposals.push({ index, term, callback });
  }

  /**
   * Handles the peer's Ready, if any, in the only safe order: persist entries and hard
   * state; then send messages; then apply committed entries (each with its applied index in
   * the same kv batch) and answer their proposals; then advance. A peer that applied its own
   * removal is destroyed and applies nothing more.
   */
  handleRaftReady(): void {
    const peer = this.peer;
    const rawNode = peer.rawNode;
    if (peer.destroyed || !rawNode.hasReady()) return;
    const ready = rawNode.ready();
    const regionBefore = peer.region;
    peer.peerStorage.saveReadyState(ready);
    const regionAfter = peer.peerStorage.region;
    if (regionAfter !== regionBefore) {
      // A snapshot brought the region as the leader knows it (range, peers, epoch): tell the store.
      peer.peerStorage.region = regionBefore;
      peer.setRegion(regionAfter);
    }
    peer.sendRaftMessages(ready.messages);
    for (const entry of ready.committedEntries) {
      applyEntry(peer, entry);
      if (peer.destroyed) return;
    }
    rawNode.advance(ready);
  }
}

/** True when `admin` removes the leader itself from a two-member region (see proposeRaftCommand). */
function removesLeaderOfTwo(peer: Peer, admin: AdminRequest): boolean {
  return admin.cmdType === 'changePeer' && admin.changeType === ConfChangeType.RemoveNode && admin.peer.id === peer.meta.id && peer.region.peers.length === 2;
}

/** Applies one committed entry: its writes and the new applied index in one kv batch, then its answer. */
function applyEntry(peer: Peer, entry: Entry): void {
  if (entry.entryType === EntryType.EntryConfChange) return applyConfChange(peer, entry);
  const proposal = takeProposal(peer, entry);
  const kvBatch = new WriteBatch();
  const request = entry.data.length > 0 ? decodeRaftCmdRequest(entry.data) : undefined;
  if (request?.adminRequest !== undefined) return applyAdmin(peer, entry, request, kvBatch, proposal);
  const refusal = request === undefined ? undefined : (checkEpochAtApply(request, peer.region) ?? checkKeysInRegion(request, peer.region));
  if (request !== undefined && refusal === undefined) {
    for (const operation of request.requests) {
      if (operation.cmdType === 'put') {
        kvBatch.put(operation.cf, dataKey(operation.key), operation.value);
        peer.sizeDiffHint += operation.key.length + operation.value.length;
      } else if (operation.cmdType === 'delete') {
        kvBatch.delete(operation.cf, dataKey(operation.key));
        peer.sizeDiffHint += operation.key.length;
      }
    }
  }
  writeWithApplyState(peer, kvBatch, { ...peer.peerStorage.applyState, appliedIndex: entry.index });
  if (proposal === undefined || request === undefined) return;
  proposal.callback(refusal !== undefined ? errorResponse(refusal, peer.term()) : { header: { currentTerm: peer.term() }, responses: readResponses(peer, request) });
}

/**
 * Applies an admin command carried by a normal entry. CompactLog (2C): the truncated state
 * moves forward (never back), in the same batch as the applied index; the entries it covers
 * are then deleted in the background. Split (3B): see {@link applySplit}.
 */
function applyAdmin(peer: Peer, entry: Entry, request: RaftCmdRequest, kvBatch: WriteBatch, proposal: Proposal | undefined): void {
  const admin = request.adminRequest as AdminRequest;
  const applyState = peer.peerStorage.applyState;
  if (admin.cmdType === 'split') return applySplit(peer, entry, request, kvBatch, proposal);
  if (admin.cmdType !== 'compactLog') {
    throw new Error(`${peer.tag} found the admin command ${admin.cmdType} in a normal entry at index ${entry.index}: only compactLog and split are proposed that way.`);
  }
  const moves = admin.compactIndex > applyState.truncatedState.index;
  const truncatedState = moves ? { index: admin.compactIndex, term: admin.compactTerm } : applyState.truncatedState;
  writeWithApplyState(peer, kvBatch, { appliedIndex: entry.index, truncatedState });
  if (moves) peer.scheduleRaftLogGc(admin.compactIndex);
  proposal?.callback(adminAnswer(peer, { cmdType: 'compactLog' }));
}

/**
 * 3B: applies a membership change. A stale one (the region's peers changed since it was
 * proposed) is refused; a repeated one (the scheduler resends operators) changes nothing; a
 * real one bumps the conf version and persists the region with the applied index. Raft learns
 * the change after the write; a peer that removed itself is destroyed.
 */
function applyConfChange(peer: Peer, entry: Entry): void {
  const proposal = takeProposal(peer, entry);
  const change = decodeConfChange(entry.data);
  const request = decodeRaftCmdRequest(change.context);
  const admin = request.adminRequest;
  if (admin?.cmdType !== 'changePeer') throw new Error(`${peer.tag} found a conf change at index ${entry.index} whose context is not a changePeer command.`);
  const region = peer.region;
  const kvBatch = new WriteBatch();
  const refusal = checkEpochAtApply(request, region);
  const updated = refusal === undefined ? changedRegion(region, admin) : region;
  if (updated !== region) kvBatch.put(CF_DEFAULT, regionStateKey(region.id), encodeRegion(updated));
  writeWithApplyState(peer, kvBatch, { ...peer.peerStorage.applyState, appliedIndex: entry.index });
  if (refusal !== undefined) {
    proposal?.callback(errorResponse(refusal, peer.term()));
    return;
  }
  if (updated !== region) peer.setRegion(updated);
  peer.rawNode.applyConfChange(change);
  proposal?.callback(adminAnswer(peer, { cmdType: 'changePeer', region: updated }));
  peer.heartbeatScheduler();
  if (admin.changeType === ConfChangeType.RemoveNode && admin.peer.id === peer.meta.id) peer.destroy();
}

/** The region after a changePeer, or `region` itself when the change is a repeat (nothing to change). */
function changedRegion(region: Region, admin: Extract<AdminRequest, { cmdType: 'changePeer' }>): Region {
  const present = findPeer(region, admin.peer.id) !== undefined;
  const epoch = { confVer: region.epoch.confVer + 1, version: region.epoch.version };
  if (admin.changeType === ConfChangeType.AddNode) return present ? region : { ...region, epoch, peers: [...region.peers, admin.peer] };
  return present ? { ...region, epoch, peers: region.peers.filter((member) => member.id !== admin.peer.id) } : region;
}

/**
 * 3B: applies a split: the left half keeps the region id and ends at the split key; the right
 * half is a new region with the ids the scheduler allocated; both versions grow by one, and both
 * regions are persisted in one batch with the applied index. Then this store's peer of the new
 * region is created and started.
 */
function applySplit(peer: Peer, entry: Entry, request: RaftCmdRequest, kvBatch: WriteBatch, proposal: Proposal | undefined): void {
  const admin = request.adminRequest as Extract<AdminRequest, { cmdType: 'split' }>;
  const region = peer.region;
  const refusal = checkEpochAtApply(request, region) ?? splitKeyRefusal(admin, region);
  if (refusal !== undefined) {
    writeWithApplyState(peer, kvBatch, { ...peer.peerStorage.applyState, appliedIndex: entry.index });
    proposal?.callback(errorResponse(refusal, peer.term()));
    return;
  }
  const version = region.epoch.version + 1;
  const left: Region = { ...region, endKey: admin.splitKey, epoch: { ...region.epoch, version } };
  const right: Region = {
    id: admin.newRegionId,
    startKey: admin.splitKey,
    endKey: region.endKey,
    epoch: { confVer: region.epoch.confVer, version },
    peers: region.peers.map((member, i) => ({ id: admin.newPeerIds[i], storeId: member.storeId })),
  };
  kvBatch.put(CF_DEFAULT, regionStateKey(left.id), encodeRegion(left));
  const createsPeer = peer.writeSplitRegionState(kvBatch, right);
  writeWithApplyState(peer, kvBatch, { ...peer.peerStorage.applyState, appliedIndex: entry.index });
  peer.setRegion(left);
  if (createsPeer) peer.createSplitPeer(right);
  peer.sizeDiffHint = 0;
  proposal?.callback(adminAnswer(peer, { cmdType: 'split', regions: [left, right] }));
  peer.heartbeatScheduler();
}

/** Why a split cannot apply to `region`: a key outside it (or its start: the left half would be empty), or ids for another peer count. */
function splitKeyRefusal(admin: Extract<AdminRequest, { cmdType: 'split' }>, region: Region): RaftstoreError | undefined {
  if (!keyInRegion(admin.splitKey, region) || admin.splitKey.equals(region.startKey)) return keyNotInRegionError(admin.splitKey, region);
  if (admin.newPeerIds.length !== region.peers.length) return keyNotInRegionError(admin.splitKey, region);
  return undefined;
}

function adminAnswer(peer: Peer, adminResponse: NonNullable<RaftCmdResponse['adminResponse']>): RaftCmdResponse {
  return { header: { currentTerm: peer.term() }, responses: [], adminResponse };
}

/** Writes `kvBatch` with the new apply state in it, then remembers the apply state. */
function writeWithApplyState(peer: Peer, kvBatch: WriteBatch, applyState: RaftApplyState): void {
  kvBatch.put(CF_DEFAULT, applyStateKey(peer.regionId), encodeApplyState(applyState));
  peer.engines.kv.write(kvBatch);
  peer.peerStorage.applyState = applyState;
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
