/**
 * The 3C end-to-end scenario: your scheduler balances a real (simulated) 3B cluster that starts
 * unbalanced, while clients run.
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import { delay } from '../../common/runtime/delay';
import type { Rng } from '../../common/runtime/rng';
import { ScenarioFailure } from '../../common/testkit/scenario-failure';
import { Cluster } from '../../2b-raftstore/testkit/cluster';
import type { ClusterClient } from '../../2b-raftstore/testkit/cluster-client';
import { coverageProblems, storeProblems } from '../../2b-raftstore/testkit/region-checks';
import { createRemovePeerOperator } from '../src/operator-builder';
import { BalanceRegionScheduler } from '../src/balance-region-scheduler';
import type { Operator } from '../src/operator';
import { DEFAULT_SCHEDULER_CONFIG, type SchedulerConfig } from '../src/scheduler-config';
import { SchedulerServer } from '../src/scheduler-server';
import { BalanceLeaderScheduler } from './balance-leader-scheduler';
import { DEFAULT_LATE_HEARTBEATS, type LateHeartbeatOptions } from './late-heartbeats';
import { SchedulerServerAdapter, type PlannedMove } from './scheduler-adapter';
import { describeLoads, measureStoreLoad, spreadVerdict, type StoreLoad } from './store-loads';

/** Where the failures point the student. */
const BALANCE_HANDOUT = 'labs/3-multiraft/README.md#balance-region-3c';
const HEARTBEAT_HANDOUT = 'labs/3-multiraft/README.md#epochs-as-versions-3c';
const TWICE_HANDOUT = 'labs/3-multiraft/README.md#why-twice-the-region-size-3c';

/** The knobs of the balancing scenario. Durations are virtual milliseconds. */
export interface BalanceScenarioOptions {
  /** A name for messages. */
  readonly name: string;
  /** How many stores (default 5). */
  readonly storeCount?: number;
  /** The stores that hold the first region (default stores 1–3): the others start empty. */
  readonly bootstrapStores?: readonly number[];
  /** Stores marked offline from the start (default none): they must receive no replica. */
  readonly offlineStores?: readonly number[];
  /**
   * Stores that crash once the data is loaded and stay down (default none): balancing starts
   * only when the scheduler counts them down (silent for `maxStoreDownTimeMs`), and they must
   * receive no replica. Give stores that hold no region, so the cluster keeps every quorum.
   */
  readonly downStores?: readonly number[];
  /** Clients running throughout (default 3). */
  readonly clientCount?: number;
  /** Distinct keys the clients write (default 48). */
  readonly keyCount?: number;
  /**
   * Each key's value size is drawn once from `[min, max]` bytes (default [8, 32]) and every write
   * of the key has that size: regions of different sizes, which stop changing once every key is
   * written.
   */
  readonly valueBytes?: readonly [number, number];
  /** A region larger than this splits (default 100 bytes: a few keys). */
  readonly regionMaxSizeBytes?: number;
  /** The left half of a split (default 50 bytes). */
  readonly regionSplitSizeBytes?: number;
  /**
   * How many regions lose one replica once the data is loaded (default 5), as if a disk had
   * failed: a region with fewer replicas than configured must be left to replica repair, never
   * moved.
   */
  readonly underReplicatedRegions?: number;
  /** The stores must be balanced within this long after balancing starts (default 15000 ms). */
  readonly balanceTimeoutMs?: number;
  /** After the clients stop, a stretch this long without a new move counts as at rest (default 1000 ms). */
  readonly restMs?: number;
  /** The scheduler must come to rest within this long after the clients stop (default 8000 ms). */
  readonly restTimeoutMs?: number;
  /** Region heartbeats that also arrive late (default {@link DEFAULT_LATE_HEARTBEATS}; `false` for none). */
  readonly lateHeartbeats?: LateHeartbeatOptions | false;
  /** The scheduler's settings (default {@link DEFAULT_SCHEDULER_CONFIG}). */
  readonly schedulerConfig?: SchedulerConfig;
  /** Called with every sample (every scheduler tick), for pictures of the run. */
  readonly onSample?: (sample: BalanceSample) => void;
}

/**
 * The phases of a run: clients write every key while regions split (`loading`); the regions
 * finish splitting and some lose a replica (`settling`); the scheduler balances while clients
 * keep running (`balancing`); the clients stop and the scheduler must come to rest (`resting`).
 */
export type BalancePhase = 'loading' | 'settling' | 'balancing' | 'resting';

/** What every store held at one moment of the run. */
export interface BalanceSample {
  /** Virtual ms. */
  readonly atMs: number;
  /** The phase of the run. */
  readonly phase: BalancePhase;
  /** One entry per store, by id. */
  readonly stores: readonly StoreLoad[];
  /** Balance moves started so far. */
  readonly moves: number;
}

/** What a passing run did. */
export interface BalanceReport {
  readonly seed: number;
  /** Virtual time at the end (ms). */
  readonly virtualMs: number;
  /** When balancing started: the data loaded and the regions done splitting (ms). */
  readonly balancingFromMs: number;
  /** When the stores were first found balanced (ms). */
  readonly balancedAtMs: number;
  /** When the last move started (ms), or 0 when none did. */
  readonly lastMoveAtMs: number;
  /** Regions at the end. */
  readonly regionCount: number;
  /** Every move balance-region started (the leader transfers of balance-leader left out). */
  readonly moves: readonly PlannedMove[];
  /** The most moves the run allowed. */
  readonly moveLimit: number;
  /** The stores at the end. */
  readonly loads: readonly StoreLoad[];
  /** Client operations recorded. */
  readonly operations: number;
  /** Heartbeats the scheduler rejected as stale. */
  readonly staleHeartbeats: number;
  /** Heartbeats delivered a second time, late. */
  readonly lateHeartbeats: number;
}

/** The settings of one run, resolved, for messages. */
interface ResolvedOptions {
  readonly storeCount: number;
  readonly bootstrapStores: readonly number[];
  readonly offlineStores: readonly number[];
  readonly downStores: readonly number[];
  readonly clientCount: number;
  readonly keyCount: number;
  readonly valueBytes: readonly [number, number];
  readonly regionMaxSizeBytes: number;
  readonly regionSplitSizeBytes: number;
  readonly underReplicatedRegions: number;
  readonly balanceTimeoutMs: number;
  readonly restMs: number;
  readonly restTimeoutMs: number;
  readonly lateHeartbeats: LateHeartbeatOptions | false;
  readonly schedulerConfig: SchedulerConfig;
}

function resolve(options: BalanceScenarioOptions): ResolvedOptions {
  return {
    storeCount: options.storeCount ?? 5,
    bootstrapStores: options.bootstrapStores ?? [1, 2, 3],
    offlineStores: options.offlineStores ?? [],
    downStores: options.downStores ?? [],
    clientCount: options.clientCount ?? 3,
    keyCount: options.keyCount ?? 48,
    valueBytes: options.valueBytes ?? [8, 32],
    regionMaxSizeBytes: options.regionMaxSizeBytes ?? 100,
    regionSplitSizeBytes: options.regionSplitSizeBytes ?? 50,
    underReplicatedRegions: options.underReplicatedRegions ?? 5,
    balanceTimeoutMs: options.balanceTimeoutMs ?? 15_000,
    restMs: options.restMs ?? 1_000,
    restTimeoutMs: options.restTimeoutMs ?? 8_000,
    lateHeartbeats: options.lateHeartbeats ?? DEFAULT_LATE_HEARTBEATS,
    schedulerConfig: options.schedulerConfig ?? DEFAULT_SCHEDULER_CONFIG,
  };
}

/** One line with every resolved knob, printed first in a failure. */
export function describeBalanceScenario(options: BalanceScenarioOptions, seed: number): string {
  const o = resolve(options);
  const late = o.lateHeartbeats === false ? 'none' : `${o.lateHeartbeats.probability} after ${o.lateHeartbeats.delayMsMin}-${o.lateHeartbeats.delayMsMax}ms`;
  const knobs = [
    `stores=${o.storeCount}`,
    `bootstrapStores=${o.bootstrapStores.join(',')}`,
    `offlineStores=${o.offlineStores.join(',') || 'none'}`,
    `downStores=${o.downStores.join(',') || 'none'}`,
    `clients=${o.clientCount}`,
    `keys=${o.keyCount}`,
    `valueBytes=${o.valueBytes.join('-')}`,
    `regionMaxSizeBytes=${o.regionMaxSizeBytes}`,
    `regionSplitSizeBytes=${o.regionSplitSizeBytes}`,
    `underReplicatedRegions=${o.underReplicatedRegions}`,
    `lateHeartbeats=${late}`,
    `maxReplicas=${o.schedulerConfig.maxReplicas}`,
  ];
  return `balance scenario "${options.name}" seed ${seed}: ${knobs.join(' ')}`;
}

/**
 * Runs the balancing scenario under one seed and checks it.
 *
 * The cluster starts with its one region on `bootstrapStores` (the other stores empty) and the
 * 3C scheduler wired in, its schedulers paused. Clients write every key once (each key's values
 * have one size) and then keep reading and overwriting; regions split as they grow. Once they
 * stop splitting, a few regions lose a replica, `downStores` crash, and balancing starts. Within
 * `balanceTimeoutMs` the stores that take part must be balanced by the rule of
 * {@link spreadVerdict} (measured on the stores' own engines). Then the clients stop, and the
 * scheduler must come to rest: `restMs` without a new move and no operator running. All along,
 * the scheduler may never hold a region older than one it held before (a stale report accepted),
 * and every balance move must be of a region with exactly `maxReplicas` replicas, to a store
 * that is neither offline nor down. At the end: still balanced, the regions tile the key space,
 * no store keeps data outside its regions, at most one move per replica in the cluster, offline
 * and down stores hold nothing, every key reads back, and the history is linearizable.
 *
 * @throws ScenarioFailure (`crash`, `liveness` or `correctness`), its message opening with the
 *   knobs and seed; or the stub's NotImplementedError itself, when that is what stopped the run.
 */
export async function runBalanceScenario(options: BalanceScenarioOptions, seed: number): Promise<BalanceReport> {
  const resolved = resolve(options);
  let adapter: SchedulerServerAdapter | undefined;
  const cluster = new Cluster({
    seed,
    storeCount: resolved.storeCount,
    bootstrapStores: resolved.bootstrapStores,
    config: { regionMaxSizeBytes: resolved.regionMaxSizeBytes, regionSplitSizeBytes: resolved.regionSplitSizeBytes },
    createScheduler: (runtime) => {
      // Your balance-region, and a balance-leader scheduler as TinyKV's scheduler has one.
      const schedulers = [new BalanceRegionScheduler(runtime.rng('scheduler/balance-region')), new BalanceLeaderScheduler()];
      const server = new SchedulerServer(runtime, resolved.schedulerConfig, { schedulers });
      adapter = new SchedulerServerAdapter(server, runtime, resolved.lateHeartbeats === false ? {} : { lateHeartbeats: resolved.lateHeartbeats });
      return adapter;
    },
  });
  if (adapter === undefined) throw new Error('The cluster did not build its scheduler.');
  try {
    const report = await playBalanceScenario(cluster, adapter, resolved, options.onSample);
    cluster.assertSafe();
    return { seed, ...report, operations: cluster.history.operations().length };
  } catch (error) {
    const stub = notImplementedCause(error);
    if (stub !== undefined) throw stub;
    if (error instanceof ScenarioFailure) {
      const explained = cluster.explain(error) as ScenarioFailure;
      throw explained.withPreamble([`${describeBalanceScenario(options, seed)} (virtual time ${cluster.runtime.now()} ms)`]);
    }
    throw error;
  }
}

/** The stub error somewhere in `error`'s causes, if any: a stub should read as "write this function", not as a crash. */
function notImplementedCause(error: unknown): NotImplementedError | undefined {
  for (let current: unknown = error, depth = 0; current instanceof Error && depth < 10; current = current.cause, depth++) {
    if (current instanceof NotImplementedError) return current;
  }
  return undefined;
}

type PlayedReport = Omit<BalanceReport, 'seed' | 'operations'>;

async function playBalanceScenario(cluster: Cluster, adapter: SchedulerServerAdapter, o: ResolvedOptions, onSample?: (sample: BalanceSample) => void): Promise<PlayedReport> {
  for (const storeId of o.offlineStores) {
    adapter.server.putStore(storeId);
    adapter.server.setStoreOffline(storeId);
  }
  const rng = cluster.runtime.rng('balance-scenario');
  const keys = Array.from({ length: o.keyCount }, (_, i) => Buffer.from(`k${String(i).padStart(3, '0')}`));
  const sizeRng = rng.split('value-sizes');
  const valueSizes = new Map(keys.map((key) => [key.toString('latin1'), sizeRng.int(o.valueBytes[0], o.valueBytes[1])]));
  const clients = Array.from({ length: o.clientCount }, (_, i) => cluster.client(i + 1));
  const checker = cluster.client(1000);
  const watch = new RunWatcher(cluster, adapter, o, onSample);
  // Balancing starts once the data is loaded and the regions have stopped splitting: a split
  // in the middle of a move retires the move half done, and the kit has no replica checker to
  // remove the extra replica that leaves behind.
  adapter.setSchedulersRunning(false);
  cluster.start();
  watch.startSampling();
  await cluster.waitForLeader();
  const stop = { requested: false };
  const loaded: Promise<void>[] = [];
  const work = Promise.all(
    clients.map((client, index) => {
      // In a random order: written in key order, every write would land in the last region, the one splitting.
      const ownKeys = rng.split(`keys-of-client-${client.clientId}`).shuffle(keys.filter((_, i) => i % clients.length === index));
      let markLoaded = (): void => undefined;
      loaded.push(new Promise<void>((resolve) => (markLoaded = resolve)));
      return clientLoop(cluster, client, { ownKeys, keys, valueSizes, rng: rng.split(`client-${client.clientId}`), stop, markLoaded });
    }),
  );
  // Driven below; a failure inside is rethrown when the clients are awaited.
  work.catch(() => undefined);

  await cluster.run(Promise.race([Promise.all(loaded), work]), 30_000, 'the clients writing every key once');
  watch.phase = 'settling';
  await watch.waitForSplitsToSettle();
  await loseReplicas(cluster, adapter, watch, o, rng.split('lose-replicas'));
  if (o.downStores.length > 0) {
    for (const storeId of o.downStores) cluster.crash(storeId, 'the balance scenario takes it down for good');
    // Until then the scheduler still counts them up: balancing starts once they are down.
    await watch.runFor(o.schedulerConfig.maxStoreDownTimeMs + cluster.config.schedulerHeartbeatTickMs);
  }
  adapter.setSchedulersRunning(true);
  watch.phase = 'balancing';
  const balancingFromMs = cluster.runtime.now();
  const balancedAtMs = await watch.waitUntilBalanced(o.balanceTimeoutMs);
  stop.requested = true;
  watch.phase = 'resting';
  await cluster.run(work, 10_000, 'the clients finishing their last operations');
  await watch.waitForRest(o.restMs, o.restTimeoutMs);
  watch.checkEnd();
  for (const key of keys) await cluster.run(checker.mustGet(key), 10_000, `the final read of ${key.toString('latin1')}`);
  watch.stopSampling();
  const moves = regionMoves(adapter);
  return {
    virtualMs: cluster.runtime.now(),
    balancingFromMs,
    balancedAtMs,
    lastMoveAtMs: moves.length > 0 ? moves[moves.length - 1].atMs : 0,
    regionCount: cluster.regions().length,
    moves,
    moveLimit: watch.moveLimit(),
    loads: watch.loads(),
    staleHeartbeats: adapter.server.staleHeartbeatCount,
    lateHeartbeats: adapter.lateHeartbeatCount,
  };
}

/** What one client does. */
interface ClientPlan {
  /** Keys this client writes first, once each, in this order (the clients share the keys out). */
  readonly ownKeys: readonly Buffer[];
  /** Every key, for the reads and overwrites that follow. */
  readonly keys: readonly Buffer[];
  /** The value size of every key, by the key's text. */
  readonly valueSizes: ReadonlyMap<string, number>;
  readonly rng: Rng;
  readonly stop: { readonly requested: boolean };
  /** Called once every key of `ownKeys` is written. */
  readonly markLoaded: () => void;
}

/**
 * Writes its keys once (retrying until each is written), then puts (values of a fixed size),
 * gets and scans at random until asked to stop. No deletes and fixed-size values: once every key
 * is written, region sizes stop changing.
 */
async function clientLoop(cluster: Cluster, client: ClusterClient, plan: ClientPlan): Promise<void> {
  let written = 0;
  const value = (key: Buffer): Buffer => {
    const size = plan.valueSizes.get(key.toString('latin1')) ?? 16;
    return Buffer.from(`c${client.clientId}.${++written}`.padEnd(size, '.').slice(0, size));
  };
  // Paced, so that regions split as they grow rather than all at the end, one split check at a time.
  for (const key of plan.ownKeys) {
    await client.mustPut(key, value(key), 20_000);
    await delay(cluster.runtime, plan.rng.int(20, 60), `client-${client.clientId}/load`);
  }
  plan.markLoaded();
  while (!plan.stop.requested) {
    const draw = plan.rng.float();
    if (draw < 0.03) await client.scan(Buffer.alloc(0));
    else if (draw < 0.5) {
      const key = plan.rng.pick(plan.keys);
      await client.put(key, value(key));
    }
    else await client.get(plan.rng.pick(plan.keys));
    await delay(cluster.runtime, plan.rng.int(5, 25), `client-${client.clientId}/think`);
  }
}

/**
 * Takes one replica away from a few of the smallest regions, through the scheduler (a test
 * operator), before balancing starts: each from a different store where possible, so that every
 * store that will shed data meets one among its candidates. Small ones, so that the data that
 * cannot move weighs little.
 */
async function loseReplicas(cluster: Cluster, adapter: SchedulerServerAdapter, watch: RunWatcher, o: ResolvedOptions, rng: Rng): Promise<void> {
  const candidates = rng.shuffle(adapter.server.cluster.getRegions().filter((info) => info.region.peers.length === o.schedulerConfig.maxReplicas));
  const chosen = candidates.sort((a, b) => a.approximateSizeBytes - b.approximateSizeBytes).slice(0, o.underReplicatedRegions);
  const operators = chosen.map((info, index) => createRemovePeerOperator('test: a replica lost', info, info.region.peers[index % info.region.peers.length].storeId, cluster.runtime.now()));
  await runTestOperators(cluster, adapter, watch, operators, 'removed one replica of regions');
}

/**
 * Starts the test's own operators and waits until they are done.
 *
 * @throws ScenarioFailure `liveness` when some is still running after 5000 virtual ms.
 */
async function runTestOperators(cluster: Cluster, adapter: SchedulerServerAdapter, watch: RunWatcher, operators: readonly Operator[], what: string): Promise<void> {
  const server = adapter.server;
  const started = operators.filter((operator) => adapter.startOperator(operator));
  const deadline = cluster.runtime.now() + 5_000;
  const running = () => started.filter((operator) => server.operators.getOperator(operator.regionId) === operator);
  while (running().length > 0 && cluster.runtime.now() < deadline) await watch.runFor(cluster.config.schedulerHeartbeatTickMs);
  const stuck = running();
  if (stuck.length > 0) {
    throw cluster.failure('liveness', `Before balancing, the test ${what} ${started.map((operator) => operator.regionId).join(', ')} through the scheduler, and after 5000 virtual ms some are not done: ${stuck.map((operator) => operator.describe()).join('; ')}. Are the operator steps carried out (part 3B) and the heartbeats taken in (processRegionHeartbeat)?`);
  }
}

/**
 * Samples the stores every scheduler tick and checks, all along, what must hold at every moment:
 * the scheduler's picture never goes back, every balance move is of a region with the configured
 * replica count and goes to a store that is not offline.
 */
class RunWatcher {
  /** The phase samples are marked with (set by the scenario). */
  phase: BalancePhase = 'loading';
  private sampling = false;
  private lastLoads: StoreLoad[] = [];
  private movesChecked = 0;

  constructor(
    private readonly cluster: Cluster,
    private readonly adapter: SchedulerServerAdapter,
    private readonly o: ResolvedOptions,
    private readonly onSample?: (sample: BalanceSample) => void,
  ) {}

  startSampling(): void {
    this.sampling = true;
    const sample = (): void => {
      if (!this.sampling) return;
      this.sample();
      this.cluster.runtime.setTimer(this.cluster.config.schedulerHeartbeatTickMs, sample, 'balance-scenario/sample');
    };
    sample();
  }

  stopSampling(): void {
    this.sampling = false;
  }

  /** The stores as last sampled. */
  loads(): StoreLoad[] {
    return this.lastLoads;
  }

  /** The most moves allowed: one per replica in the cluster now (regions × maxReplicas). */
  moveLimit(): number {
    return this.cluster.regions().length * this.o.schedulerConfig.maxReplicas;
  }

  /** Drives the run for `durationMs`, checking the running invariants every scheduler tick. */
  async runFor(durationMs: number): Promise<void> {
    const end = this.cluster.runtime.now() + durationMs;
    while (this.cluster.runtime.now() < end) {
      await this.cluster.runFor(Math.min(this.cluster.config.schedulerHeartbeatTickMs, end - this.cluster.runtime.now()));
      this.checkRunning();
    }
  }

  /**
   * Runs until the regions have stopped splitting: the scheduler's region count unchanged for
   * five split checks in a row.
   *
   * @throws ScenarioFailure `liveness` when they still split after 10000 virtual ms.
   */
  async waitForSplitsToSettle(): Promise<void> {
    const deadline = this.cluster.runtime.now() + 10_000;
    let count = this.cluster.regions().length;
    let stableChecks = 0;
    while (stableChecks < 5) {
      if (this.cluster.runtime.now() >= deadline) throw this.cluster.failure('liveness', `The regions were still splitting 10000 virtual ms after every key was written (${count} regions): the split checker should be done within a few checks once the data stops growing.`);
      await this.runFor(this.cluster.config.splitCheckTickMs);
      const now = this.cluster.regions().length;
      stableChecks = now === count ? stableChecks + 1 : 0;
      count = now;
    }
  }

  /**
   * Runs until the stores that take part in balancing are balanced ({@link spreadVerdict},
   * measured on their engines).
   *
   * @returns when that first held.
   * @throws ScenarioFailure `liveness` when it does not within `timeoutMs`.
   */
  async waitUntilBalanced(timeoutMs: number): Promise<number> {
    const deadline = this.cluster.runtime.now() + timeoutMs;
    for (;;) {
      this.sample();
      const verdict = spreadVerdict(this.balancing());
      if (verdict.balanced) return this.cluster.runtime.now();
      if (this.cluster.runtime.now() >= deadline) {
        throw this.cluster.failure(
          'liveness',
          `${timeoutMs} virtual ms after balancing started the stores are still not balanced: store ${verdict.fullest.storeId} holds ${verdict.fullest.sizeBytes} bytes and store ${verdict.emptiest.storeId} ${verdict.emptiest.sizeBytes}, a spread of ${verdict.spreadBytes} bytes, more than twice the largest region (${verdict.limitBytes} bytes). Stores (measured on their engines): ${describeLoads(this.lastLoads)}. The scheduler's statistics: ${this.describeStatistics()}. ${this.describeMoves()}${this.describeRunning()} Does balance-region take the fullest store as the source and the emptiest store without a replica as the target (${BALANCE_HANDOUT}), and does processRegionHeartbeat keep the store statistics up to date?`,
        );
      }
      await this.runFor(this.cluster.config.schedulerHeartbeatTickMs);
    }
  }

  /**
   * Runs until the scheduler is at rest: `restMs` without a new move, and no operator running.
   *
   * @throws ScenarioFailure `liveness` when it is not after `timeoutMs`: it keeps moving data
   *   (ping-pong), or an operator never finishes.
   */
  async waitForRest(restMs: number, timeoutMs: number): Promise<void> {
    const startMs = this.cluster.runtime.now();
    const deadline = startMs + timeoutMs;
    for (;;) {
      const moves = regionMoves(this.adapter);
      const quietSinceMs = Math.max(moves.length > 0 ? moves[moves.length - 1].atMs : 0, startMs);
      const running = this.adapter.server.operators.runningOperators().length;
      if (this.cluster.runtime.now() - quietSinceMs >= restMs && running === 0) return;
      if (this.cluster.runtime.now() >= deadline) {
        const recent = moves.filter((move) => move.atMs >= startMs);
        if (recent.length === 0) {
          throw this.cluster.failure('liveness', `The stores were balanced and the clients had stopped, yet ${running} operator(s) did not finish within ${timeoutMs} virtual ms:${this.describeRunning()} Is every step carried out (part 3B) and is every heartbeat taken in, so the operator sees it done?`);
        }
        throw this.cluster.failure(
          'liveness',
          `The stores were balanced and the clients had stopped, yet the scheduler never came to rest: it started ${recent.length} more moves in the next ${timeoutMs} virtual ms and never went ${restMs} ms without one. The last ones: ${recent.slice(-6).map(describePlannedMove).join('; ')}. Moving data back and forth balances nothing: a move is worth it only when the gap exceeds twice the region's size (${TWICE_HANDOUT}).`,
        );
      }
      await this.runFor(this.cluster.config.schedulerHeartbeatTickMs);
    }
  }

  /** The checks of the end of the run, after the scheduler came to rest. */
  checkEnd(): void {
    this.checkRunning();
    this.sample();
    const verdict = spreadVerdict(this.balancing());
    if (!verdict.balanced) {
      throw this.cluster.failure('correctness', `At rest, the stores are no longer balanced: a spread of ${verdict.spreadBytes} bytes between store ${verdict.fullest.storeId} and store ${verdict.emptiest.storeId}, more than twice the largest region (${verdict.limitBytes} bytes). Stores: ${describeLoads(this.lastLoads)}. ${this.describeMoves()} (${BALANCE_HANDOUT})`);
    }
    const problems = coverageProblems(this.cluster.regions()).map((problem) => `the scheduler's regions: ${problem}`);
    for (const storeId of this.cluster.storeIds()) problems.push(...storeProblems(storeId, this.cluster.durableEngines(storeId).kv));
    if (problems.length > 0) throw this.cluster.failure('correctness', `At rest, the regions are inconsistent (a region lost, or data left behind):\n  ${problems.slice(0, 8).join('\n  ')}`);
    const balanceMoves = regionMoves(this.adapter).length;
    if (balanceMoves > this.moveLimit()) {
      throw this.cluster.failure('correctness', `The scheduler made ${balanceMoves} moves, more than the ${this.moveLimit()} replicas in the cluster (${this.cluster.regions().length} regions × ${this.o.schedulerConfig.maxReplicas}): balancing this cluster needs fewer; data moved back and forth. ${this.describeMoves()} (${TWICE_HANDOUT})`);
    }
    for (const storeId of [...this.o.offlineStores, ...this.o.downStores]) {
      const load = this.lastLoads.find((candidate) => candidate.storeId === storeId);
      const what = this.o.offlineStores.includes(storeId) ? 'offline' : 'down';
      if (load !== undefined && load.regionCount > 0) throw this.cluster.failure('correctness', `Store ${storeId} is ${what}, yet it holds ${load.regionCount} regions: such a store receives no replica (${BALANCE_HANDOUT}).`);
    }
  }

  /** The invariants of every moment: no epoch went back; every move was of a full region, to a store that is not offline. */
  private checkRunning(): void {
    const regressions = this.adapter.epochRegressions;
    if (regressions.length > 0) {
      throw this.cluster.failure('correctness', `The scheduler's picture went back in time:\n  ${regressions.slice(0, 3).join('\n  ')}.\nA report older than the known copy of its region, or than a region it overlaps, must be rejected with StaleRegionError (${HEARTBEAT_HANDOUT}).`);
    }
    const moves = this.adapter.moves;
    for (; this.movesChecked < moves.length; this.movesChecked++) {
      const move = moves[this.movesChecked];
      if (move.scheduler === LEADER_SCHEDULER) continue;
      if (move.replicas !== this.o.schedulerConfig.maxReplicas) {
        throw this.cluster.failure('correctness', `At ${move.atMs} ms balance-region moved region ${move.regionId}, which had ${move.replicas} replicas, not the configured ${this.o.schedulerConfig.maxReplicas} (${move.description}). A region with too few or too many replicas is for replica repair to fix; balance-region must skip it (${BALANCE_HANDOUT}).`);
      }
      if (move.toStoreId !== undefined && this.o.offlineStores.includes(move.toStoreId)) {
        throw this.cluster.failure('correctness', `At ${move.atMs} ms balance-region moved region ${move.regionId} to store ${move.toStoreId}, which is offline (${move.description}): an offline store is being drained and receives nothing (${BALANCE_HANDOUT}).`);
      }
      if (move.toStoreId !== undefined && this.o.downStores.includes(move.toStoreId)) {
        throw this.cluster.failure('correctness', `At ${move.atMs} ms balance-region moved region ${move.regionId} to store ${move.toStoreId}, which has sent no heartbeat for ${this.o.schedulerConfig.maxStoreDownTimeMs} ms or more (${move.description}): a down store cannot build a replica and takes no part in balancing (${BALANCE_HANDOUT}).`);
      }
    }
  }

  /** The stores that take part in balancing: neither offline nor down. */
  private balancing(): StoreLoad[] {
    return this.lastLoads.filter((load) => !this.o.offlineStores.includes(load.storeId) && !this.o.downStores.includes(load.storeId));
  }

  private sample(): void {
    this.lastLoads = this.cluster.storeIds().map((storeId) => measureStoreLoad(storeId, this.cluster.durableEngines(storeId).kv));
    const sample: BalanceSample = { atMs: this.cluster.runtime.now(), phase: this.phase, stores: this.lastLoads, moves: regionMoves(this.adapter).length };
    if (this.cluster.trace.enabled) this.cluster.trace.record({ kind: 'balance', phase: sample.phase, stores: sample.stores.map((load) => ({ ...load })), moves: sample.moves });
    this.onSample?.(sample);
  }

  /** Each store as the scheduler's statistics show it (what balance-region compares). */
  private describeStatistics(): string {
    const now = this.cluster.runtime.now();
    return this.adapter.server.cluster
      .getStores()
      .map((store) => store.describe(now))
      .join('; ');
  }

  private describeRunning(): string {
    const running = this.adapter.server.operators.runningOperators().map((operator) => operator.describe());
    return running.length > 0 ? ` Still running: ${running.slice(0, 5).join('; ')}.` : '';
  }

  private describeMoves(): string {
    const moves = regionMoves(this.adapter);
    if (moves.length === 0) return 'The scheduler made no move.';
    return `The scheduler made ${moves.length} moves; the last: ${moves.slice(-4).map(describePlannedMove).join('; ')}.`;
  }
}

/** The name of the provided leader balancer: its transfers are not balance-region's moves. */
const LEADER_SCHEDULER = new BalanceLeaderScheduler().name;

/** The moves of balance-region (yours), without the leader transfers of the provided balance-leader scheduler. */
function regionMoves(adapter: SchedulerServerAdapter): PlannedMove[] {
  return adapter.moves.filter((move) => move.scheduler !== LEADER_SCHEDULER);
}

function describePlannedMove(move: PlannedMove): string {
  return `at ${move.atMs} ms region ${move.regionId} (${move.regionSizeBytes} bytes) from store ${move.fromStoreId ?? '?'} to store ${move.toStoreId ?? '?'}`;
}
