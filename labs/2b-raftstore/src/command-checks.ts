/**
 * The checks a command must pass (provided). Before it is proposed, the router runs
 * {@link checkRaftCommand}; when its entry is applied, your `handleRaftReady` runs
 * {@link checkKeysInRegion} again, and from 3B {@link checkEpochAtApply} too, because the region
 * can change in between (a split or a conf change applied first).
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
 * 3B: checks, when a command's entry is applied, that the region did not change under it in a
 * way that matters to the command (TinyKV's `CheckRegionEpoch`): a data command (get, put,
 * delete, snap) needs the region's version (its key range) unchanged; a conf change its conf
 * version (its peers); a split both; compactLog and transferLeader nothing.
 * Between propose and apply another split or conf change may have been applied first.
 *
 * @returns `epoch-not-match` with the current region, or undefined when the command may apply.
 */
export function checkEpochAtApply(request: RaftCmdRequest, region: Region): RaftstoreError | undefined {
  const requested = request.header.regionEpoch;
  const admin = request.adminRequest?.cmdType;
  if (admin === 'compactLog' || admin === 'transferLeader') return undefined;
  const versionChanged = requested.version !== region.epoch.version;
  const confVerChanged = requested.confVer !== region.epoch.confVer;
  // A split also needs the peers unchanged: it carries one new peer id per peer.
  const stale = admin === 'changePeer' ? confVerChanged : admin === 'split' ? versionChanged || confVerChanged : versionChanged;
  return stale ? epochNotMatchError(region, requested) : undefined;
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
