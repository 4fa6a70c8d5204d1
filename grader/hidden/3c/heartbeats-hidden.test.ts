/**
 * Stage 3C hidden tests: edge cases of processRegionHeartbeat.
 *
 * Goal: stores that lose every replica (by a conf change or because an overlapping region
 * replaced theirs) see their statistics drop; staleness between different regions is judged by
 * version alone; a bootstrapped region without a leader is taken over by its first leader's
 * report; and a long interleaved history still ends in the newest state. Method: hand-built
 * reports checked with the public fixture, and the interleaved run with a longer history.
 */
import { SimulatedRuntime } from '../../../labs/common/runtime/simulated-runtime';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { SchedulerServer } from '../../../labs/3-multiraft/src/scheduler-server';
import { RegionHistory, regionPart } from '../../../labs/3-multiraft/test/3c-region-history';
import { SchedulerFixture, bump, expectClusterRegions, makeRegion, report, same, toHeartbeat, withRegion } from '../../../labs/3-multiraft/test/3c-scheduler-fixture';

describe('[3C] hidden heartbeats', () => {
  test('[3C] a region whose replicas all moved away leaves its old stores empty', () => {
    const fixture = new SchedulerFixture([1, 2, 3, 4, 5, 6]);
    const region = makeRegion({ id: 1, start: '', end: '', peers: [[11, 1], [12, 2], [13, 3]] });
    fixture.accept(report(region));
    const moved = withRegion(report(region), { peers: [{ id: 14, storeId: 4 }, { id: 15, storeId: 5 }, { id: 16, storeId: 6 }], epoch: bump(region.epoch, 6, 0) }, { leaderStore: 4 });
    fixture.accept(moved);
    fixture.expectRegions([moved]);
    for (const storeId of [1, 2, 3]) same(fixture.cluster.getStore(storeId)?.statistics.regionCount, 0, `Store ${storeId} lost its replica of region 1.`);
  });

  test('[3C] stores of a region replaced by an overlapping one are updated too', () => {
    const fixture = new SchedulerFixture([1, 2, 3, 4, 5, 6]);
    const left = makeRegion({ id: 1, start: '', end: 'm', peers: [[11, 1], [12, 2], [13, 3]], epoch: { confVer: 1, version: 2 } });
    const right = makeRegion({ id: 2, start: 'm', end: '', peers: [[24, 4], [25, 5], [26, 6]], epoch: { confVer: 4, version: 2 } });
    fixture.accept(report(left));
    fixture.accept(report(right));
    // Region 1 absorbs region 2 (a merge): stores 4-6 no longer hold anything.
    const merged = makeRegion({ id: 1, start: '', end: '', peers: [[11, 1], [12, 2], [13, 3]], epoch: { confVer: 1, version: 3 } });
    fixture.accept(report(merged, { size: 20 }));
    fixture.expectRegions([report(merged, { size: 20 })]);
  });

  test('[3C] an unknown region older than an overlapping one is rejected whatever its conf version', () => {
    const fixture = new SchedulerFixture([1, 2, 3]);
    const newer = makeRegion({ id: 2, start: 'm', end: '', peers: [[21, 1], [22, 2], [23, 3]], epoch: { confVer: 1, version: 5 } });
    fixture.accept(report(newer));
    fixture.reject(report(makeRegion({ id: 7, start: 'a', end: 'z', peers: [[71, 1], [72, 2], [73, 3]], epoch: { confVer: 30, version: 4 } })));
    fixture.expectRegions([report(newer)]);
  });

  test('[3C] a new region in a gap is accepted without touching its neighbours', () => {
    const fixture = new SchedulerFixture([1, 2, 3]);
    const a = makeRegion({ id: 1, start: '', end: 'f', peers: [[11, 1], [12, 2], [13, 3]], epoch: { confVer: 1, version: 9 } });
    const c = makeRegion({ id: 3, start: 'p', end: '', peers: [[31, 1], [32, 2], [33, 3]], epoch: { confVer: 1, version: 9 } });
    const b = makeRegion({ id: 2, start: 'f', end: 'p', peers: [[21, 1], [22, 2], [23, 3]], epoch: { confVer: 1, version: 2 } });
    fixture.accept(report(a));
    fixture.accept(report(c));
    fixture.accept(report(b));
    fixture.expectRegions([report(a), report(b), report(c)]);
  });

  test('[3C] the first leader report of a bootstrapped region is accepted', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const server = new SchedulerServer(runtime);
    const region = server.bootstrap([1, 2, 3]);
    same(server.getRegionById(region.id)?.leader, undefined, 'A bootstrapped region has no leader yet.');
    const first = report(region, { leaderStore: 2, size: 0 });
    server.handleRegionHeartbeat(toHeartbeat(first));
    same(server.staleHeartbeatCount, 0, 'The first leader report has the bootstrap epoch: it is not stale.');
    expectClusterRegions(server.cluster, [first]);
  });

  test('[3C] a long interleaved history of 1500 changes ends in the newest state', () =>
    forEachSeed(1, async (seed) => {
      const runtime = new SimulatedRuntime({ seed });
      const rng = runtime.rng('hidden/interleaving');
      const server = new SchedulerServer(runtime);
      for (const storeId of [1, 2, 3, 4, 5]) server.handleStoreHeartbeat({ storeId });
      const history = new RegionHistory(5, 1 << 18);
      let sent = 0;
      for (let change = 0; change < 1_500; change++) {
        history.apply(history.randomChange(rng));
        for (const info of history.reports.slice(sent)) runtime.setTimer(rng.int(0, 5_000), () => server.handleRegionHeartbeat(toHeartbeat(info)), 'heartbeat');
        sent = history.reports.length;
        if (change % 10 === 0) await runtime.runFor(20);
      }
      await runtime.runFor(10_000);
      same(server.cluster.getRegions().map(regionPart), history.current().map(regionPart), `The scheduler should hold exactly the newest regions (seed ${seed}).`);
      for (const info of history.current()) server.handleRegionHeartbeat(toHeartbeat(info));
      expectClusterRegions(server.cluster, history.current());
    }));
});
