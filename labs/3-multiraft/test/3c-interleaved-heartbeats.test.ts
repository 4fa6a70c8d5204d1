/**
 * Stage 3C public tests: many heartbeats from many stores, interleaved (TinyKV's concurrent
 * heartbeat test, made deterministic).
 *
 * Goal: whatever order region and store heartbeats arrive in — late, duplicated, interleaved
 * across stores — the scheduler ends up holding exactly the newest state of every region, with
 * every store's statistics right, and it rejects the stale reports it meets. Method: a history
 * of a few hundred random splits, merges, conf changes and leader changes; each report is
 * delivered one to four times at random virtual delays through SchedulerServer, between store
 * heartbeats of every store, all on one seeded simulated runtime; then checked.
 */
import { SimulatedRuntime } from '../../common/runtime/simulated-runtime';
import { forEachSeed } from '../../common/testkit/seeds';
import { SchedulerServer } from '../src/scheduler-server';
import { RegionHistory, regionPart } from './3c-region-history';
import { HEARTBEAT_HANDOUT, expectClusterRegions, same, toHeartbeat } from './3c-scheduler-fixture';

const STORES = [1, 2, 3, 4, 5, 6];

/** Runs one interleaved history under `seed`; returns how many region heartbeats were delivered. */
async function runInterleaved(seed: number, changes: number): Promise<{ server: SchedulerServer; history: RegionHistory; delivered: number }> {
  const runtime = new SimulatedRuntime({ seed });
  const rng = runtime.rng('test/interleaving');
  const server = new SchedulerServer(runtime);
  const history = new RegionHistory(STORES.length, 1 << 16);
  let delivered = 0;
  for (const storeId of STORES) {
    const beat = () => {
      server.handleStoreHeartbeat({ storeId });
      if (runtime.now() < changes * 10 + 3_000) runtime.setTimer(rng.int(50, 150), beat, `store-${storeId}/heartbeat`);
    };
    runtime.setTimer(rng.int(0, 100), beat, `store-${storeId}/heartbeat`);
  }
  let reported = 0;
  const deliverNewReports = () => {
    for (const info of history.reports.slice(reported)) {
      const copies = rng.int(1, 4);
      for (let copy = 0; copy < copies; copy++) {
        runtime.setTimer(rng.int(0, 2_000), () => {
          server.handleRegionHeartbeat(toHeartbeat(info));
          delivered++;
        }, `region-${info.id}/heartbeat`);
      }
    }
    reported = history.reports.length;
  };
  deliverNewReports();
  for (let change = 0; change < changes; change++) {
    runtime.setTimer(10 * change, () => {
      history.apply(history.randomChange(rng));
      deliverNewReports();
    }, 'history');
  }
  await runtime.runFor(changes * 10 + 5_000);
  return { server, history, delivered };
}

describe('[3C] interleaved heartbeats', () => {
  test('[3C] many heartbeats from many stores in a seeded random order end in the newest state of every region', () =>
    forEachSeed(3, async (seed) => {
      const { server, history, delivered } = await runInterleaved(seed, 400);
      if (delivered < 1_000) throw new Error(`Test bug: only ${delivered} region heartbeats were delivered.`);
      same(
        server.cluster.getRegions().map(regionPart),
        history.current().map(regionPart),
        `After ${delivered} interleaved heartbeats (seed ${seed}) the scheduler should hold exactly the newest regions (see ${HEARTBEAT_HANDOUT}).`,
      );
      if (server.staleHeartbeatCount === 0) throw new Error(`Among ${delivered} late and duplicated heartbeats (seed ${seed}) some were stale, but none was rejected with StaleRegionError (see ${HEARTBEAT_HANDOUT}).`);
      // One periodic round from every leader settles leaders, pending peers and sizes.
      for (const info of history.current()) server.handleRegionHeartbeat(toHeartbeat(info));
      expectClusterRegions(server.cluster, history.current());
      for (const storeId of STORES) same(server.getStore(storeId)?.isUp(), true, `Store ${storeId} sent heartbeats and is up.`);
    }));
});
