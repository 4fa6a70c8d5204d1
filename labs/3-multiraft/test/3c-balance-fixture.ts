/**
 * Stage 3C test helpers for balance-region: a cluster whose store sizes are set exactly, and
 * checks of the operator the scheduler proposes.
 *
 * Store sizes are real: they come from regions in the cluster state, as they would in a running
 * cluster. To reach a wanted size, the fixture adds *filler* regions whose replica count is not
 * the configured maximum (a lone replica, or with `maxReplicas` 1, a replica plus one on an
 * unregistered store), so a correct scheduler never picks them; the regions a test cares about
 * are the only movable ones.
 */
import { SimulatedRuntime } from '../../common/runtime/simulated-runtime';
import type { PeerMeta } from '../../common/raftstore/region';
import { BalanceRegionScheduler } from '../src/balance-region-scheduler';
import { ClusterState } from '../src/cluster-state';
import { IdAllocator } from '../src/id-allocator';
import type { Operator } from '../src/operator';
import { describeStep } from '../src/operator-step';
import { RegionInfo } from '../src/region-info';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '../src/scheduler-config';
import { StoreState } from '../src/store-info';
import { BALANCE_HANDOUT, key, same } from './3c-scheduler-fixture';

/** The store that holds the second replica of fillers when `maxReplicas` is 1; never registered. */
const SINK_STORE = 999;
/** Ids the allocator hands out start here, far above the ids tests write by hand. */
export const FIRST_ALLOCATED_ID = 100_000;

/** Where a region's replicas are and how big it is. */
export interface RegionPlacement {
  /** Stores holding a replica (peer id = 10·region + store). */
  readonly stores: readonly number[];
  /** Store of the leader (default: the first). */
  readonly leaderStore?: number;
  /** Stores whose replica is pending. */
  readonly pendingStores?: readonly number[];
  /** Approximate size (default 1). */
  readonly size?: number;
}

/** A cluster state on a virtual clock with one balance-region scheduler. */
export class BalanceFixture {
  readonly runtime: SimulatedRuntime;
  readonly cluster: ClusterState;
  readonly scheduler: BalanceRegionScheduler;
  private nextFiller = 50_000;

  /**
   * @param stores - store ids to register (Up, heard from at time 0).
   * @param config - changes to the default scheduler config.
   * @param seed - the runtime's seed (the scheduler's random picks derive from it).
   */
  constructor(stores: readonly number[], config: Partial<SchedulerConfig> = {}, seed = 1) {
    this.runtime = new SimulatedRuntime({ seed });
    this.cluster = new ClusterState(this.runtime, { ...DEFAULT_SCHEDULER_CONFIG, ...config }, new IdAllocator(FIRST_ALLOCATED_ID));
    for (const storeId of stores) this.cluster.putStore(storeId);
    this.scheduler = new BalanceRegionScheduler(this.runtime.rng('balance-region'));
  }

  /** Puts region `id` in the cluster (bypassing heartbeats: these tests are about balancing). */
  addRegion(id: number, placement: RegionPlacement): RegionInfo {
    const peers: PeerMeta[] = placement.stores.map((storeId) => ({ id: 10 * id + storeId, storeId }));
    const onStore = (storeId: number) => peers.find((peer) => peer.storeId === storeId)!;
    const region = { id, startKey: key(`r${String(id).padStart(6, '0')}`), endKey: key(`r${String(id).padStart(6, '0')}~`), epoch: { confVer: 1, version: 1 }, peers };
    const info = new RegionInfo(region, onStore(placement.leaderStore ?? placement.stores[0]), (placement.pendingStores ?? []).map(onStore), placement.size ?? 1);
    this.place(info);
    return info;
  }

  /** Sets each listed store's region size exactly, adding a filler region to each. @throws Error when a store already holds more. */
  setStoreSizes(sizes: Readonly<Record<number, number>>): void {
    for (const [storeText, wanted] of Object.entries(sizes)) {
      const storeId = Number(storeText);
      const missing = wanted - this.cluster.getStoreRegionSize(storeId);
      if (missing < 0) throw new Error(`Test bug: store ${storeId} already holds ${wanted - missing} bytes, more than ${wanted}.`);
      if (missing === 0) continue;
      const id = this.nextFiller++;
      const stores = this.cluster.config.maxReplicas === 1 ? [storeId, SINK_STORE] : [storeId];
      const peers = stores.map((s) => ({ id: 10 * id + s, storeId: s }));
      const region = { id, startKey: key(`f${id}`), endKey: key(`f${id}~`), epoch: { confVer: 1, version: 1 }, peers };
      this.place(new RegionInfo(region, peers[peers.length - 1], [], missing));
    }
    for (const [storeText, wanted] of Object.entries(sizes)) same(this.cluster.getStore(Number(storeText))?.statistics.regionSizeBytes, wanted, `Test bug: store ${storeText} size.`);
  }

  /** Registers store `storeId` with the given size. */
  addStore(storeId: number, size: number): void {
    this.cluster.putStore(storeId);
    this.setStoreSizes({ [storeId]: size });
  }

  /** Marks a store offline. */
  setOffline(storeId: number): void {
    this.cluster.setStoreState(storeId, StoreState.Offline);
  }

  /** Lets `ms` of virtual time pass; every registered store except `silent` ones sends a heartbeat at the end. */
  async advance(ms: number, silent: readonly number[] = []): Promise<void> {
    await this.runtime.runFor(ms);
    for (const store of this.cluster.getStores()) if (!silent.includes(store.id)) store.recordHeartbeat({ storeId: store.id }, this.cluster.now());
  }

  /** Makes the listed stores down: silent for a second more than the down time, while the others keep sending heartbeats. */
  async makeDown(stores: readonly number[]): Promise<void> {
    await this.advance(this.cluster.config.maxStoreDownTimeMs + 1_000, stores);
  }

  /** Runs the scheduler once. */
  schedule(): Operator | undefined {
    return this.scheduler.schedule(this.cluster);
  }

  /**
   * Runs the scheduler and checks it proposes moving `region`'s replica from store `from` to store
   * `to`: add a freshly allocated peer on `to`, hand it leadership if `from` led, remove `from`'s peer.
   */
  expectMove(region: number, from: number, to: number, why: string): Operator {
    const before = this.cluster.ids.peek();
    const operator = this.schedule();
    const info = this.cluster.getRegion(region)!;
    if (!operator) throw new Error(`Expected balance-region to move region ${region} from store ${from} to store ${to}, but it proposed nothing. ${why} (see ${BALANCE_HANDOUT})`);
    same(
      `region ${operator.regionId}: ${operator.steps.map(describeStep).join(', ')}`,
      `region ${region}: ${moveSteps(info, from, to, before).join(', ')}`,
      `balance-region proposed the wrong move. ${why} The new peer takes the next allocated id (cluster.allocPeer). (see ${BALANCE_HANDOUT})`,
    );
    same(operator.description, 'balance-region', 'The operator carries the scheduler name as its description.');
    same(this.cluster.ids.peek(), before + 1, 'balance-region should allocate exactly one id (the new peer) per move.');
    return operator;
  }

  /** Runs the scheduler and checks it proposes nothing. */
  expectNoMove(why: string): void {
    const operator = this.schedule();
    if (operator) throw new Error(`Expected balance-region to propose nothing, but it proposed ${operator.describe()}. ${why} (see ${BALANCE_HANDOUT})`);
  }

  private place(info: RegionInfo): void {
    const replaced = this.cluster.putRegion(info);
    const touched = new Set([...info.storeIds(), ...replaced.flatMap((old) => [...old.storeIds()])]);
    for (const storeId of touched) this.cluster.updateStoreStatus(storeId);
  }
}

/** The steps of a correct move, as text. */
function moveSteps(info: RegionInfo, from: number, to: number, newPeerId: number): string[] {
  const newPeer = `${newPeerId}@${to}`;
  const old = info.peerOnStore(from);
  const steps = [`add peer ${newPeer}`];
  if (info.isLeaderOn(from)) steps.push(`transfer leader to ${newPeer}`);
  steps.push(`remove peer ${old ? `${old.id}@${from}` : `<none on store ${from}>`}`);
  return steps;
}
