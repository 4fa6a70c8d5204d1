/**
 * Benchmark section `sim`: how fast the simulator runs.
 *
 * - raw event loop: timers re-arming themselves, driven by `step()` (no promise handling) and
 *   by `runFor` (with microtask settling between events, as cluster tests run);
 * - ping workload: 5 nodes pinging through a lossy, jittery network with partitions, crashes
 *   and restarts ({@link createPingCluster}): events per wall second and virtual seconds
 *   simulated per wall second (the target for whole scenarios is at least 100x);
 * - the linearizability checker on a history of concurrent single-key operations.
 *
 * Rates are best of three runs; nothing is asserted.
 *
 * @module
 */
import { bestOfMs, type BenchRow } from './bench-row';
import { SimulatedRuntime } from '../labs/common/runtime/simulated-runtime';
import { createPingCluster } from '../labs/common/sim/ping-workload';
import { createRng } from '../labs/common/runtime/rng';
import { checkKvLinearizability, kvModel, type KvInput, type KvOperation, type KvOutput } from '../labs/common/testkit/linearizability-kv-model';

const TIMER_EVENTS = 200_000;

function armTimers(runtime: SimulatedRuntime, workers: number, eventsPerWorker: number): void {
  for (let worker = 0; worker < workers; worker++) {
    const rng = runtime.rng(`worker-${worker}`);
    let remaining = eventsPerWorker;
    const work = () => {
      if (--remaining > 0) runtime.setTimer(rng.int(1, 20), work, `worker-${worker}`);
    };
    runtime.setTimer(rng.int(1, 20), work, `worker-${worker}`);
  }
}

async function bestOfAsyncMs(repetitions: number, work: () => Promise<void>): Promise<number> {
  await work();
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < repetitions; i++) {
    const started = process.hrtime.bigint();
    await work();
    best = Math.min(best, Number(process.hrtime.bigint() - started) / 1e6);
  }
  return best;
}

/** A history of `clients` clients doing `perClient` sequential ops each on `keys` keys, linearizable by construction. */
function concurrentHistory(seed: number, clients: number, perClient: number, keys: number): KvOperation[] {
  const rng = createRng(seed);
  let state = kvModel.init();
  const operations: KvOperation[] = [];
  const busyUntilMs = new Array<number>(clients).fill(0);
  for (let index = 0; index < clients * perClient; index++) {
    const client = index % clients;
    const key = Buffer.from(`key-${rng.int(0, keys - 1)}`);
    const input: KvInput = rng.chance(0.5) ? { kind: 'get', key } : { kind: 'append', key, value: Buffer.from(`${index};`) };
    const value = state.get(key.toString('latin1'));
    const output: KvOutput = input.kind === 'get' ? { kind: 'get', value: value === undefined ? undefined : Buffer.from(value, 'latin1') } : { kind: 'write' };
    state = kvModel.step(state, input, output) ?? state;
    const instantMs = index * 3;
    const invokeMs = Math.max(busyUntilMs[client] + 1, instantMs - rng.int(0, 10));
    const returnMs = Math.max(invokeMs, instantMs) + rng.int(0, 10);
    busyUntilMs[client] = returnMs;
    operations.push({ id: index + 1, clientId: client, input, invokeMs: Math.min(invokeMs, instantMs), returnMs, outcome: 'ok', output });
  }
  return operations;
}

/** Runs the section. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];

  const stepMs = bestOfMs(3, () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    armTimers(runtime, 100, TIMER_EVENTS / 100);
    while (runtime.step());
  });
  rows.push({ section: 'sim', name: 'event loop, step()', value: TIMER_EVENTS / (stepMs / 1000), unit: 'events/s', note: '100 self-re-arming timers, synchronous stepping' });

  const driveMs = await bestOfAsyncMs(3, async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    armTimers(runtime, 100, TIMER_EVENTS / 100);
    await runtime.runFor(10_000_000);
  });
  rows.push({ section: 'sim', name: 'event loop, runFor()', value: TIMER_EVENTS / (driveMs / 1000), unit: 'events/s', note: 'same, with microtask settling between events' });

  const virtualMs = 20_000;
  let events = 0;
  const pingMs = await bestOfAsyncMs(3, async () => {
    const cluster = createPingCluster({ seed: 7 });
    await cluster.run(virtualMs);
    events = cluster.runtime.eventsProcessed;
  });
  rows.push({ section: 'sim', name: 'ping workload events', value: events / (pingMs / 1000), unit: 'events/s', note: `5 nodes, lossy network, faults every 50 ms; ${events} events` });
  rows.push({ section: 'sim', name: 'ping workload speed', value: virtualMs / pingMs, unit: 'virtual s / wall s', note: 'target for scenarios: >= 100' });

  const history = concurrentHistory(3, 5, 400, 10);
  let steps = 0;
  const checkMs = bestOfMs(3, () => {
    const verdict = checkKvLinearizability(history);
    if (verdict.result !== 'ok') throw new Error(`The benchmark history should be linearizable: ${verdict.result}.`);
    steps = verdict.steps;
  });
  rows.push({ section: 'sim', name: 'linearizability check', value: history.length / (checkMs / 1000), unit: 'ops/s', note: `5 clients x 400 ops on 10 keys, get/append; ${steps} steps` });
  return rows;
}
