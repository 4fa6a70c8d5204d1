/**
 * The store: one machine of the cluster, hosting one peer per region it replicates (provided).
 *
 * @module
 */
import { CF_DEFAULT, COLUMN_FAMILIES } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import { decodeConfChange } from '../../common/raft/conf-change';
import { EntryType } from '../../common/raft/entry';
import { createMessage, MessageType } from '../../common/raft/message';
import { applyStateKey, dataEndKey, dataKey, raftLogKey, raftStateKey, regionStateKey } from '../../common/raftstore/meta-keys';
import { decodeEntry } from '../../common/raftstore/entry-codec';
import type { AdminRequest, Callback, RaftCmdRequest } from '../../common/raftstore/raft-cmd';
import { decodeApplyState } from '../../common/raftstore/raft-apply-state';
import { decodeRaftLocalState, encodeRaftLocalState } from '../../common/raftstore/raft-local-state';
import { decodeRegion, encodeTombstone, findPeerOnStore, isTombstoneRecord, rangesOverlap, type PeerMeta, type Region } from '../../common/raftstore/region';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import type { StoreMessage } from '../../common/raftstore/store-message';
import type { RegionHeartbeatResponse } from '../../common/scheduler/heartbeat';
import type { SchedulerClient } from '../../common/scheduler/scheduler-client';
import type { Runtime } from '../../common/runtime/runtime';
import { Trace } from '../../common/sim/trace';
import type { StateType } from '../../2a-raft/src/state-type';
import { loadRegions, regionInitialRaftState } from './bootstrap';
import { Peer, type PeerHost } from './peer';
import { PeerMsgHandler } from './peer-msg-handler';
import { compactLogRequest, RaftLogGcWorker } from './raft-log-gc';
import { DEFAULT_RAFTSTORE_CONFIG, type RaftstoreConfig } from './raftstore-config';
import { Router, type RoutedPeer, type RouterHost } from './router';
import { checkSplit } from './split-checker';

/** Observes a store from outside (the cluster test kit checks election safety with it). */
export interface StoreObserver {
  /** Called when a peer's role or term changed, after the Ready that changed it was handled. */
  onRoleChange?(storeId: number, regionId: number, role: StateType, term: number): void;
}

/** Everything a store is started with. */
export interface StoreOptions {
  /** The store's id (a positive integer). */
  readonly storeId: number;
  /** The store's engines: everything it knows after a restart is in them. */
  readonly engines: StoreEngines;
  /** The runtime of this incarnation: ticks and random draws come from it. */
  readonly runtime: Runtime;
  /** Sends a message to another store. */
  readonly send: (toStoreId: number, message: StoreMessage) => void;
  /** Timing knobs (default {@link DEFAULT_RAFTSTORE_CONFIG}). */
  readonly config?: RaftstoreConfig;
  /** Where to record role changes (default: nowhere). */
  readonly trace?: Trace;
  /** Optional observer of role changes. */
  readonly observer?: StoreObserver;
  /** The scheduler (3B): heartbeats, split ids; none before 3B. */
  readonly scheduler?: SchedulerClient;
}

interface HostedPeer extends RoutedPeer {
  readyScheduled: boolean;
  lastRole: StateType;
  lastTerm: number;
}

/**
 * A store: builds a peer for every region recorded in its kv engine, ticks them every
 * `baseTickMs`, delivers messages and commands through its {@link Router}, and after each
 * event handles the Ready of every peer that was touched (once per event batch).
 *
 * From 3B on, peers come and go: a split creates one, the first message of an unknown region
 * creates an uninitialised one (it waits for a snapshot), a peer removed from its region is
 * destroyed and leaves a tombstone; leaders report their regions to the scheduler, which
 * answers with operator steps the store proposes as commands; a split checker proposes splits
 * of regions grown too large.
 *
 * A store has no state of its own beyond its peers: restarting it means building a new one
 * over the same engines. A `CrashSignal` thrown by an engine passes through it untouched.
 */
export class Store implements RouterHost, PeerHost {
  /** The store's id. */
  readonly storeId: number;
  /** Delivers messages and commands to peers. */
  readonly router: Router;
  /** Deletes compacted log entries (2C). */
  readonly raftLogGc: RaftLogGcWorker;
  private readonly hosted = new Map<number, HostedPeer>();
  private readonly engines: StoreEngines;
  private readonly runtime: Runtime;
  private readonly config: RaftstoreConfig;
  private readonly trace: Trace;
  private readonly observer: StoreObserver;
  private readonly send: (toStoreId: number, message: StoreMessage) => void;
  private readonly scheduler: SchedulerClient | undefined;

  /** @param options - id, engines, runtime, transport and knobs. */
  constructor(options: StoreOptions) {
    this.storeId = options.storeId;
    this.engines = options.engines;
    this.runtime = options.runtime;
    this.config = options.config ?? DEFAULT_RAFTSTORE_CONFIG;
    this.trace = options.trace ?? Trace.disabled();
    this.observer = options.observer ?? {};
    this.send = options.send;
    this.scheduler = options.scheduler;
    this.router = new Router(this);
    this.raftLogGc = new RaftLogGcWorker(this.runtime, options.engines.raft, this.config.raftLogGcDelayMs);
    for (const region of loadRegions(options.engines.kv)) {
      const meta = findPeerOnStore(region, this.storeId);
      if (meta === undefined) this.finishSelfRemoval(region);
      else this.createPeer(region, meta);
    }
    this.runtime.setTimer(this.config.baseTickMs, () => this.tick(), 'raft-tick');
    if (Number.isFinite(this.config.raftLogGcCountLimit)) this.runtime.setTimer(this.config.raftLogGcTickMs, () => this.raftLogGcTick(), 'raftlog-gc-tick');
    if (this.scheduler !== undefined) this.runtime.setTimer(this.config.schedulerHeartbeatTickMs, () => this.schedulerHeartbeatTick(), 'scheduler-heartbeat-tick');
    if (this.scheduler !== undefined && Number.isFinite(this.config.regionMaxSizeBytes)) this.runtime.setTimer(this.config.splitCheckTickMs, () => this.splitCheckTick(), 'split-check-tick');
  }

  /** The peer of region `regionId` on this store, if any (see `RouterHost`). */
  peerOf(regionId: number): RoutedPeer | undefined {
    return this.hosted.get(regionId);
  }

  /** The peers of this store, in region-id order. */
  peers(): Peer[] {
    return [...this.hosted.values()].map((hosted) => hosted.peer).sort((a, b) => a.regionId - b.regionId);
  }

  /** Handles a message from another store (the simulated network calls it). */
  receive(_fromStoreId: number, message: StoreMessage): void {
    this.router.deliverRaftMessage(message);
  }

  /**
   * Accepts a client command.
   *
   * @param request - the command.
   * @param callback - called exactly once with the answer.
   */
  propose(request: RaftCmdRequest, callback: Callback): void {
    this.router.deliverCommand(request, callback);
  }

  /** Asks the store to handle the peer's Ready soon, after the current event (see `RouterHost`). */
  wake(regionId: number): void {
    const hosted = this.hosted.get(regionId);
    if (hosted === undefined || hosted.readyScheduled) return;
    hosted.readyScheduled = true;
    // Batching: every message and command of this virtual instant goes into one Ready.
    this.runtime.schedule(() => this.handleReady(hosted), 'handle-ready');
  }

  /**
   * 3B: turns the scheduler's answer to a region heartbeat into a command for that region's
   * leader, proposed like a client's (its epoch is the one the scheduler saw; a stale one is
   * refused by the router's checks and the scheduler simply asks again).
   */
  handleRegionHeartbeatResponse(response: RegionHeartbeatResponse): void {
    const hosted = this.hosted.get(response.regionId);
    if (hosted === undefined || !hosted.peer.isLeader()) return;
    let adminRequest: AdminRequest | undefined;
    if (response.changePeer !== undefined) adminRequest = { cmdType: 'changePeer', changeType: response.changePeer.changeType, peer: response.changePeer.peer };
    else if (response.transferLeader !== undefined) adminRequest = { cmdType: 'transferLeader', peer: response.transferLeader.peer };
    if (adminRequest === undefined) return;
    const header = { regionId: response.regionId, peer: hosted.peer.meta, regionEpoch: response.regionEpoch, term: 0 };
    this.propose({ header, requests: [], adminRequest }, () => undefined);
  }

  // ---- RouterHost (3B): peers created by messages, tombstones, stale peers ----

  /**
   * Creates an uninitialised peer for a message to a region this store does not host, unless a
   * tombstone says the message's peer was destroyed here before.
   */
  maybeCreatePeer(message: StoreMessage): RoutedPeer | undefined {
    if (message.toPeer.storeId !== this.storeId) return undefined;
    const destroyed = this.tombstonePeerId(message.regionId);
    if (destroyed !== undefined && message.toPeer.id <= destroyed) return undefined;
    const region: Region = { id: message.regionId, startKey: Buffer.alloc(0), endKey: Buffer.alloc(0), epoch: { confVer: 0, version: 0 }, peers: [] };
    return this.createPeer(region, message.toPeer);
  }

  /** Destroys a peer this store hosts that its region no longer lists (see `RouterHost`). */
  destroyStalePeer(regionId: number): void {
    const hosted = this.hosted.get(regionId);
    if (hosted !== undefined) this.destroyPeer(hosted.peer);
  }

  /** True when `region` overlaps an initialised region of this store other than itself (see `RouterHost`). */
  overlapsOtherRegion(region: Region): boolean {
    for (const { peer } of this.hosted.values()) {
      if (peer.regionId !== region.id && peer.isInitialized() && rangesOverlap(peer.region, region)) return true;
    }
    return false;
  }

  /** Tells a peer of another store that its region no longer lists it (see `RouterHost`). */
  sendTombstone(from: PeerMeta, to: PeerMeta, region: Region): void {
    const message = createMessage({ msgType: MessageType.MsgHeartbeat, from: from.id, to: to.id });
    this.send(to.storeId, { regionId: region.id, fromPeer: from, toPeer: to, regionEpoch: region.epoch, message, isTombstone: true });
  }

  // ---- PeerHost (3B): what a peer asks of its store ----

  /** A peer's region changed: nothing to index here beyond the peer itself (see `PeerHost`). */
  regionChanged(_peer: Peer, _previous: Region): void {
    // The store finds regions by asking its peers (few per store), so there is no separate
    // range index to update; the hook exists for the scheduler heartbeat and for tests.
    this.heartbeat(_peer);
  }

  /** True when this store hosts an initialised peer of region `regionId` (see `PeerHost`). */
  hasInitializedPeer(regionId: number): boolean {
    return this.hosted.get(regionId)?.peer.isInitialized() ?? false;
  }

  /**
   * Creates this store's peer of the region a split created (see `PeerHost`): writes its raft
   * state (log at (5, 5); an uninitialised peer of it that already existed keeps its term and
   * vote) and starts it; the parent's leader makes it campaign at once so the new region is
   * served soon. Skipped when an initialised peer of it already exists.
   */
  createSplitPeer(parent: Peer, region: Region): void {
    const existing = this.hosted.get(region.id);
    if (existing !== undefined && existing.peer.isInitialized()) return;
    const meta = findPeerOnStore(region, this.storeId);
    if (meta === undefined) return;
    if (existing !== undefined) this.hosted.delete(region.id);
    const raftBytes = this.engines.raft.get(CF_DEFAULT, raftStateKey(region.id));
    const raftState = regionInitialRaftState(raftBytes === undefined ? undefined : decodeRaftLocalState(raftBytes));
    this.engines.raft.write(new WriteBatch().put(CF_DEFAULT, raftStateKey(region.id), encodeRaftLocalState(raftState)));
    const hosted = this.createPeer(region, meta);
    if (parent.isLeader()) hosted.peer.rawNode.campaign();
    this.wake(region.id);
  }

  /**
   * Destroys a peer (see `PeerHost`): one kv write deletes its user data (when it had any) and
   * apply state and leaves a tombstone in place of its region state; one raft write deletes its
   * log and raft state. Its waiting proposals are answered with region-not-found.
   */
  destroyPeer(peer: Peer): void {
    const hosted = this.hosted.get(peer.regionId);
    if (hosted === undefined || hosted.peer !== peer) return;
    this.hosted.delete(peer.regionId);
    const region = peer.region;
    const kvBatch = new WriteBatch();
    if (peer.isInitialized()) {
      for (const cf of COLUMN_FAMILIES) kvBatch.deleteRange(cf, dataKey(region.startKey), dataEndKey(region.endKey));
    }
    kvBatch.delete(CF_DEFAULT, applyStateKey(region.id));
    kvBatch.put(CF_DEFAULT, regionStateKey(region.id), encodeTombstone(region, peer.meta.id));
    this.engines.kv.write(kvBatch);
    // Log keys (suffix 01) sort before the raft state key (suffix 02) of the same region.
    this.engines.raft.write(new WriteBatch().deleteRange(CF_DEFAULT, raftLogKey(region.id, 0), raftStateKey(region.id)).delete(CF_DEFAULT, raftStateKey(region.id)));
    peer.markDestroyed();
    if (this.trace.enabled) this.trace.record({ kind: 'destroy', node: this.storeId, region: region.id, peer: peer.meta.id });
  }

  /** Sends the region heartbeat of `peer` to the scheduler (see `PeerHost`). */
  heartbeat(peer: Peer): void {
    if (this.scheduler === undefined || !peer.isLeader() || peer.destroyed) return;
    this.scheduler.regionHeartbeat({ region: peer.region, leader: peer.meta, pendingPeers: peer.pendingPeers(), approximateSizeBytes: peer.approximateSizeBytes });
  }

  // ---- internals ----

  private createPeer(region: Region, meta: PeerMeta | undefined): HostedPeer {
    const peer = new Peer({
      storeId: this.storeId,
      region,
      meta,
      engines: this.engines,
      runtime: this.runtime,
      config: this.config,
      send: this.send,
      raftLogGc: this.raftLogGc,
      host: this,
    });
    const hosted: HostedPeer = { peer, handler: new PeerMsgHandler(peer), readyScheduled: false, lastRole: peer.rawNode.raft.state, lastTerm: peer.term() };
    this.hosted.set(region.id, hosted);
    return hosted;
  }

  /**
   * A region this store still holds but whose peers no longer include it: the store applied the
   * conf change that removed its own peer and crashed before that peer was destroyed. The
   * destroy is finished now, as `destroyPeer` would have done it. The tombstone records the
   * removed peer's id, read from the conf change at the applied index (or, if that entry is gone,
   * the largest id the region lists: ids only grow, so a later peer of this store is larger).
   */
  private finishSelfRemoval(region: Region): void {
    let removedPeerId = Math.max(0, ...region.peers.map((peer) => peer.id));
    try {
      const applyState = this.engines.kv.get(CF_DEFAULT, applyStateKey(region.id));
      const entryBytes = applyState && this.engines.raft.get(CF_DEFAULT, raftLogKey(region.id, decodeApplyState(applyState).appliedIndex));
      if (entryBytes) {
        const entry = decodeEntry(entryBytes);
        if (entry.entryType === EntryType.EntryConfChange) removedPeerId = Math.max(removedPeerId, decodeConfChange(entry.data).nodeId);
      }
    } catch {
      // Keep the bound from the region's own peers.
    }
    const kvBatch = new WriteBatch();
    for (const cf of COLUMN_FAMILIES) kvBatch.deleteRange(cf, dataKey(region.startKey), dataEndKey(region.endKey));
    kvBatch.delete(CF_DEFAULT, applyStateKey(region.id));
    kvBatch.put(CF_DEFAULT, regionStateKey(region.id), encodeTombstone(region, removedPeerId));
    this.engines.kv.write(kvBatch);
    this.engines.raft.write(new WriteBatch().deleteRange(CF_DEFAULT, raftLogKey(region.id, 0), raftStateKey(region.id)).delete(CF_DEFAULT, raftStateKey(region.id)));
  }

  /** The id of the peer a tombstone of `regionId` records as destroyed here, or undefined when there is none. */
  private tombstonePeerId(regionId: number): number | undefined {
    const bytes = this.engines.kv.get(CF_DEFAULT, regionStateKey(regionId));
    if (bytes === undefined || !isTombstoneRecord(bytes)) return undefined;
    const record = JSON.parse(bytes.toString('utf8')) as { destroyedPeerId?: number };
    return record.destroyedPeerId ?? findPeerOnStore(decodeRegion(bytes), this.storeId)?.id ?? 0;
  }

  private handleReady(hosted: HostedPeer): void {
    hosted.readyScheduled = false;
    if (hosted.peer.destroyed || this.hosted.get(hosted.peer.regionId) !== hosted) return;
    hosted.handler.handleRaftReady();
    const raft = hosted.peer.rawNode.raft;
    if (raft.state !== hosted.lastRole || raft.term !== hosted.lastTerm) {
      hosted.lastRole = raft.state;
      hosted.lastTerm = raft.term;
      if (this.trace.enabled) this.trace.record({ kind: 'role', node: this.storeId, region: hosted.peer.regionId, role: raft.state, term: raft.term });
      this.observer.onRoleChange?.(this.storeId, hosted.peer.regionId, raft.state, raft.term);
    }
  }

  /** 2C: every leader whose log grew past the limit proposes `CompactLog` (answered by nobody: it is the store's own command). */
  private raftLogGcTick(): void {
    this.runtime.setTimer(this.config.raftLogGcTickMs, () => this.raftLogGcTick(), 'raftlog-gc-tick');
    for (const hosted of [...this.hosted.values()]) {
      const request = compactLogRequest(hosted.peer, this.config);
      if (request === undefined) continue;
      hosted.handler.proposeRaftCommand(request, () => undefined);
      this.wake(hosted.peer.regionId);
    }
  }

  /** 3B: every leader reports its region; the store reports itself. */
  private schedulerHeartbeatTick(): void {
    this.runtime.setTimer(this.config.schedulerHeartbeatTickMs, () => this.schedulerHeartbeatTick(), 'scheduler-heartbeat-tick');
    for (const hosted of [...this.hosted.values()]) this.heartbeat(hosted.peer);
    this.scheduler?.storeHeartbeat({ storeId: this.storeId, regionCount: this.hosted.size });
  }

  /**
   * 3B: a leader whose region grew by an eighth of the split size since the last check is
   * measured; if it is over the limit, the scheduler allocates ids and the leader proposes the
   * split (TinyKV's split-check worker and ask-split round trip, in one step).
   */
  private splitCheckTick(): void {
    this.runtime.setTimer(this.config.splitCheckTickMs, () => this.splitCheckTick(), 'split-check-tick');
    const scheduler = this.scheduler;
    if (scheduler === undefined) return;
    for (const hosted of [...this.hosted.values()]) {
      const peer = hosted.peer;
      // A region is measured when it grew enough since the last measure, or was never measured
      // (a new split half, a new leader): the scheduler balances by these sizes (3C).
      if (!peer.isLeader() || !peer.isInitialized()) continue;
      if (peer.sizeDiffHint < this.config.regionSplitSizeBytes / 8 && peer.approximateSizeBytes > 0) continue;
      peer.sizeDiffHint = 0;
      const view = this.engines.kv.view();
      let check;
      try {
        check = checkSplit(view, peer.region, this.config.regionMaxSizeBytes, this.config.regionSplitSizeBytes);
      } finally {
        view.close();
      }
      peer.approximateSizeBytes = check.sizeBytes;
      if (check.splitKey === undefined) continue;
      const ids = scheduler.askSplit(peer.region);
      const adminRequest: AdminRequest = { cmdType: 'split', splitKey: check.splitKey, newRegionId: ids.newRegionId, newPeerIds: ids.newPeerIds };
      const header = { regionId: peer.regionId, peer: peer.meta, regionEpoch: peer.region.epoch, term: 0 };
      this.propose({ header, requests: [], adminRequest }, () => undefined);
    }
  }

  private tick(): void {
    this.runtime.setTimer(this.config.baseTickMs, () => this.tick(), 'raft-tick');
    for (const hosted of [...this.hosted.values()]) {
      hosted.peer.rawNode.tick();
      this.wake(hosted.peer.regionId);
    }
  }
}
