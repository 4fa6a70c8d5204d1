/**
 * What the scheduler knows about one store (provided; TinyKV's `core.StoreInfo`).
 *
 * @module
 */
import type { StoreHeartbeat } from '../../common/scheduler/heartbeat';

/**
 * A store's administrative state (TinyKV's `metapb.StoreState`). Whether a store is *down* is
 * not a state: it is measured, from the time since its last heartbeat.
 */
export const StoreState = {
  /** Serving. */
  Up: 'up',
  /** Being drained by the operator of the cluster: it must receive no new replicas. */
  Offline: 'offline',
  /** Gone for good. */
  Tombstone: 'tombstone',
} as const;

/** One of the {@link StoreState} values. */
export type StoreState = (typeof StoreState)[keyof typeof StoreState];

/**
 * A store's share of the cluster, computed from the region tree by
 * `ClusterState.updateStoreStatus`. Sizes add up the approximate sizes of the regions involved.
 */
export interface StoreStatistics {
  /** Regions with a replica on this store. */
  readonly regionCount: number;
  /** Regions whose leader is on this store. */
  readonly leaderCount: number;
  /** Replicas on this store that their leader reports as pending. */
  readonly pendingPeerCount: number;
  /** Sum of the sizes of the regions with a replica here: what balance-region balances. */
  readonly regionSizeBytes: number;
  /** Sum of the sizes of the regions led from here. */
  readonly leaderSizeBytes: number;
}

/** Statistics of a store that holds nothing. */
export const EMPTY_STORE_STATISTICS: StoreStatistics = { regionCount: 0, leaderCount: 0, pendingPeerCount: 0, regionSizeBytes: 0, leaderSizeBytes: 0 };

/**
 * One store: its state, when it last sent a heartbeat, what it last reported, and its
 * statistics as of the last `updateStoreStatus`.
 *
 * @example
 * ```ts
 * store.isUp();                         // state is Up (it may still be down!)
 * store.downTimeMs(cluster.now());      // ms since its last heartbeat
 * store.statistics.regionSizeBytes;     // what balance-region compares
 * ```
 */
export class StoreInfo {
  private currentState: StoreState = StoreState.Up;
  private lastHeartbeatAtMs: number;
  private lastReport: StoreHeartbeat;
  private currentStatistics: StoreStatistics = EMPTY_STORE_STATISTICS;

  /**
   * @param id - the store id.
   * @param registeredAtMs - when the scheduler learned of the store; counts as its first heartbeat.
   */
  constructor(
    readonly id: number,
    registeredAtMs: number,
  ) {
    this.lastHeartbeatAtMs = registeredAtMs;
    this.lastReport = { storeId: id };
  }

  /** The administrative state. */
  get state(): StoreState {
    return this.currentState;
  }

  /** When the last heartbeat arrived (virtual ms). */
  get lastHeartbeatMs(): number {
    return this.lastHeartbeatAtMs;
  }

  /** The last store heartbeat as sent (numbers are the store's own view). */
  get lastHeartbeat(): StoreHeartbeat {
    return this.lastReport;
  }

  /** Region counts and sizes as of the last `ClusterState.updateStoreStatus(id)`. */
  get statistics(): StoreStatistics {
    return this.currentStatistics;
  }

  /** True when the state is {@link StoreState.Up}. A store that is up may still be down: see {@link StoreInfo.downTimeMs}. */
  isUp(): boolean {
    return this.currentState === StoreState.Up;
  }

  /** True when the state is {@link StoreState.Offline}. */
  isOffline(): boolean {
    return this.currentState === StoreState.Offline;
  }

  /** How long the store has been silent at `nowMs`: the time since its last heartbeat. */
  downTimeMs(nowMs: number): number {
    return Math.max(0, nowMs - this.lastHeartbeatAtMs);
  }

  /** Records a heartbeat received at `nowMs`. @throws Error when it is another store's. */
  recordHeartbeat(heartbeat: StoreHeartbeat, nowMs: number): void {
    if (heartbeat.storeId !== this.id) throw new Error(`Store ${this.id} was handed the heartbeat of store ${heartbeat.storeId}.`);
    this.lastReport = heartbeat;
    this.lastHeartbeatAtMs = Math.max(this.lastHeartbeatAtMs, nowMs);
  }

  /** Sets the administrative state. */
  setState(state: StoreState): void {
    this.currentState = state;
  }

  /** Replaces the statistics (called by `ClusterState.updateStoreStatus`). */
  setStatistics(statistics: StoreStatistics): void {
    this.currentStatistics = statistics;
  }

  /** One line for messages. */
  describe(nowMs: number): string {
    const s = this.currentStatistics;
    return `store ${this.id} (${this.currentState}, silent ${this.downTimeMs(nowMs)} ms): ${s.regionCount} regions, ${s.leaderCount} leaders, ${s.pendingPeerCount} pending, ${s.regionSizeBytes} bytes`;
  }
}
