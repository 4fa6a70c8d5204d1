/**
 * A peer: one replica of a region on this store, with its Raft node (provided).
 *
 * @module
 */
import type { Message } from '../../common/raft/message';
import { CF_DEFAULT } from '../../common/engine/engine';
import type { WriteBatch } from '../../common/engine/write-batch';
import { applyStateKey, regionStateKey } from '../../common/raftstore/meta-keys';
import { encodeApplyState } from '../../common/raftstore/raft-apply-state';
import { errorResponse } from '../../common/raftstore/raft-cmd';
import { proposalOrphanedError } from '../../common/raftstore/raftstore-error';
import { encodeRegion, findPeer, findPeerOnStore, isUninitialized, type PeerMeta, type Region } from '../../common/raftstore/region';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import type { StoreMessage } from '../../common/raftstore/store-message';
import type { Runtime } from '../../common/runtime/runtime';
import { RawNode } from '../../2a-raft/src/rawnode';
import { StateType } from '../../2a-raft/src/state-type';
import { PeerStorage } from './peer-storage';
import type { Proposal } from './proposal';
import type { RaftLogGcWorker } from './raft-log-gc';
import type { RaftstoreConfig } from './raftstore-config';
import { SnapshotGenerator } from './snapshot-generator';
import { regionInitialApplyState } from './bootstrap';

/**
 * Checks what a (re)started peer's storage says before Raft trusts it: `truncated <= applied <=
 * commit <= last index`. Every crash must recover to this (2B: persist before apply; 2C: the two
 * writes of a snapshot install).
 *
 * @throws Error naming the peer and the indexes that disagree.
 */
export function assertStorageInvariants(storage: PeerStorage): void {
  const truncated = storage.applyState.truncatedState.index;
  const applied = storage.applyState.appliedIndex;
  const commit = storage.raftState.hardState.commit;
  const last = storage.raftState.lastIndex;
  if (truncated <= applied && applied <= commit && commit <= last) return;
  throw new Error(
    `${storage.tag} starts from an inconsistent storage: truncated index ${truncated}, applied index ${applied} (kv engine), ` +
      `commit ${commit}, last index ${last} (raft engine); they must satisfy truncated <= applied <= commit <= last. ` +
      `After a crash between the kv and the raft write of a snapshot install, the constructor must rebuild the raft state from the apply state (labs/2c-snapshot/README.md#order-of-writes).`,
  );
}

/**
 * What a peer asks of its store (3B): the store keeps the map of its regions, creates and
 * destroys peers, and talks to the scheduler. Implemented by `Store`; tests may give a stand-in.
 */
export interface PeerHost {
  /** The region of `peer` changed (conf change, split, snapshot): update the store's maps. */
  regionChanged(peer: Peer, previous: Region): void;
  /** A split created `region` (the right half): create, register and start this store's peer of it. */
  createSplitPeer(parent: Peer, region: Region): void;
  /** `peer` was removed from its region: delete its data and state and stop driving it. */
  destroyPeer(peer: Peer): void;
  /** Sends `peer`'s region heartbeat to the scheduler, if the store has one. */
  heartbeat(peer: Peer): void;
  /** True when the store already has an initialised peer of region `regionId`. */
  hasInitializedPeer(regionId: number): boolean;
}

/** A host for a peer used alone (unit tests, stage 2B): region changes are only remembered in the peer. */
const NO_HOST: PeerHost = {
  regionChanged: () => undefined,
  createSplitPeer: () => {
    throw new Error('This peer has no store to create a split region in.');
  },
  destroyPeer: () => undefined,
  heartbeat: () => undefined,
  hasInitializedPeer: () => false,
};

/** Everything a peer is built from. */
export interface PeerOptions {
  /** The store hosting the peer. */
  readonly storeId: number;
  /** The region, as recorded in the store's kv engine (no peers yet for a peer created by a message, 3B). */
  readonly region: Region;
  /** This replica; needed when the region does not list it yet (a peer created by a message, 3B). */
  readonly meta?: PeerMeta;
  /** The store (3B); default: none. */
  readonly host?: PeerHost;
  /** The store's engines. */
  readonly engines: StoreEngines;
  /** The store incarnation's runtime (for the Raft node's random source). */
  readonly runtime: Runtime;
  /** Timing knobs. */
  readonly config: RaftstoreConfig;
  /** Sends a message to another store. */
  readonly send: (toStoreId: number, message: StoreMessage) => void;
  /** The store's raft-log GC worker (2C); omitted, compacted entries are never deleted. */
  readonly raftLogGc?: RaftLogGcWorker;
}

/**
 * One replica of a region: its {@link PeerStorage} over the store's engines, the
 * {@link RawNode} reading from it, and the commands proposed here and not yet answered.
 * The Ready handling that drives it lives in `PeerMsgHandler` (the student's file).
 */
export class Peer {
  /** This replica (its id is its Raft node id). */
  readonly meta: PeerMeta;
  /** The store's engines. */
  readonly engines: StoreEngines;
  /** The raft `Storage` over the engines; also persists Ready state. */
  readonly peerStorage: PeerStorage;
  /** The Raft node (the student's 2A code, or the reference with `--reference 2a`). */
  readonly rawNode: RawNode;
  /** Commands proposed here, oldest first, waiting for their entry to be applied. */
  proposals: Proposal[] = [];
  /** `[region 1 peer 2]`, for messages. */
  readonly tag: string;
  /**
   * 3B: bytes written to the region (keys and values of puts, keys of deletes) since the split
   * checker last measured it. Grow it on every applied put and delete: the split checker only
   * looks at regions whose hint is large enough.
   */
  sizeDiffHint = 0;
  /** 3B: the region's size in bytes as the split checker last measured it (reported to the scheduler). */
  approximateSizeBytes = 0;
  /** True once the peer was destroyed (3B): the store no longer drives it and it must apply nothing more. */
  destroyed = false;
  /**
   * 3B: the peers this one heard from (the router records every sender). A peer created by a
   * message knows no region yet, and a peer may hear from a member its region does not list yet:
   * its answers go to them through this cache.
   */
  readonly peerCache = new Map<number, PeerMeta>();
  private readonly send: (toStoreId: number, message: StoreMessage) => void;
  private readonly raftLogGc: RaftLogGcWorker | undefined;
  private readonly host: PeerHost;

  /**
   * Builds the peer from what its store's engines hold (a restart is the same as a start).
   *
   * @throws Error when this store holds no replica of the region.
   */
  constructor(options: PeerOptions) {
    const meta = options.meta ?? findPeerOnStore(options.region, options.storeId);
    if (meta === undefined) throw new Error(`Store ${options.storeId} holds no replica of region ${options.region.id}; cannot build a peer for it.`);
    this.meta = meta;
    this.host = options.host ?? NO_HOST;
    this.engines = options.engines;
    this.send = options.send;
    this.raftLogGc = options.raftLogGc;
    this.tag = `[region ${options.region.id} peer ${meta.id}]`;
    this.peerStorage = new PeerStorage(options.engines, options.region, this.tag, new SnapshotGenerator(options.runtime, options.config));
    assertStorageInvariants(this.peerStorage);
    this.rawNode = new RawNode({
      id: meta.id,
      peers: [],
      electionTick: options.config.electionTicks,
      heartbeatTick: options.config.heartbeatTicks,
      storage: this.peerStorage,
      applied: this.peerStorage.appliedIndex(),
      rng: options.runtime.rng(`region-${options.region.id}/raft`),
    });
  }

  /** The region this peer replicates. */
  get region(): Region {
    return this.peerStorage.region;
  }

  /** False for a peer created by a message and still waiting for its first snapshot (3B): it knows no range and no peers. */
  isInitialized(): boolean {
    return !isUninitialized(this.region);
  }

  /**
   * 3B: the region changed (a conf change or a split was applied): remember it and let the
   * store update its maps. Call it after the kv write that persisted the new region.
   */
  setRegion(region: Region): void {
    const previous = this.peerStorage.region;
    this.peerStorage.region = region;
    this.host.regionChanged(this, previous);
  }

  /**
   * 3B: puts the new region of a split (the right half) into the split's kv batch: its region
   * state and its initial apply state (applied and truncated at `REGION_INITIAL_INDEX` (bootstrap.ts)), so
   * that both regions are persisted in one write. Writes nothing when this store already has an
   * initialised peer of the new region (a snapshot got there first: its data is newer).
   *
   * @returns true when it wrote the new region (then call {@link createSplitPeer} after the write).
   */
  writeSplitRegionState(kvBatch: WriteBatch, region: Region): boolean {
    if (this.host.hasInitializedPeer(region.id)) return false;
    kvBatch.put(CF_DEFAULT, regionStateKey(region.id), encodeRegion(region));
    kvBatch.put(CF_DEFAULT, applyStateKey(region.id), encodeApplyState(regionInitialApplyState()));
    return true;
  }

  /**
   * 3B: after applying a split, creates this store's peer of the new region (the right half),
   * registers it and starts it. Call it after the kv write that persisted both regions (with
   * {@link writeSplitRegionState}). Skipped when this store already has an initialised peer of
   * the new region (a snapshot got there first: its data is newer).
   */
  createSplitPeer(region: Region): void {
    this.host.createSplitPeer(this, region);
  }

  /**
   * 3B: this peer was removed from its region (it applied its own removal): the store deletes
   * its data and state, leaves a tombstone, answers its waiting proposals with region-not-found,
   * and stops driving it. Apply nothing more after calling it.
   */
  destroy(): void {
    if (this.destroyed) return;
    this.host.destroyPeer(this);
  }

  /**
   * Marks the peer destroyed and answers every waiting proposal with region-not-found, marked
   * "outcome unknown": its entry may still be applied by the other peers (no proposal is ever
   * left unanswered). Called by the store.
   */
  markDestroyed(): void {
    this.destroyed = true;
    const waiting = this.proposals;
    this.proposals = [];
    for (const proposal of waiting) proposal.callback(errorResponse(proposalOrphanedError(this.regionId, this.meta.storeId), this.term()));
  }

  /** 3B: sends the region's heartbeat to the scheduler, if this peer leads (call it after every region change). */
  heartbeatScheduler(): void {
    if (this.isLeader()) this.host.heartbeat(this);
  }

  /**
   * The peers the leader sees as behind: their match is before the truncated index (they need a
   * snapshot), or unknown (a peer just added). Empty on a non-leader.
   */
  pendingPeers(): PeerMeta[] {
    const progress = this.rawNode.getProgress();
    const truncated = this.peerStorage.applyState.truncatedState.index;
    return this.region.peers.filter((peer) => {
      if (peer.id === this.meta.id) return false;
      const match = progress.get(peer.id)?.match ?? 0;
      return match === 0 || match < truncated;
    });
  }

  /** The region's id. */
  get regionId(): number {
    return this.peerStorage.region.id;
  }

  /** True when this peer's Raft node is the leader. */
  isLeader(): boolean {
    return this.rawNode.raft.state === StateType.Leader;
  }

  /** The peer's current term. */
  term(): number {
    return this.rawNode.raft.term;
  }

  /** The leader this peer knows of, or undefined. */
  leader(): PeerMeta | undefined {
    return findPeer(this.region, this.rawNode.raft.lead);
  }

  /**
   * Asks the store's raft-log GC worker to delete this region's log entries up to
   * `truncatedIndex` from the raft engine (2C). Call it after the `CompactLog` that moved the
   * truncated state was written: the entries are unreachable from then on, the worker only frees
   * their space.
   */
  scheduleRaftLogGc(truncatedIndex: number): void {
    this.raftLogGc?.schedule(this.regionId, truncatedIndex);
  }

  /**
   * Sends Raft messages to the peers they are addressed to (by Raft node id). Call it only
   * after the Ready they came in is persisted. A message to a peer the region does not list
   * is dropped: the peer was removed (3B).
   */
  sendRaftMessages(messages: readonly Message[]): void {
    const region = this.region;
    for (const message of messages) {
      const toPeer = findPeer(region, message.to) ?? this.peerCache.get(message.to);
      if (toPeer === undefined) continue;
      this.send(toPeer.storeId, { regionId: region.id, fromPeer: this.meta, toPeer, regionEpoch: region.epoch, message });
    }
  }
}
