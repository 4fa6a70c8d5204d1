/**
 * The errors a raftstore answers a command with (TinyKV's `errorpb.Error`).
 *
 * @module
 */
import type { PeerMeta, Region, RegionEpoch } from './region';

/**
 * Why a command was refused or failed. Whether the command may have taken effect matters
 * to the client:
 * - `not-leader`, `key-not-in-region`, `epoch-not-match`, `region-not-found`,
 *   `store-not-match`: refused before it was proposed — it surely had no effect; retry
 *   elsewhere.
 * - `stale-command`: it was proposed, but another entry was committed at its log position,
 *   so it will never be applied — it surely had no effect; retry.
 * - `request-timeout`: no answer in time — it may or may not take effect (the client knows
 *   nothing).
 */
export type RaftstoreErrorKind = 'not-leader' | 'stale-command' | 'key-not-in-region' | 'epoch-not-match' | 'request-timeout' | 'region-not-found' | 'store-not-match';

/** A region-level error. Compatible with stage 1's `RegionError` (`kind`, `message`). */
export interface RaftstoreError {
  /** Which error. */
  readonly kind: RaftstoreErrorKind;
  /** A full sentence saying what happened and what to do. */
  readonly message: string;
  /** The region concerned. */
  readonly regionId: number;
  /** For `not-leader`: the leader this peer knows of, if any (the client should go there). */
  readonly leader?: PeerMeta;
  /** For `epoch-not-match`: the region as this store knows it. */
  readonly currentRegion?: Region;
  /**
   * Set when the command was already proposed when the error came (its peer was destroyed, 3B):
   * its entry may still be committed and applied by the region's other peers, so the client
   * cannot know whether it took effect.
   */
  readonly outcomeUnknown?: boolean;
}

/** The command reached a peer that is not the leader; `leader` is its hint when it knows one. */
export function notLeaderError(regionId: number, leader: PeerMeta | undefined): RaftstoreError {
  const hint = leader === undefined ? 'it knows no leader yet; retry after an election' : `retry at peer ${leader.id} on store ${leader.storeId}`;
  return { kind: 'not-leader', regionId, leader, message: `This peer of region ${regionId} is not its leader: ${hint}.` };
}

/** The command's log position was taken by another entry: it will never be applied. */
export function staleCommandError(regionId: number, index: number, term: number): RaftstoreError {
  return {
    kind: 'stale-command',
    regionId,
    message: `The command proposed at index ${index} in term ${term} of region ${regionId} was overwritten by a newer leader and will never be applied; retry it.`,
  };
}

/** A key of the command lies outside the region. */
export function keyNotInRegionError(key: Buffer, region: Region): RaftstoreError {
  return {
    kind: 'key-not-in-region',
    regionId: region.id,
    message: `Key ${JSON.stringify(key.toString('latin1'))} is not in region ${region.id} [${region.startKey.toString('latin1')}, ${region.endKey.toString('latin1')}); ask the scheduler which region holds it.`,
  };
}

/** The client's region epoch differs from the store's. */
export function epochNotMatchError(region: Region, requested: RegionEpoch): RaftstoreError {
  return {
    kind: 'epoch-not-match',
    regionId: region.id,
    currentRegion: region,
    message: `The request for region ${region.id} carries epoch ${requested.confVer}/${requested.version} but the region is at ${region.epoch.confVer}/${region.epoch.version}; refresh the region from the scheduler and retry.`,
  };
}

/** No answer came in time: the command may or may not take effect. */
export function requestTimeoutError(regionId: number, waitedMs: number): RaftstoreError {
  return {
    kind: 'request-timeout',
    regionId,
    message: `No answer from region ${regionId} within ${waitedMs} ms; the command may or may not have taken effect.`,
  };
}

/** The store has no peer of this region. */
export function regionNotFoundError(regionId: number, storeId: number): RaftstoreError {
  return { kind: 'region-not-found', regionId, message: `Store ${storeId} holds no peer of region ${regionId}; ask the scheduler where the region lives.` };
}

/** The request names another store or peer than the one it reached. */
export function storeNotMatchError(regionId: number, storeId: number, requestedPeer: PeerMeta): RaftstoreError {
  return {
    kind: 'store-not-match',
    regionId,
    message: `The request addresses peer ${requestedPeer.id} on store ${requestedPeer.storeId} but reached store ${storeId}; send it to the store named in its header.`,
  };
}

/** The peer holding the proposal was destroyed (3B): its entry may still be applied elsewhere. */
export function proposalOrphanedError(regionId: number, storeId: number): RaftstoreError {
  return {
    kind: 'region-not-found',
    regionId,
    outcomeUnknown: true,
    message: `The peer of region ${regionId} on store ${storeId} was removed while the command waited for its entry; the entry may still be applied by the region's other peers, so the command may or may not have taken effect.`,
  };
}

/** True for the errors that prove the command had no effect: everything but a timeout and an orphaned proposal. */
export function provesNoEffect(error: RaftstoreError): boolean {
  return error.kind !== 'request-timeout' && error.outcomeUnknown !== true;
}
