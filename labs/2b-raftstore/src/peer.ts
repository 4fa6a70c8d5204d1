/**
 * A peer: one replica of a region on this store, with its Raft node (provided).
 *
 * @module
 */
import type { Message } from '../../common/raft/message';
import { findPeer, type PeerMeta, type Region } from '../../common/raftstore/region';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import type { StoreMessage } from '../../common/raftstore/store-message';
import type { Runtime } from '../../common/runtime/runtime';
import { RawNode } from '../../2a-raft/src/rawnode';
import { StateType } from '../../2a-raft/src/state-type';
import { PeerStorage } from './peer-storage';
import type { Proposal } from './proposal';
import type { RaftstoreConfig } from './raftstore-config';

/** Everything a peer is built from. */
export interface PeerOptions {
  /** The store hosting the peer. */
  readonly storeId: number;
  /** The region, as recorded in the store's kv engine. */
  readonly region: Region;
  /** The store's engines. */
  readonly engines: StoreEngines;
  /** The store incarnation's runtime (for the Raft node's random source). */
  readonly runtime: Runtime;
  /** Timing knobs. */
  readonly config: RaftstoreConfig;
  /** Sends a message to another store. */
  readonly send: (toStoreId: number, message: StoreMessage) => void;
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
  private readonly send: (toStoreId: number, message: StoreMessage) => void;

  /**
   * Builds the peer from what its store's engines hold (a restart is the same as a start).
   *
   * @throws Error when this store holds no replica of the region.
   */
  constructor(options: PeerOptions) {
    const meta = options.region.peers.find((peer) => peer.storeId === options.storeId);
    if (meta === undefined) throw new Error(`Store ${options.storeId} holds no replica of region ${options.region.id}; cannot build a peer for it.`);
    this.meta = meta;
    this.engines = options.engines;
    this.send = options.send;
    this.tag = `[region ${options.region.id} peer ${meta.id}]`;
    this.peerStorage = new PeerStorage(options.engines, options.region, this.tag);
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
   * Sends Raft messages to the peers they are addressed to (by Raft node id). Call it only
   * after the Ready they came in is persisted. A message to a peer the region does not list
   * is dropped: the peer was removed (3B).
   */
  sendRaftMessages(messages: readonly Message[]): void {
    const region = this.region;
    for (const message of messages) {
      const toPeer = findPeer(region, message.to);
      if (toPeer === undefined) continue;
      this.send(toPeer.storeId, { regionId: region.id, fromPeer: this.meta, toPeer, regionEpoch: region.epoch, message });
    }
  }
}
