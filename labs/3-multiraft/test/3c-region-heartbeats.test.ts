/**
 * Stage 3C public tests: processRegionHeartbeat on one region at a time
 * (labs/3-multiraft/src/process-region-heartbeat.ts).
 *
 * Goal: a report newer than (or as new as) what the scheduler knows is stored, a stale one is
 * rejected with StaleRegionError and changes nothing, and after every report each store's
 * counts and sizes — the live index and the statistics the schedulers read — match the regions.
 * Method: TinyKV's setup (3 stores, 3 regions of 3 peers) reported in turn, then one change per
 * test; after each report the whole cluster state is compared with the regions the test expects,
 * every per-store number recomputed from that list.
 */
import { processRegionHeartbeat } from '../src/process-region-heartbeat';
import { RegionInfo } from '../src/region-info';
import { SchedulerServer } from '../src/scheduler-server';
import { SimulatedRuntime } from '../../common/runtime/simulated-runtime';
import { StaleRegionError } from '../src/stale-region-error';
import { SchedulerFixture, bump, key, report, same, sideBySideRegions, withRegion } from './3c-scheduler-fixture';

/** Three stores, three regions of three peers, reported in turn and checked after each report. */
function setUp(): { fixture: SchedulerFixture; regions: RegionInfo[] } {
  const fixture = new SchedulerFixture([1, 2, 3]);
  const regions = sideBySideRegions(3, 3);
  regions.forEach((info, index) => {
    fixture.accept(info);
    fixture.expectRegions(regions.slice(0, index + 1));
  });
  return { fixture, regions };
}

describe('[3C] region heartbeats', () => {
  test('[3C] reports of new regions are stored one by one, with every store statistic', () => {
    setUp();
  });

  test('[3C] an identical report is accepted and changes nothing', () => {
    const { fixture, regions } = setUp();
    for (const info of regions) fixture.accept(report(info.region, { size: info.approximateSizeBytes }));
    fixture.expectRegions(regions);
  });

  test('[3C] a report with a larger version is accepted', () => {
    const { fixture, regions } = setUp();
    regions[0] = withRegion(regions[0], { epoch: bump(regions[0].epoch, 0, 1) });
    fixture.accept(regions[0]);
    fixture.expectRegions(regions);
  });

  test('[3C] a report with a smaller version is rejected, even with a larger conf version', () => {
    const { fixture, regions } = setUp();
    const original = regions[0];
    regions[0] = withRegion(original, { epoch: bump(original.epoch, 0, 1) });
    fixture.accept(regions[0]);
    fixture.reject(withRegion(original, { epoch: bump(original.epoch, 1, 0) }));
    fixture.expectRegions(regions);
  });

  test('[3C] a report with both version and conf version larger is accepted', () => {
    const { fixture, regions } = setUp();
    regions[1] = withRegion(regions[1], { epoch: bump(regions[1].epoch, 1, 1) });
    fixture.accept(regions[1]);
    fixture.expectRegions(regions);
  });

  test('[3C] a report with a smaller conf version is rejected', () => {
    const { fixture, regions } = setUp();
    const original = regions[2];
    regions[2] = withRegion(original, { epoch: bump(original.epoch, 1, 0) });
    fixture.accept(regions[2]);
    fixture.reject(original);
    fixture.expectRegions(regions);
  });

  test('[3C] pending peers are counted on their stores', () => {
    const { fixture, regions } = setUp();
    regions[0] = withRegion(regions[0], {}, { pendingStores: [2, 3] });
    regions[1] = withRegion(regions[1], {}, { pendingStores: [3] });
    for (const info of regions.slice(0, 2)) fixture.accept(info);
    fixture.expectRegions(regions);
    same(fixture.cluster.getStore(3)?.statistics.pendingPeerCount, 2, 'Store 3 holds two pending replicas (regions 1 and 2).');
    same(fixture.cluster.pendingRegionsOn(3).map((info) => info.id), [1, 2], 'Store 3 lags in regions 1 and 2.');
  });

  test('[3C] pending peers that caught up are no longer counted', () => {
    const { fixture, regions } = setUp();
    for (const info of regions) fixture.accept(withRegion(info, {}, { pendingStores: [2, 3] }));
    same(fixture.cluster.getStore(2)?.statistics.pendingPeerCount, 3, 'Store 2 lags in all three regions.');
    for (const info of regions) fixture.accept(withRegion(info, {}, { pendingStores: [] }));
    fixture.expectRegions(regions);
    for (const store of fixture.cluster.getStores()) same(store.statistics.pendingPeerCount, 0, `Store ${store.id} lags in no region any more.`);
  });

  test('[3C] removed peers leave their stores, whose counts drop', () => {
    const { fixture, regions } = setUp();
    for (let index = 0; index < regions.length; index++) {
      regions[index] = withRegion(regions[index], { peers: regions[index].region.peers.slice(0, 1) });
      fixture.accept(regions[index]);
      fixture.expectRegions(regions);
    }
    same(fixture.cluster.getStore(3)?.statistics.regionCount, 0, 'Store 3 lost its replica of every region.');
  });

  test('[3C] peers added back are counted again', () => {
    const { fixture, regions } = setUp();
    const cut = regions.map((info) => withRegion(info, { peers: info.region.peers.slice(0, 1) }));
    for (const info of cut) fixture.accept(info);
    fixture.expectRegions(cut);
    for (const info of regions) fixture.accept(info);
    fixture.expectRegions(regions);
  });

  test('[3C] a new leader moves the leader count between stores', () => {
    const { fixture, regions } = setUp();
    regions[0] = withRegion(regions[0], {}, { leaderStore: 2 });
    regions[2] = withRegion(regions[2], {}, { leaderStore: 3 });
    for (const info of regions) fixture.accept(info);
    fixture.expectRegions(regions);
    same(
      fixture.cluster.getStores().map((store) => store.statistics.leaderCount),
      [1, 1, 1],
      'Each store now leads one region.',
    );
  });

  test('[3C] a new approximate size changes every holder store region size', () => {
    const { fixture, regions } = setUp();
    regions[1] = withRegion(regions[1], {}, { size: 144 });
    fixture.accept(regions[1]);
    fixture.expectRegions(regions);
    same(fixture.cluster.getStore(2)?.statistics.regionSizeBytes, 10 + 144 + 30, 'Store 2 holds regions of 10, 144 and 30 bytes.');
  });

  test('[3C] region counts follow the regions on each store', () => {
    const fixture = new SchedulerFixture([1, 2, 3, 4]);
    const regions = sideBySideRegions(4, 4).map((info, index) => withRegion(info, { peers: info.region.peers.slice(0, index + 1) }));
    for (const info of regions) fixture.accept(info);
    fixture.expectRegions(regions);
    same(
      fixture.cluster.getStores().map((store) => store.statistics.regionCount),
      [4, 3, 2, 1],
      'Store s holds a replica of regions s..4.',
    );
  });

  test('[3C] regions are found by id and by any key of their range', () => {
    const { fixture, regions } = setUp();
    same(fixture.cluster.getRegionByKey(key('k1zzz'))?.id, 1, 'Key k1zzz lies in region 1 [, k2).');
    same(fixture.cluster.getRegionByKey(key('k2'))?.id, 2, 'Key k2 starts region 2.');
    same(fixture.cluster.getRegionByKey(key('zzz'))?.id, 3, 'Key zzz lies in region 3 [k3, ).');
    same(fixture.cluster.getRegion(2)?.describe(), regions[1].describe(), 'Region 2 by id.');
    same(fixture.cluster.getRegion(4), undefined, 'No region 4 was reported.');
  });

  test('[3C] the stores of a region and of its followers are the registered holders', () => {
    const { fixture, regions } = setUp();
    const info = withRegion(regions[0], {}, { leaderStore: 2 });
    fixture.accept(info);
    const stored = fixture.cluster.getRegion(1)!;
    same(fixture.cluster.getRegionStores(stored).map((store) => store.id), [1, 2, 3], 'Region 1 has a replica on stores 1, 2 and 3.');
    same(fixture.cluster.getFollowerStores(stored).map((store) => store.id), [1, 3], 'Region 1 is led from store 2.');
  });

  test('[3C] store statistics equal the region tree aggregates after every report', () => {
    const { fixture, regions } = setUp();
    const changes: RegionInfo[] = [
      withRegion(regions[0], {}, { leaderStore: 3, size: 7 }),
      withRegion(regions[1], { peers: regions[1].region.peers.slice(1), epoch: bump(regions[1].epoch, 1, 0) }, { leaderStore: 2 }),
      withRegion(regions[2], {}, { pendingStores: [1], size: 99 }),
    ];
    changes.forEach((info, index) => {
      regions[index] = info;
      fixture.accept(info);
      fixture.expectRegions(regions);
    });
  });

  test('[3C] a stale report throws the named StaleRegionError, and the server ignores it', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const server = new SchedulerServer(runtime);
    for (const storeId of [1, 2, 3]) server.handleStoreHeartbeat({ storeId });
    const [info] = sideBySideRegions(1, 3);
    const newer = withRegion(info, { epoch: bump(info.epoch, 0, 1) });
    const asHeartbeat = (region: RegionInfo) => ({ region: region.region, leader: region.leader!, pendingPeers: region.pendingPeers, approximateSizeBytes: region.approximateSizeBytes });
    same(server.handleRegionHeartbeat(asHeartbeat(newer)), undefined, 'No operator runs, so a fresh report gets no step.');
    same(server.handleRegionHeartbeat(asHeartbeat(info)), undefined, 'A stale report gets no step.');
    same(server.staleHeartbeatCount, 1, 'The server counts the stale report it ignored: processRegionHeartbeat must throw StaleRegionError for it.');
    same(server.getRegionById(1)?.epoch, newer.epoch, 'The newer epoch stays.');
    expect(() => processRegionHeartbeat(server.cluster, info)).toThrow(StaleRegionError);
  });
});
