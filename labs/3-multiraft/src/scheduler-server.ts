/**
 * The scheduler (placement driver) as the simulation talks to it (provided; TinyKV's
 * `server.Server` with its `RaftCluster`).
 *
 * @module
 */
import type { Region } from '../../common/raftstore/region';
import type { Runtime } from '../../common/runtime/runtime';
import type { RegionHeartbeat, RegionHeartbeatResponse, StoreHeartbeat } from '../../common/scheduler/heartbeat';
import { BalanceRegionScheduler } from './balance-region-scheduler';
import { ClusterState } from './cluster-state';
import { IdAllocator } from './id-allocator';
import type { Operator } from './operator';
import { OperatorController } from './operator-controller';
import { processRegionHeartbeat } from './process-region-heartbeat';
import { RegionInfo } from './region-info';
import type { Scheduler } from './scheduler';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from './scheduler-config';
import { StaleRegionError } from './stale-region-error';
import { StoreState, type StoreInfo } from './store-info';

/** The ids a split needs, allocated by {@link SchedulerServer.askSplit}. */
export interface SplitIds {
  /** The id of the new (right-hand) region. */
  readonly newRegionId: number;
  /** One new peer id per peer of the region being split, in the order of its `peers`. */
  readonly newPeerIds: readonly number[];
}

/** Options of {@link SchedulerServer}. */
export interface SchedulerServerOptions {
  /** The schedulers to run (default: one balance-region scheduler). */
  readonly schedulers?: readonly Scheduler[];
  /** The first id the allocator hands out (default 1). */
  readonly firstId?: number;
}

/**
 * The scheduler: receives region and store heartbeats, keeps the cluster state, allocates ids
 * and answers region heartbeats with operator steps. It runs in-process; the simulation calls
 * it directly and calls {@link SchedulerServer.runSchedulers} periodically.
 *
 * @example
 * ```ts
 * const scheduler = new SchedulerServer(runtime);
 * scheduler.handleStoreHeartbeat({ storeId: 1 });
 * const step = scheduler.handleRegionHeartbeat(heartbeat); // a step for the leader, or undefined
 * scheduler.runSchedulers();                               // operators proposed this round
 * ```
 */
export class SchedulerServer {
  /** What the scheduler knows. */
  readonly cluster: ClusterState;
  /** The running operators. */
  readonly operators: OperatorController;
  /** The schedulers {@link SchedulerServer.runSchedulers} runs. */
  readonly schedulers: readonly Scheduler[];
  private staleHeartbeats = 0;

  /**
   * @param runtime - the clock and random source (virtual in tests).
   * @param config - the scheduler's settings.
   * @param options - schedulers and the first id.
   */
  constructor(
    runtime: Runtime,
    readonly config: SchedulerConfig = DEFAULT_SCHEDULER_CONFIG,
    options: SchedulerServerOptions = {},
  ) {
    this.cluster = new ClusterState(runtime, config, new IdAllocator(options.firstId ?? 1));
    this.operators = new OperatorController(() => runtime.now(), config.operatorTimeoutMs);
    this.schedulers = options.schedulers ?? [new BalanceRegionScheduler(runtime.rng('scheduler/balance-region'))];
  }

  /** How many region heartbeats were rejected as stale. */
  get staleHeartbeatCount(): number {
    return this.staleHeartbeats;
  }

  /**
   * Takes a region leader's report: updates the cluster state (`processRegionHeartbeat`) and
   * answers with the region's current operator step.
   *
   * @returns the step for the leader to carry out, or undefined: nothing to do, or the report
   *   was stale (rejected and counted in {@link SchedulerServer.staleHeartbeatCount}).
   * @throws Error when the report is malformed (its leader is not one of its peers).
   */
  handleRegionHeartbeat(heartbeat: RegionHeartbeat): RegionHeartbeatResponse | undefined {
    const info = RegionInfo.fromHeartbeat(heartbeat);
    try {
      processRegionHeartbeat(this.cluster, info);
    } catch (error) {
      if (!(error instanceof StaleRegionError)) throw error;
      this.staleHeartbeats++;
      return undefined;
    }
    return this.operators.dispatch(info);
  }

  /** Takes a store's report: registers the store when new, and records that it is alive. */
  handleStoreHeartbeat(heartbeat: StoreHeartbeat): void {
    this.cluster.putStore(heartbeat.storeId).recordHeartbeat(heartbeat, this.cluster.now());
  }

  /** Registers a store (Up) without waiting for its first heartbeat. */
  putStore(storeId: number): StoreInfo {
    return this.cluster.putStore(storeId);
  }

  /** Marks a store offline: it takes no new replicas and balancing ignores it. */
  setStoreOffline(storeId: number): void {
    this.cluster.setStoreState(storeId, StoreState.Offline);
  }

  /** A new unique id (for a region or a peer). */
  allocId(): number {
    return this.cluster.ids.alloc();
  }

  /**
   * Allocates the ids a split of `region` needs: one region id and one peer id per peer.
   *
   * @throws StaleRegionError when the scheduler knows a newer epoch of the region: the split
   *   was planned on an old copy and must be planned again.
   */
  askSplit(region: Region): SplitIds {
    const known = this.cluster.getRegion(region.id);
    if (known && (region.epoch.version < known.epoch.version || region.epoch.confVer < known.epoch.confVer)) {
      throw new StaleRegionError(region, known.region);
    }
    return { newRegionId: this.allocId(), newPeerIds: region.peers.map(() => this.allocId()) };
  }

  /**
   * Creates the cluster's first region: every key, one peer per store, epoch 1/1, no leader yet.
   * Registers the stores and records the region, so keys can be looked up at once.
   *
   * @throws Error when the scheduler already knows regions.
   */
  bootstrap(storeIds: readonly number[]): Region {
    if (this.cluster.regionCount > 0) throw new Error('Cannot bootstrap: the scheduler already knows regions.');
    const regionId = this.allocId();
    const region: Region = {
      id: regionId,
      startKey: Buffer.alloc(0),
      endKey: Buffer.alloc(0),
      epoch: { confVer: 1, version: 1 },
      peers: storeIds.map((storeId) => ({ id: this.allocId(), storeId })),
    };
    for (const storeId of storeIds) this.cluster.putStore(storeId);
    this.cluster.putRegion(new RegionInfo(region, undefined, [], 0));
    for (const storeId of storeIds) this.cluster.updateStoreStatus(storeId);
    return region;
  }

  /** The region holding `key`, or undefined. */
  getRegionByKey(key: Buffer): RegionInfo | undefined {
    return this.cluster.getRegionByKey(key);
  }

  /** The region with id `regionId`, or undefined. */
  getRegionById(regionId: number): RegionInfo | undefined {
    return this.cluster.getRegion(regionId);
  }

  /** The store with id `storeId`, or undefined. */
  getStore(storeId: number): StoreInfo | undefined {
    return this.cluster.getStore(storeId);
  }

  /**
   * Runs every scheduler once and starts the operators they propose (one per region at most).
   *
   * @returns the operators started this round.
   */
  runSchedulers(): Operator[] {
    const started: Operator[] = [];
    for (const scheduler of this.schedulers) {
      const operator = scheduler.schedule(this.cluster);
      if (operator && this.operators.addOperator(operator)) started.push(operator);
    }
    return started;
  }
}
