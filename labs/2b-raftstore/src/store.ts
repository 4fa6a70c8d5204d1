/**
 * The store: one machine of the cluster, hosting one peer per region it replicates (provided).
 *
 * @module
 */
import type { Callback, RaftCmdRequest } from '../../common/raftstore/raft-cmd';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import type { StoreMessage } from '../../common/raftstore/store-message';
import type { Runtime } from '../../common/runtime/runtime';
import { Trace } from '../../common/sim/trace';
import type { StateType } from '../../2a-raft/src/state-type';
import { loadRegions } from './bootstrap';
import { Peer } from './peer';
import { PeerMsgHandler } from './peer-msg-handler';
import { DEFAULT_RAFTSTORE_CONFIG, type RaftstoreConfig } from './raftstore-config';
import { Router, type RoutedPeer, type RouterHost } from './router';

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
 * A store has no state of its own beyond its peers: restarting it means building a new one
 * over the same engines. A `CrashSignal` thrown by an engine passes through it untouched.
 */
export class Store implements RouterHost {
  /** The store's id. */
  readonly storeId: number;
  /** Delivers messages and commands to peers. */
  readonly router: Router;
  private readonly hosted = new Map<number, HostedPeer>();
  private readonly runtime: Runtime;
  private readonly config: RaftstoreConfig;
  private readonly trace: Trace;
  private readonly observer: StoreObserver;

  /** @param options - id, engines, runtime, transport and knobs. */
  constructor(options: StoreOptions) {
    this.storeId = options.storeId;
    this.runtime = options.runtime;
    this.config = options.config ?? DEFAULT_RAFTSTORE_CONFIG;
    this.trace = options.trace ?? Trace.disabled();
    this.observer = options.observer ?? {};
    this.router = new Router(this);
    for (const region of loadRegions(options.engines.kv)) {
      const peer = new Peer({ storeId: this.storeId, region, engines: options.engines, runtime: this.runtime, config: this.config, send: options.send });
      const handler = new PeerMsgHandler(peer);
      this.hosted.set(region.id, { peer, handler, readyScheduled: false, lastRole: peer.rawNode.raft.state, lastTerm: peer.term() });
    }
    this.runtime.setTimer(this.config.baseTickMs, () => this.tick(), 'raft-tick');
  }

  /** The peer of region `regionId` on this store, if any (see `RouterHost`). */
  peerOf(regionId: number): RoutedPeer | undefined {
    return this.hosted.get(regionId);
  }

  /** The peers of this store, in region-id order. */
  peers(): Peer[] {
    return [...this.hosted.values()].map((hosted) => hosted.peer);
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

  private handleReady(hosted: HostedPeer): void {
    hosted.readyScheduled = false;
    hosted.handler.handleRaftReady();
    const raft = hosted.peer.rawNode.raft;
    if (raft.state !== hosted.lastRole || raft.term !== hosted.lastTerm) {
      hosted.lastRole = raft.state;
      hosted.lastTerm = raft.term;
      if (this.trace.enabled) this.trace.record({ kind: 'role', node: this.storeId, region: hosted.peer.regionId, role: raft.state, term: raft.term });
      this.observer.onRoleChange?.(this.storeId, hosted.peer.regionId, raft.state, raft.term);
    }
  }

  private tick(): void {
    this.runtime.setTimer(this.config.baseTickMs, () => this.tick(), 'raft-tick');
    for (const hosted of this.hosted.values()) {
      hosted.peer.rawNode.tick();
      this.wake(hosted.peer.regionId);
    }
  }
}
