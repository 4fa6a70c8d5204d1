/**
 * The stale-read nemesis: a leader cut off with a minority while a client still reaches it.
 *
 * A leader does not know it has been deposed until it hears of a newer term, so a store that
 * answers a read from its own engine, without the read going through Raft, answers from a
 * state the majority has already moved past. Random partitions rarely produce a history that
 * shows it: clients time out on the cut-off leader and move on. This nemesis makes it happen
 * on purpose, in a loop during a fault phase:
 *
 * 1. a reader client (its own id, recorded in the history like any client) reads a key, so it
 *    learns who leads that key's region;
 * 2. the leader is cut off together with a minority of the stores; every client can still
 *    reach every store (clients are in no partition group);
 * 3. for a few election timeouts the reader keeps reading through the store it believes leads,
 *    while the scenario's clients time out there, find the new leader on the majority side and
 *    write; a correct store never answers those reads (they cannot commit), a store that reads
 *    locally answers them with old values — a linearizability violation in the history;
 * 4. the network heals and the cluster settles for an election timeout before the next round.
 *
 * @module
 */
import type { Rng } from '../../common/runtime/rng';
import { delay } from '../../common/runtime/delay';
import { electionTimeoutMs } from '../src/raftstore-config';
import type { Cluster } from './cluster';

/** Knobs of the nemesis. Durations are virtual milliseconds. */
export interface StaleReadNemesisOptions {
  /** The client id of the reader (distinct from the scenario's clients). */
  readonly readerClientId: number;
  /** How long the leader stays cut off, in election timeouts, drawn in [min, max] (default [6, 9]). */
  readonly holdElectionTimeouts?: readonly [number, number];
  /** The reader's pause between two reads, drawn in [min, max] (default [5, 20] ms). */
  readonly thinkTimeMs?: readonly [number, number];
}

/** What one run of the nemesis did, for its test and for reports. */
export interface StaleReadNemesisReport {
  /** Times a leader was cut off with a minority while the reader was pointed at it. */
  cutOffLeaders: number;
  /** Reads the reader made while its leader was cut off. */
  readsDuringCut: number;
}

/**
 * Runs the nemesis until virtual time `endMs` (then heals the network).
 *
 * @param cluster - the cluster under test.
 * @param keys - the keys the scenario's clients write; the reader reads them.
 * @param rng - the nemesis' own random source (split from the scenario's).
 * @param endMs - when to stop (virtual ms).
 * @param options - see {@link StaleReadNemesisOptions}.
 * @returns what it did.
 */
export async function runStaleReadNemesis(cluster: Cluster, keys: readonly Buffer[], rng: Rng, endMs: number, options: StaleReadNemesisOptions): Promise<StaleReadNemesisReport> {
  const runtime = cluster.runtime;
  const reader = cluster.client(options.readerClientId);
  const timeoutMs = electionTimeoutMs(cluster.config);
  const [holdMin, holdMax] = options.holdElectionTimeouts ?? [6, 9];
  const [thinkMin, thinkMax] = options.thinkTimeMs ?? [5, 20];
  const report: StaleReadNemesisReport = { cutOffLeaders: 0, readsDuringCut: 0 };
  while (runtime.now() < endMs) {
    const key = rng.pick(keys);
    // A successful read leaves the reader pointed at the key's leader.
    const learned = await reader.get(key);
    const region = cluster.regionByKey(key);
    const leader = region === undefined ? undefined : cluster.leaderOf(region.id);
    if (learned.outcome !== 'ok' || leader === undefined) {
      await delay(runtime, timeoutMs, 'stale-read-nemesis/wait-for-leader');
      continue;
    }
    const others = rng.shuffle(cluster.storeIds().filter((storeId) => storeId !== leader));
    // The most stores the leader can keep and still be a minority: 1 other of 5, none of 3.
    const minority = Math.floor(others.length / 2) - 1;
    cluster.network.partition([[leader, ...others.slice(0, minority)], others.slice(minority)]);
    report.cutOffLeaders++;
    const until = Math.min(endMs, runtime.now() + timeoutMs * rng.int(holdMin, holdMax));
    while (runtime.now() < until) {
      await reader.get(rng.pick(keys));
      report.readsDuringCut++;
      await delay(runtime, rng.int(thinkMin, thinkMax), 'stale-read-nemesis/think');
    }
    cluster.network.heal();
    await delay(runtime, timeoutMs, 'stale-read-nemesis/settle');
  }
  return report;
}
