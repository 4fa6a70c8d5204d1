/**
 * The checks a command must pass before it is proposed, and again when it is applied (provided).
 *
 * @module
 */
import type { RaftCmdRequest } from '../../common/raftstore/raft-cmd';
import {
  epochNotMatchError,
  keyNotInRegionError,
  notLeaderError,
  storeNotMatchError,
  type RaftstoreError,
} from '../../common/raftstore/raftstore-error';
import { keyInRegion, regionEpochEquals, type Region } from '../../common/raftstore/region';
import type { Peer } from './peer';

/**
 * Checks that every key of the command lies in `region`.
 *
 * @returns the error to answer with, or undefined when all keys are in the region.
 */
export function checkKeysInRegion(request: RaftCmdRequest, region: Region): RaftstoreError | undefined {
  for (const operation of request.requests) {
    if (operation.cmdType === 'snap') continue;
    if (!keyInRegion(operation.key, region)) return keyNotInRegionError(operation.key, region);
  }
  return undefined;
}

/**
 * Checks a command against the peer that received it: right store, leader, term, epoch and
 * keys (TinyKV's `preProposeRaftCommand`).
 *
 * @returns the error to answer with, or undefined when the command may be proposed.
 */
export function checkRaftCommand(peer: Peer, storeId: number, request: RaftCmdRequest): RaftstoreError | undefined {
  const header = request.header;
  if (header.peer.storeId !== storeId) return storeNotMatchError(peer.regionId, storeId, header.peer);
  if (!peer.isLeader()) return notLeaderError(peer.regionId, peer.leader());
  if (header.peer.id !== peer.meta.id) return storeNotMatchError(peer.regionId, storeId, header.peer);
  if (header.term !== 0 && header.term !== peer.term()) return notLeaderError(peer.regionId, peer.leader());
  if (!regionEpochEquals(header.regionEpoch, peer.region.epoch)) return epochNotMatchError(peer.region, header.regionEpoch);
  return checkKeysInRegion(request, peer.region);
}
