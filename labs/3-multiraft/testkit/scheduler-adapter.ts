/**
 * The 3C scheduler behind the cluster kit's scheduler interface: your `processRegionHeartbeat`
 * and balance-region scheduler drive a real (simulated) 3B cluster.
 *
 * @module
 */
import { describeRegion, type Region } from '../../common/raftstore/region';
import type { Rng } from '../../common/runtime/rng';
import type { Runtime } from '../../common/runtime/runtime';
import type { RegionHeartbeat, RegionHeartbeatResponse, StoreHeartbeat } from '../../common/scheduler/heartbeat';
import type { SplitIds } from '../../common/scheduler/scheduler-client';
import type { SchedulerService } from '../../2b-raftstore/testkit/scheduler-service';
import type { Operator } from '../src/operator';
import type { SchedulerServer } from '../src/scheduler-server';
import { StaleRegionError } from '../src/stale-region-error';
import { EpochMonitor } from './epoch-monitor';
import { maybeDeliverLate, type LateHeartbeatOptions } from './late-heartbeats';

/** One operator a scheduler started, as the scheduler saw the cluster when it planned it. */
export interface PlannedMove {
  /** When it started (virtual ms). */
  readonly atMs: number;
  /** The scheduler that made it (the operator's description: `balance-region`). */
  readonly scheduler: string;
  /** The operator's one-line description (`balance-region region 7: add peer 31@4, ...`). */
  readonly description: string;
  /** The region it moves. */
  readonly regionId: number;
  /** The store losing the replica (its remove step), if the operator has one. */
  readonly fromStoreId?: number;
  /** The store gaining the replica (its add step), if the operator has one. */
  readonly toStoreId?: number;
  /** How many peers the scheduler knew the region to have when the move was planned. */
  readonly replicas: number;
  /** The region's size as the scheduler knew it. */
  readonly regionSizeBytes: number;
}

/** Options of {@link SchedulerServerAdapter}. */
export interface SchedulerServerAdapterOptions {
  /** Region heartbeats that also arrive late (default: none). */
  readonly lateHeartbeats?: LateHeartbeatOptions;
}

/**
 * Wraps a 3C `SchedulerServer` as the cluster kit's `SchedulerService`: heartbeats go to the
 * server (your `processRegionHeartbeat`), its answers go back to the leaders, and every
 * scheduler tick runs `runSchedulers` (your balance-region). Along the way it keeps what a test
 * needs to judge the run: every operator started and how the scheduler saw its region
 * ({@link SchedulerServerAdapter.moves}), and whether the scheduler's picture ever went back to
 * an older epoch ({@link SchedulerServerAdapter.epochRegressions}).
 *
 * @example
 * ```ts
 * const cluster = new Cluster({
 *   seed, storeCount: 5, bootstrapStores: [1, 2, 3],
 *   createScheduler: (runtime) => new SchedulerServerAdapter(new SchedulerServer(runtime), runtime),
 * });
 * ```
 */
export class SchedulerServerAdapter implements SchedulerService {
  private readonly planned: PlannedMove[] = [];
  private readonly monitor = new EpochMonitor();
  private readonly lateRng: Rng;
  private staleSplitAsks = 0;
  private lateCopies = 0;
  private leaderlessReports = 0;
  private schedulersRunning = true;

  /**
   * @param server - the scheduler (built on the cluster's runtime).
   * @param runtime - the cluster's runtime: the clock of the log and of late heartbeats.
   * @param options - late heartbeats.
   */
  constructor(
    readonly server: SchedulerServer,
    private readonly runtime: Runtime,
    private readonly options: SchedulerServerAdapterOptions = {},
  ) {
    this.lateRng = runtime.rng('scheduler/late-heartbeats');
  }

  /** Every operator the schedulers started, oldest first. */
  get moves(): readonly PlannedMove[] {
    return this.planned;
  }

  /** Each time the scheduler's copy of a region went back to an older epoch, a sentence. */
  get epochRegressions(): readonly string[] {
    return this.monitor.regressions;
  }

  /** How many split asks named a region older than the scheduler's copy (answered anyway: see {@link askSplit}). */
  get staleSplitAskCount(): number {
    return this.staleSplitAsks;
  }

  /** How many reports were dropped because their leader was not one of the region's peers (see {@link handleRegionHeartbeat}). */
  get droppedReportCount(): number {
    return this.leaderlessReports;
  }

  /** How many heartbeats were delivered a second time, late. */
  get lateHeartbeatCount(): number {
    return this.lateCopies;
  }

  bootstrap(storeIds: readonly number[]): Region {
    return this.server.bootstrap(storeIds);
  }

  allocId(): number {
    return this.server.allocId();
  }

  /**
   * The split ids. When the asking leader's region is older than the scheduler's copy (a leader
   * that has not applied a conf change yet), the server refuses; the kit's raftstore has no way
   * to take a refusal, so the ids are allocated anyway, as the 3B mock does: the split command
   * then meets the raftstore's own epoch checks.
   */
  askSplit(region: Region): SplitIds {
    try {
      return this.server.askSplit(region);
    } catch (error) {
      if (!(error instanceof StaleRegionError)) throw error;
      this.staleSplitAsks++;
      return { newRegionId: this.server.allocId(), newPeerIds: region.peers.map(() => this.server.allocId()) };
    }
  }

  /**
   * Delivers a leader's report (and maybe, later, a late copy of it). A report whose leader is
   * not among the region's peers — a leader that has just applied its own removal reports once
   * more before it destroys itself — is dropped here: the scheduler refuses such a report as
   * malformed, and the region's next leader reports soon.
   */
  handleRegionHeartbeat(heartbeat: RegionHeartbeat): RegionHeartbeatResponse | undefined {
    if (!heartbeat.region.peers.some((peer) => peer.id === heartbeat.leader.id)) {
      this.leaderlessReports++;
      return undefined;
    }
    const response = this.deliver(heartbeat, 'on time');
    const late = this.options.lateHeartbeats;
    if (late !== undefined && maybeDeliverLate(this.runtime, this.lateRng, late, heartbeat, (copy) => void this.deliver(copy, 'late'))) this.lateCopies++;
    return response;
  }

  handleStoreHeartbeat(heartbeat: StoreHeartbeat): void {
    this.server.handleStoreHeartbeat(heartbeat);
  }

  regionByKey(key: Buffer): Region | undefined {
    return this.server.getRegionByKey(key)?.region;
  }

  regionById(regionId: number): Region | undefined {
    return this.server.getRegionById(regionId)?.region;
  }

  regions(): Region[] {
    return this.server.cluster.getRegions().map((info) => info.region);
  }

  /**
   * Pauses or resumes the schedulers: while paused, {@link tick} does nothing, and heartbeats
   * are still taken in and answered (running operators go on).
   */
  setSchedulersRunning(running: boolean): void {
    this.schedulersRunning = running;
  }

  /** Runs every scheduler once (`runSchedulers`) and logs the operators it started; nothing while paused. */
  tick(): void {
    if (!this.schedulersRunning) return;
    // The plan is judged on the picture the scheduler had when it made it, so read it first.
    const before = new Map(this.server.cluster.getRegions().map((info) => [info.id, info]));
    for (const operator of this.server.runSchedulers()) {
      const info = before.get(operator.regionId);
      this.planned.push(describeMove(operator, this.runtime.now(), info?.region.peers.length ?? 0, info?.approximateSizeBytes ?? 0));
    }
  }

  /**
   * Starts an operator of the test's own (for example one that removes a replica, as a failed
   * disk would), unless the region already has one.
   *
   * @returns true when it was started.
   */
  startOperator(operator: Operator): boolean {
    return this.server.operators.addOperator(operator);
  }

  private deliver(heartbeat: RegionHeartbeat, timing: 'on time' | 'late'): RegionHeartbeatResponse | undefined {
    const response = this.server.handleRegionHeartbeat(heartbeat);
    this.monitor.observe(this.regions(), `at ${this.runtime.now()} ms, after a heartbeat delivered ${timing} (${describeRegion(heartbeat.region)})`);
    return response;
  }
}

function describeMove(operator: Operator, atMs: number, replicas: number, regionSizeBytes: number): PlannedMove {
  const added = operator.steps.find((step) => step.kind === 'addPeer');
  const removed = operator.steps.find((step) => step.kind === 'removePeer');
  return {
    atMs,
    scheduler: operator.description,
    description: operator.describe(),
    regionId: operator.regionId,
    ...(removed?.kind === 'removePeer' ? { fromStoreId: removed.peer.storeId } : {}),
    ...(added?.kind === 'addPeer' ? { toStoreId: added.peer.storeId } : {}),
    replicas,
    regionSizeBytes,
  };
}
