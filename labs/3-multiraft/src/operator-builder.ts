/**
 * Builders for the operators schedulers make (provided; TinyKV's `operator.Create*Operator`).
 *
 * @module
 */
import { describeRegion, type PeerMeta } from '../../common/raftstore/region';
import { Operator } from './operator';
import type { OperatorStep } from './operator-step';
import type { RegionInfo } from './region-info';

function peerOnStoreOrThrow(info: RegionInfo, storeId: number, what: string): PeerMeta {
  const peer = info.peerOnStore(storeId);
  if (!peer) throw new Error(`Cannot build ${what}: ${describeRegion(info.region)} has no peer on store ${storeId}.`);
  return peer;
}

/** The step that takes leadership away from `storeId` before its peer goes, if it leads. */
function leaveLeadershipSteps(info: RegionInfo, storeId: number, successor: PeerMeta | undefined): OperatorStep[] {
  if (!info.isLeaderOn(storeId)) return [];
  if (!successor) throw new Error(`Cannot remove the leader of ${describeRegion(info.region)}: it has no other peer to lead.`);
  return [{ kind: 'transferLeader', toPeer: successor }];
}

/**
 * Adds a peer with id `peerId` on `storeId`.
 *
 * @throws Error when the region already has a peer on that store.
 */
export function createAddPeerOperator(description: string, info: RegionInfo, storeId: number, peerId: number, nowMs: number): Operator {
  if (info.peerOnStore(storeId)) throw new Error(`Cannot add a peer on store ${storeId}: ${describeRegion(info.region)} already has one there.`);
  return new Operator(description, info.id, info.epoch, [{ kind: 'addPeer', peer: { id: peerId, storeId } }], nowMs);
}

/**
 * Removes the region's peer on `storeId`; if it leads, leadership first moves to another peer
 * (the first follower that is not pending, else the first follower).
 *
 * @throws Error when the region has no peer there, or it is the only peer.
 */
export function createRemovePeerOperator(description: string, info: RegionInfo, storeId: number, nowMs: number): Operator {
  const peer = peerOnStoreOrThrow(info, storeId, 'a remove-peer operator');
  const others = info.region.peers.filter((member) => member.id !== peer.id);
  const successor = others.find((member) => !info.isPendingPeer(member.id)) ?? others[0];
  const steps: OperatorStep[] = [...leaveLeadershipSteps(info, storeId, successor), { kind: 'removePeer', peer }];
  return new Operator(description, info.id, info.epoch, steps, nowMs);
}

/**
 * Moves leadership to the region's peer on `storeId`.
 *
 * @throws Error when the region has no peer there.
 */
export function createTransferLeaderOperator(description: string, info: RegionInfo, storeId: number, nowMs: number): Operator {
  const peer = peerOnStoreOrThrow(info, storeId, 'a transfer-leader operator');
  return new Operator(description, info.id, info.epoch, [{ kind: 'transferLeader', toPeer: peer }], nowMs);
}

/**
 * Moves the region's replica from `sourceStoreId` to `targetStoreId`: add a new peer (id
 * `newPeerId`) on the target, wait until it has caught up, hand it leadership if the source
 * led, then remove the source's peer. Adding before removing keeps the replica count from ever
 * dropping below what it was.
 *
 * @throws Error when the source has no peer of the region, the target already has one, or
 *   `newPeerId` is already a peer id of the region.
 *
 * @example
 * ```ts
 * const newPeer = cluster.allocPeer(target.id);
 * return createMovePeerOperator('balance-region', region, source.id, target.id, newPeer.id, cluster.now());
 * ```
 */
export function createMovePeerOperator(description: string, info: RegionInfo, sourceStoreId: number, targetStoreId: number, newPeerId: number, nowMs: number): Operator {
  const oldPeer = peerOnStoreOrThrow(info, sourceStoreId, 'a move-peer operator');
  if (info.peerOnStore(targetStoreId)) throw new Error(`Cannot move a peer to store ${targetStoreId}: ${describeRegion(info.region)} already has one there.`);
  if (info.region.peers.some((member) => member.id === newPeerId)) {
    throw new Error(`Cannot move a peer of ${describeRegion(info.region)} under id ${newPeerId}: a peer of the region already has it; allocate a new id.`);
  }
  const newPeer: PeerMeta = { id: newPeerId, storeId: targetStoreId };
  const steps: OperatorStep[] = [{ kind: 'addPeer', peer: newPeer }, ...leaveLeadershipSteps(info, sourceStoreId, newPeer), { kind: 'removePeer', peer: oldPeer }];
  return new Operator(description, info.id, info.epoch, steps, nowMs);
}
