// Goal: region split in the raftstore (TinyKV's TestOneSplit3B, written fresh, and what it leaves
// out): a region that grows past the size limit splits at a key inside it; the two halves tile
// its old range and both bump their version; a command for a key that left the region gets
// key-not-in-region, one with the old version epoch-not-match; a store cut off during the split
// catches up; a split command whose key lies outside the region is refused. Method: 5-store
// clusters in virtual time with small size limits, the mock scheduler allocating ids, stores'
// region states and data read directly, the history checked at the end (cluster.assertSafe()).
import { CF_DEFAULT } from '../../common/engine/engine';
import { describeRegion } from '../../common/raftstore/region';
import { forEachSeed } from '../../common/testkit/seeds';
import { coverageProblems, storeProblems } from '../../2b-raftstore/testkit/region-checks';
import { loadRegions } from '../../2b-raftstore/src/bootstrap';
import { commandTo, eventually, multiRegionCluster, mustGet, mustPut, regionLeader, regionNow, storedValue, text } from './3b-fixtures';

const SMALL_REGIONS = { regionMaxSizeBytes: 300, regionSplitSizeBytes: 150 };

describe('[3B] region split', () => {
  test('[3B] a region grown past its size limit splits: two regions tiling the old range, versions bumped, a store cut off during the split catches up', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed, 5, SMALL_REGIONS);
      await cluster.waitForLeader();
      await mustPut(cluster, 'k000', 'start');
      // The split checker measures the region while it is still small; from then on only the
      // size hint the puts grow (applyPut) makes it look again.
      await cluster.runFor(3 * cluster.config.splitCheckTickMs);
      cluster.network.isolate(5);
      for (let i = 1; i <= 60; i++) await mustPut(cluster, `k${String(i).padStart(3, '0')}`, `value-${i}`);
      await eventually(cluster, () => cluster.regions().length >= 2, 'the region split into at least two');
      const regions = cluster.regions();
      expect({ coverage: coverageProblems(regions) }).toEqual({ coverage: [] });
      const [left, right] = regions;
      expect({ leftStart: left.startKey.toString(), rightEnd: regions[regions.length - 1].endKey.toString(), touching: left.endKey.equals(right.startKey) }).toEqual({ leftStart: '', rightEnd: '', touching: true });
      for (const region of regions) expect({ region: describeRegion(region), versionBumped: region.epoch.version > 1 }).toEqual({ region: describeRegion(region), versionBumped: true });
      cluster.network.heal();
      await eventually(cluster, () => storedValue(cluster, 5, 'k060') === 'value-60', 'store 5 has k060 after it came back');
      await eventually(cluster, () => loadRegions(cluster.durableEngines(5).kv).length >= 2, 'store 5 hosts both halves');
      for (const storeId of cluster.storeIds()) expect({ store: storeId, problems: storeProblems(storeId, cluster.durableEngines(storeId).kv) }).toEqual({ store: storeId, problems: [] });
      expect(await mustGet(cluster, 'k001')).toBe('value-1');
      expect(await mustGet(cluster, 'k060')).toBe('value-60');
      cluster.assertSafe();
    }));

  test('[3B] after a split, a command for a key that left the region gets key-not-in-region, one with the old version epoch-not-match', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed, 3, SMALL_REGIONS);
      await cluster.waitForLeader();
      const before = regionNow(cluster, 1);
      for (let i = 1; i <= 60; i++) await mustPut(cluster, `k${String(i).padStart(3, '0')}`, `value-${i}`);
      await eventually(cluster, () => cluster.regions().length >= 2, 'the region split');
      const left = regionNow(cluster, 1);
      const leader = await regionLeader(cluster, 1);
      const farKey = text('k060');
      const wrongRegion = await cluster.run(cluster.sendCommand(leader, commandTo(left, leader, { requests: [{ cmdType: 'get', cf: CF_DEFAULT, key: farKey }] }), 5_000), 10_000, 'a get for a key of the right half');
      expect(wrongRegion.header.error?.kind).toBe('key-not-in-region');
      const stale = await cluster.run(cluster.sendCommand(leader, commandTo(before, leader, { requests: [{ cmdType: 'get', cf: CF_DEFAULT, key: text('k001') }] }), 5_000), 10_000, 'a get with the old epoch');
      expect(stale.header.error?.kind).toBe('epoch-not-match');
      expect(stale.header.error?.currentRegion?.epoch.version).toBe(left.epoch.version);
      cluster.assertSafe();
    }));

  test('[3B] commands proposed before a split but applied after it are refused with epoch-not-match: a second split, a snapshot read, a put', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed, 3);
      await cluster.waitForLeader();
      for (const key of ['a', 'f', 'p', 'x']) await mustPut(cluster, key, `v-${key}`);
      const leader = await regionLeader(cluster, 1);
      const region = regionNow(cluster, 1);
      // All four reach the leader at the same instant, with the same epoch: each passes the
      // router's check; the split at "m" is applied first, so the others find the region changed.
      const split = cluster.sendCommand(leader, commandTo(region, leader, { requests: [], adminRequest: { cmdType: 'split', splitKey: text('m'), ...cluster.scheduler.askSplit(region) } }), 5_000);
      const secondSplit = cluster.sendCommand(leader, commandTo(region, leader, { requests: [], adminRequest: { cmdType: 'split', splitKey: text('c'), ...cluster.scheduler.askSplit(region) } }), 5_000);
      const snap = cluster.sendCommand(leader, commandTo(region, leader, { requests: [{ cmdType: 'snap' }] }), 5_000);
      const put = cluster.sendCommand(leader, commandTo(region, leader, { requests: [{ cmdType: 'put', cf: CF_DEFAULT, key: text('b'), value: text('late') }] }), 5_000);
      const answers = await cluster.run(Promise.all([split, secondSplit, snap, put]), 10_000, 'a split and three commands behind it');
      for (const answer of answers) for (const response of answer.responses) if (response.cmdType === 'snap') response.view.close();
      expect(answers.map((answer) => answer.header.error?.kind ?? 'ok')).toEqual(['ok', 'epoch-not-match', 'epoch-not-match', 'epoch-not-match']);
      await cluster.runFor(300);
      expect(cluster.regions().map((known) => [known.startKey.toString(), known.endKey.toString()])).toEqual([
        ['', 'm'],
        ['m', ''],
      ]);
      expect(await mustGet(cluster, 'b')).toBe(undefined);
      cluster.assertSafe();
    }));

  test('[3B] a split whose key lies outside the region, or at its start, is refused and changes nothing', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed, 3);
      await cluster.waitForLeader();
      await mustPut(cluster, 'm', '1');
      // Split the one region at "m": then ask the left half [, m) to split at "x" and at "".
      const leader = await regionLeader(cluster, 1);
      const ids = cluster.scheduler.askSplit(regionNow(cluster, 1));
      const split = await cluster.run(
        cluster.sendCommand(leader, commandTo(regionNow(cluster, 1), leader, { requests: [], adminRequest: { cmdType: 'split', splitKey: text('m'), ...ids } }), 5_000),
        10_000,
        'a split at m',
      );
      expect(split.header.error?.kind).toBe(undefined);
      expect(split.adminResponse?.cmdType === 'split' ? split.adminResponse.regions.map((region) => [region.startKey.toString(), region.endKey.toString()]) : []).toEqual([
        ['', 'm'],
        ['m', ''],
      ]);
      await cluster.runFor(500);
      for (const badKey of ['x', '']) {
        const left = regionNow(cluster, 1);
        const leftLeader = await regionLeader(cluster, 1);
        const answer = await cluster.run(
          cluster.sendCommand(leftLeader, commandTo(left, leftLeader, { requests: [], adminRequest: { cmdType: 'split', splitKey: text(badKey), ...cluster.scheduler.askSplit(left) } }), 5_000),
          10_000,
          `a split of [, m) at "${badKey}"`,
        );
        expect({ splitKey: badKey, error: answer.header.error?.kind }).toEqual({ splitKey: badKey, error: 'key-not-in-region' });
        expect({ splitKey: badKey, version: regionNow(cluster, 1).epoch.version }).toEqual({ splitKey: badKey, version: left.epoch.version });
      }
      expect(await mustGet(cluster, 'm')).toBe('1');
      cluster.assertSafe();
    }));
});
