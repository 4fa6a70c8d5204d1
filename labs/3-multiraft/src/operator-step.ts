/**
 * The steps an operator is made of (provided; TinyKV's `operator.OpStep`): add a peer, remove a
 * peer, transfer leadership. Each step knows when a region heartbeat shows it done, and what
 * to tell the region's leader while it is not.
 *
 * @module
 */
import { ConfChangeType } from '../../common/raft/conf-change';
import type { PeerMeta } from '../../common/raftstore/region';
import type { RegionHeartbeatResponse } from '../../common/scheduler/heartbeat';
import type { RegionInfo } from './region-info';

/** Add `peer` (a freshly allocated id on its store). Done when the region has it and it is no longer pending. */
export interface AddPeerStep {
  readonly kind: 'addPeer';
  readonly peer: PeerMeta;
}

/** Remove `peer`. Done when the region no longer has it. */
export interface RemovePeerStep {
  readonly kind: 'removePeer';
  readonly peer: PeerMeta;
}

/** Make `toPeer` the leader. Done when the region's leader is `toPeer`. */
export interface TransferLeaderStep {
  readonly kind: 'transferLeader';
  readonly toPeer: PeerMeta;
}

/** One step of an operator. */
export type OperatorStep = AddPeerStep | RemovePeerStep | TransferLeaderStep;

function hasPeer(info: RegionInfo, peer: PeerMeta): boolean {
  return info.region.peers.some((member) => member.id === peer.id && member.storeId === peer.storeId);
}

/**
 * True when `info` (a region heartbeat) shows the step done. An added peer counts only once it
 * has caught up: a peer that exists but is still pending could not yet serve as a replica, and
 * removing the old one then would leave the region one healthy replica short.
 */
export function isStepDone(step: OperatorStep, info: RegionInfo): boolean {
  switch (step.kind) {
    case 'addPeer':
      return hasPeer(info, step.peer) && !info.isPendingPeer(step.peer.id);
    case 'removePeer':
      return !info.region.peers.some((member) => member.id === step.peer.id);
    case 'transferLeader':
      return info.leader?.id === step.toPeer.id;
  }
}

/**
 * What to send the region's leader for a step that is not done, or undefined when there is
 * nothing to send: the peer to add already exists and is catching up, so asking again would only
 * repeat a conf change.
 */
export function stepResponse(step: OperatorStep, info: RegionInfo): RegionHeartbeatResponse | undefined {
  const base = { regionId: info.id, regionEpoch: info.epoch };
  switch (step.kind) {
    case 'addPeer':
      if (hasPeer(info, step.peer)) return undefined;
      return { ...base, changePeer: { changeType: ConfChangeType.AddNode, peer: step.peer } };
    case 'removePeer':
      return { ...base, changePeer: { changeType: ConfChangeType.RemoveNode, peer: step.peer } };
    case 'transferLeader':
      return { ...base, transferLeader: { peer: step.toPeer } };
  }
}

/** One line: `add peer 7@4`, `remove peer 3@1`, `transfer leader to 7@4`. */
export function describeStep(step: OperatorStep): string {
  switch (step.kind) {
    case 'addPeer':
      return `add peer ${step.peer.id}@${step.peer.storeId}`;
    case 'removePeer':
      return `remove peer ${step.peer.id}@${step.peer.storeId}`;
    case 'transferLeader':
      return `transfer leader to ${step.toPeer.id}@${step.toPeer.storeId}`;
  }
}
