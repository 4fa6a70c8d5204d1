/**
 * The generic raftstore scenario (TinyKV's `GenericTest`), in virtual time: clients write
 * and read while faults are injected, then the cluster heals and must converge, and the
 * whole history must be linearizable.
 *
 * @module
 */
import type { Rng } from '../../common/runtime/rng';
import { delay } from '../../common/runtime/delay';
import { UNRELIABLE_LINK, RELIABLE_LINK } from '../../common/sim/link-options';
import type { LinkOptions } from '../../common/sim/link-options';
import { electionTimeoutMs } from '../src/raftstore-config';
import { Cluster } from './cluster';
import { findPeerOnStore } from '../../common/raftstore/region';
import { coverageProblems, storeProblems } from './region-checks';
import type { ClusterClient } from './cluster-client';
import { ScenarioFailure } from '../../common/testkit/scenario-failure';
import { runStaleReadNemesis } from './stale-read-nemesis';

/** The knobs of a scenario, TinyKV's plus a few. Durations are virtual milliseconds. */
export interface ScenarioOptions {
  /** A name for messages. */
  readonly name: string;
  /** Stores in the cluster (default 5). */
  readonly storeCount?: number;
  /** Concurrent clients (default 1). */
  readonly clientCount?: number;
  /** Rounds of fault phase + heal phase (default 3). */
  readonly rounds?: number;
  /** How long clients run in each fault phase (default 1000 ms). */
  readonly roundMs?: number;
  /** Drop, duplicate and reorder messages during fault phases (TinyKV's "unreliable"). */
  readonly unreliable?: boolean;
  /** Overrides the link behaviour of fault phases (instead of reliable / {@link UNRELIABLE_LINK}). */
  readonly faultLink?: Partial<LinkOptions>;
  /** Crash every store after each fault phase and restart it (TinyKV's "persist" / "crash"). */
  readonly crash?: boolean;
  /** Crash one random store at a random engine write during each fault phase, and restart it at the end. */
  readonly crashAtRandomWrites?: boolean;
  /** Re-partition the stores at random about every election timeout during fault phases. */
  readonly partitions?: boolean;
  /**
   * Cut one random store off from the others for the whole fault phase (healed with the rest):
   * with compaction on (2C) it comes back behind the others' first log index and must catch up
   * by a snapshot.
   */
  readonly isolateOneStore?: boolean;
  /**
   * Cut the leader off with a minority while a reader client still reaches it, a few times per
   * fault phase (see stale-read-nemesis.ts): reads a deposed leader answers show up in the history.
   */
  readonly staleReads?: boolean;
  /** How many distinct keys clients use (default 4). */
  readonly keyCount?: number;
  /** The share of client operations that are whole-range scans (default 0.05). */
  readonly scanProbability?: number;
  /** The pause between two operations of one client, drawn in [min, max] (default [5, 25] ms). */
  readonly thinkTimeMs?: readonly [number, number];
  /** How long a heal phase may take to serve a write and a read (default 5000 ms). */
  readonly healTimeoutMs?: number;
  /**
   * 2C: compact the log once it holds this many applied entries (TinyKV's `maxraftlog`), and
   * check after every round that no store keeps more than twice as many.
   */
  readonly maxRaftLogEntries?: number;
  /**
   * 3B: add and remove peers at random during fault phases, through the scheduler (TinyKV's
   * confchanger): about every 200 ms a random region and store — remove the store's peer if it
   * has one and the region more than one, otherwise add one. Every change must finish in the
   * heal phase.
   */
  readonly confChange?: boolean;
  /**
   * 3B: regions split when they grow past a small size (keys default to 40 so that they do);
   * after every round the first region must have split.
   */
  readonly split?: boolean;
}

/** What a passing scenario did, for benchmarks and logs. */
export interface ScenarioReport {
  readonly seed: number;
  /** Virtual time at the end (ms). */
  readonly virtualMs: number;
  /** Client operations recorded. */
  readonly operations: number;
  /** Of which answered with a result. */
  readonly completedOperations: number;
  /** Simulator events processed. */
  readonly events: number;
  /** Snapshots stores sent each other (2C). */
  readonly snapshotsSent: number;
}

/** One line with every resolved knob, printed with a failure (TinyKV prints the config first). */
export function describeScenario(options: ScenarioOptions, seed: number): string {
  const knobs = [
    `stores=${options.storeCount ?? 5}`,
    `clients=${options.clientCount ?? 1}`,
    `rounds=${options.rounds ?? 3}`,
    `roundMs=${options.roundMs ?? 1000}`,
    `unreliable=${options.unreliable ?? false}`,
    `crash=${options.crash ?? false}`,
    `crashAtRandomWrites=${options.crashAtRandomWrites ?? false}`,
    `partitions=${options.partitions ?? false}`,
    `isolateOneStore=${options.isolateOneStore ?? false}`,
    `staleReads=${options.staleReads ?? false}`,
    `maxRaftLogEntries=${options.maxRaftLogEntries ?? 'none'}`,
    `confChange=${options.confChange ?? false}`,
    `split=${options.split ?? false}`,
    `keys=${options.keyCount ?? (options.split ? 40 : 4)}`,
    `scanProbability=${options.scanProbability ?? 0.05}`,
  ];
  if (options.faultLink !== undefined) knobs.push(`faultLink=${JSON.stringify(options.faultLink)}`);
  return `scenario "${options.name}" seed ${seed}: ${knobs.join(' ')}`;
}

/**
 * Runs one scenario under one seed and checks it.
 *
 * Each round: a fault phase (clients run for `roundMs` while the chosen faults happen), then
 * a heal phase (network healed and reliable, crashed stores restarted, everything crashed and
 * restarted if `crash`), which must serve a write and a read within `healTimeoutMs`. At the
 * end every key is read back, and the whole history must be linearizable; the auditor must
 * have seen no durability or election violation.
 *
 * @returns what the run did.
 * @throws ScenarioFailure (`crash`, `liveness` or `correctness`), its message starting with
 *   the scenario's knobs and seed.
 */
export async function runScenario(options: ScenarioOptions, seed: number): Promise<ScenarioReport> {
  const config = {
    ...(options.maxRaftLogEntries !== undefined ? { raftLogGcCountLimit: options.maxRaftLogEntries } : {}),
    ...(options.split ? SPLIT_SIZES : {}),
  };
  const multiRegion = Boolean(options.confChange || options.split);
  const cluster = new Cluster({ seed, storeCount: options.storeCount ?? 5, config, schedulerHeartbeats: multiRegion });
  try {
    await playScenario(cluster, options);
    cluster.assertSafe();
  } catch (error) {
    if (error instanceof ScenarioFailure) {
      const explained = cluster.explain(error) as ScenarioFailure;
      throw explained.withPreamble([`${describeScenario(options, seed)} (virtual time ${cluster.runtime.now()} ms)`]);
    }
    throw error;
  }
  const operations = cluster.history.operations();
  return {
    seed,
    virtualMs: cluster.runtime.now(),
    operations: operations.length,
    completedOperations: operations.filter((operation) => operation.outcome === 'ok').length,
    events: cluster.runtime.eventsProcessed,
    snapshotsSent: cluster.snapshotsSent,
  };
}

/** 3B split scenarios: regions over 120 bytes split, with a 60-byte left half (values are short). */
const SPLIT_SIZES = { regionMaxSizeBytes: 120, regionSplitSizeBytes: 60 } as const;

async function playScenario(cluster: Cluster, options: ScenarioOptions): Promise<void> {
  const rng = cluster.runtime.rng('scenario');
  const keys = Array.from({ length: options.keyCount ?? (options.split ? 40 : 4) }, (_, i) => Buffer.from(`k${String(i).padStart(2, '0')}`));
  const clients = Array.from({ length: options.clientCount ?? 1 }, (_, i) => cluster.client(i + 1));
  const checker = cluster.client(1000);
  const faultLink: LinkOptions = { ...(options.unreliable ? UNRELIABLE_LINK : RELIABLE_LINK), ...options.faultLink };
  const roundMs = options.roundMs ?? 1000;
  cluster.start();
  await cluster.waitForLeader();
  for (let round = 1; round <= (options.rounds ?? 3); round++) {
    cluster.network.setDefaultLink(faultLink);
    const endMs = cluster.runtime.now() + roundMs;
    const work: Promise<void>[] = clients.map((client) => clientLoop(cluster, client, keys, options, rng.split(`client-${client.clientId}-round-${round}`), endMs, round));
    if (options.partitions) work.push(partitionLoop(cluster, rng.split(`partitions-${round}`), endMs));
    if (options.isolateOneStore) cluster.network.isolate(rng.split(`isolate-${round}`).pick(cluster.storeIds()));
    if (options.staleReads) work.push(runStaleReadNemesis(cluster, keys, rng.split(`stale-reads-${round}`), endMs, { readerClientId: 900 + round }).then(() => undefined));
    if (options.confChange) work.push(confChangeLoop(cluster, rng.split(`conf-change-${round}`), endMs));
    if (options.crashAtRandomWrites) armRandomCrash(cluster, rng.split(`crash-${round}`));
    // Clients finish their last operation after endMs: allow one timeout and one deadline more.
    await cluster.run(Promise.all(work), roundMs + 10_000, `the clients of round ${round}`);
    cluster.network.heal();
    cluster.network.setDefaultLink(RELIABLE_LINK);
    for (const storeId of cluster.storeIds()) {
      if (options.crash) cluster.crash(storeId, `the scenario crashes every store after round ${round}`);
      cluster.restart(storeId);
    }
    await healPhase(cluster, checker, round, options.healTimeoutMs ?? 5_000);
    if (options.maxRaftLogEntries !== undefined) await checkLogsTrimmed(cluster, options.maxRaftLogEntries, round);
    if (options.confChange) await finishConfChanges(cluster, round, options.healTimeoutMs ?? 5_000);
    // A round under heavy faults may be too short to grow a region past the limit: by the last round it must have split.
    if (cluster.schedulerHeartbeats) await checkRegions(cluster, round, Boolean(options.split) && round === (options.rounds ?? 3));
  }
  for (const key of keys) await mustSucceed(cluster, () => checker.get(key), 5_000, `the final read of ${key.toString('latin1')}`);
  if ((options.scanProbability ?? 0.05) > 0) await mustSucceed(cluster, () => checker.scan(Buffer.alloc(0)), 5_000, 'the final scan');
}

async function clientLoop(cluster: Cluster, client: ClusterClient, keys: readonly Buffer[], options: ScenarioOptions, rng: Rng, endMs: number, round: number): Promise<void> {
  const [thinkMin, thinkMax] = options.thinkTimeMs ?? [5, 25];
  const scanProbability = options.scanProbability ?? 0.05;
  let written = 0;
  while (cluster.runtime.now() < endMs) {
    const draw = rng.float();
    const key = rng.pick(keys);
    if (draw < scanProbability) await client.scan(Buffer.alloc(0));
    // Every value written in a run is distinct (client, round, count): a stale read cannot hide behind a repeated value.
    else if (draw < 0.5) await client.put(key, Buffer.from(`c${client.clientId}.${round}.${++written}`));
    else if (draw < 0.55) await client.delete(key);
    else await client.get(key);
    await delay(cluster.runtime, rng.int(thinkMin, thinkMax), `client-${client.clientId}/think`);
  }
}

async function partitionLoop(cluster: Cluster, rng: Rng, endMs: number): Promise<void> {
  const timeoutMs = electionTimeoutMs(cluster.config);
  while (cluster.runtime.now() < endMs) {
    const stores = rng.shuffle(cluster.storeIds());
    const cut = rng.int(1, stores.length - 1);
    cluster.network.partition([stores.slice(0, cut), stores.slice(cut)]);
    await delay(cluster.runtime, timeoutMs + rng.int(0, 2 * timeoutMs), 'scenario/partitioner');
  }
}

/** 3B: sets a random add-peer or remove-peer operator about every 200 ms (see {@link ScenarioOptions.confChange}). */
async function confChangeLoop(cluster: Cluster, rng: Rng, endMs: number): Promise<void> {
  const scheduler = cluster.mockScheduler();
  while (cluster.runtime.now() < endMs) {
    const regions = scheduler.regions();
    if (regions.length > 0) {
      const region = rng.pick(regions);
      const storeId = rng.pick(cluster.storeIds());
      const existing = findPeerOnStore(region, storeId);
      if (scheduler.operatorOf(region.id) === undefined) {
        if (existing !== undefined && region.peers.length > 1) scheduler.setOperator(region.id, { kind: 'remove-peer', peer: existing });
        else if (existing === undefined) scheduler.setOperator(region.id, { kind: 'add-peer', peer: { id: scheduler.allocId(), storeId } });
      }
    }
    await delay(cluster.runtime, 200 + rng.int(0, 100), 'scenario/conf-changer');
  }
}

/**
 * 3B: in the heal phase every operator set during the round must finish.
 *
 * @throws ScenarioFailure `liveness` naming the operators still running.
 */
async function finishConfChanges(cluster: Cluster, round: number, timeoutMs: number): Promise<void> {
  const scheduler = cluster.mockScheduler();
  const deadline = cluster.runtime.now() + timeoutMs;
  while (scheduler.runningOperators().length > 0 && cluster.runtime.now() < deadline) await cluster.runFor(cluster.config.schedulerHeartbeatTickMs);
  const running = scheduler.runningOperators();
  if (running.length === 0) return;
  const listed = running.map(([regionId, operator]) => `${operator.kind} ${operator.peer.id}@store ${operator.peer.storeId} on region ${regionId}`).join('; ');
  throw cluster.failure('liveness', `After round ${round} the network healed, yet ${running.length} membership change(s) did not finish within ${timeoutMs} virtual ms: ${listed}. Is every conf change applied, answered and reported (heartbeat) — and does an added peer get its snapshot?`);
}

/**
 * 3B: after a round, soon: the scheduler's regions tile the key space, no store holds
 * overlapping regions or data outside its regions, and (split scenarios) the first region split.
 *
 * @throws ScenarioFailure `correctness` listing what is wrong.
 */
async function checkRegions(cluster: Cluster, round: number, mustHaveSplit: boolean): Promise<void> {
  const problems = (): string[] => {
    const found = coverageProblems(cluster.regions()).map((problem) => `the scheduler's regions: ${problem}`);
    for (const storeId of cluster.storeIds()) found.push(...storeProblems(storeId, cluster.durableEngines(storeId).kv));
    const first = cluster.regionByKey(Buffer.alloc(0));
    if (mustHaveSplit && first !== undefined && first.endKey.length === 0) found.push(`the first region still covers every key after round ${round}: it never split (is the size hint grown on every put, and is the split applied?)`);
    return found;
  };
  const deadline = cluster.runtime.now() + 3_000;
  let found = problems();
  while (found.length > 0 && cluster.runtime.now() < deadline) {
    await cluster.runFor(cluster.config.schedulerHeartbeatTickMs);
    found = problems();
  }
  if (found.length > 0) throw cluster.failure('correctness', `After round ${round} the regions are inconsistent:\n  ${found.slice(0, 8).join('\n  ')}`);
}

function armRandomCrash(cluster: Cluster, rng: Rng): void {
  const storeId = rng.pick(cluster.storeIds());
  const node = cluster.node(storeId);
  if (node.isUp) node.crashAtWrite(node.writeCount + rng.int(1, 40));
}

/**
 * 2C: after a round, every store soon keeps at most twice the limit of applied entries in its
 * log (TinyKV's "logs were not trimmed" check). "Soon": a store may be a little behind (an
 * election after the heal), so the check passes as soon as it holds everywhere, within a few GC
 * ticks and election timeouts.
 *
 * @throws ScenarioFailure `liveness` naming the store, the region and the two indexes.
 */
async function checkLogsTrimmed(cluster: Cluster, limit: number, round: number): Promise<void> {
  const deadline = cluster.runtime.now() + 10 * cluster.config.raftLogGcTickMs + 3 * electionTimeoutMs(cluster.config);
  let untrimmed = untrimmedLogs(cluster, limit);
  while (untrimmed.length > 0 && cluster.runtime.now() < deadline) {
    await cluster.runFor(cluster.config.raftLogGcTickMs);
    untrimmed = untrimmedLogs(cluster, limit);
  }
  const [first] = untrimmed;
  if (first === undefined) return;
  throw cluster.failure(
    'liveness',
    `After round ${round}, store ${first.storeId} keeps ${first.appliedIndex - first.truncatedIndex} applied entries of region ${first.regionId} in its log (applied index ${first.appliedIndex}, truncated index ${first.truncatedIndex}); with a limit of ${limit} it should keep at most ${2 * limit}: the log is not being compacted (is CompactLog applied, and does it move the truncated state?).`,
  );
}

function untrimmedLogs(cluster: Cluster, limit: number): { storeId: number; regionId: number; appliedIndex: number; truncatedIndex: number }[] {
  return cluster.storeIds().flatMap((storeId) =>
    cluster
      .applyStates(storeId)
      .filter((state) => state.appliedIndex - state.truncatedIndex > 2 * limit)
      .map((state) => ({ storeId, ...state })),
  );
}

async function healPhase(cluster: Cluster, checker: ClusterClient, round: number, healTimeoutMs: number): Promise<void> {
  const key = Buffer.from(`heal-${round}`);
  await mustSucceed(cluster, () => checker.put(key, Buffer.from(`round-${round}`)), healTimeoutMs, `the heal-phase write of round ${round}`);
  await mustSucceed(cluster, () => checker.get(key), healTimeoutMs, `the heal-phase read of round ${round}`);
}

/**
 * Retries an operation (each attempt is its own recorded operation) until one succeeds.
 *
 * @throws ScenarioFailure `liveness` when none succeeds within `timeoutMs`.
 */
async function mustSucceed(cluster: Cluster, attempt: () => Promise<{ outcome: string }>, timeoutMs: number, what: string): Promise<void> {
  const deadline = cluster.runtime.now() + timeoutMs;
  const loop = async (): Promise<boolean> => {
    while (cluster.runtime.now() < deadline) {
      if ((await attempt()).outcome === 'ok') return true;
    }
    return false;
  };
  const succeeded = await cluster.run(loop(), timeoutMs + 10_000, what);
  if (!succeeded) {
    throw cluster.failure('liveness', `After the network healed, ${what} did not succeed within ${timeoutMs} virtual ms: the cluster did not converge.`);
  }
}
