/**
 * Stage 3C hidden tests: edge cases of the balance-region scheduler.
 *
 * Goal: the down-time limit is exact (silent for the limit or longer is down); regions with
 * more replicas than configured are not moved either; stores are ranked by region size, not
 * region count; "pending" means the source's own replica is pending; and balancing repeated
 * until it stops settles, each move lowering the imbalance. Method: the public balance fixture
 * (store sizes set exactly), and a seeded loop that applies every proposed move to the cluster.
 */
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { createRng } from '../../../labs/common/runtime/rng';
import { RegionInfo } from '../../../labs/3-multiraft/src/region-info';
import { BalanceFixture } from '../../../labs/3-multiraft/test/3c-balance-fixture';
import { same } from '../../../labs/3-multiraft/test/3c-scheduler-fixture';

describe('[3C] hidden balance-region', () => {
  test('[3C] a store silent for exactly the down-time limit is down; one millisecond less is not', async () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 3, maxStoreDownTimeMs: 10_000 });
    fixture.addRegion(1, { stores: [1, 2, 3], size: 1 });
    fixture.setStoreSizes({ 1: 20, 2: 18, 3: 17, 4: 0 });
    await fixture.advance(9_999, [4]);
    fixture.expectMove(1, 1, 4, 'Store 4 has been silent for 9999 ms, less than the 10000 ms limit: it is not down.');
    await fixture.advance(1, [4]);
    fixture.expectNoMove('Store 4 has been silent for exactly the 10000 ms limit: it is down.');
  });

  test('[3C] a region with more replicas than configured is not moved', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4, 5], { maxReplicas: 3 });
    fixture.addRegion(1, { stores: [1, 2, 3, 4], size: 1 });
    fixture.setStoreSizes({ 1: 20, 2: 18, 3: 17, 4: 16, 5: 0 });
    fixture.expectNoMove('Region 1 has 4 replicas but maxReplicas is 3.');
  });

  test('[3C] stores are ranked by region size, not by region count', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 1 });
    for (const id of [1, 2, 3]) fixture.addRegion(id, { stores: [1], size: 10 });
    for (let id = 10; id < 30; id++) fixture.addRegion(id, { stores: [2], size: 1 });
    fixture.setStoreSizes({ 3: 5, 4: 1 });
    const operator = fixture.schedule();
    if (!operator || ![1, 2, 3].includes(operator.regionId)) {
      throw new Error(`Store 1 (3 regions, 30 bytes) is larger than store 2 (20 regions, 20 bytes): one of store 1's regions should move, got ${operator?.describe() ?? 'nothing'}.`);
    }
    same(operator.steps[0].kind === 'addPeer' ? operator.steps[0].peer.storeId : undefined, 4, 'Store 4 (1 byte) is the smallest.');
  });

  test('[3C] a region pending on another store is not the source store pending region', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 3 });
    fixture.addRegion(1, { stores: [1, 2, 3], leaderStore: 1, pendingStores: [2] });
    fixture.addRegion(2, { stores: [1, 2, 3], leaderStore: 3 });
    fixture.setStoreSizes({ 1: 30, 2: 20, 3: 20, 4: 0 });
    for (let run = 0; run < 5; run++) fixture.expectMove(2, 1, 4, 'Region 1 lags on store 2, not on store 1; on store 1 it is a leader, so the follower of region 2 moves first.');
  });

  test('[3C] repeated balancing settles, each move lowering the imbalance', () =>
    forEachSeed(5, (seed) => {
      const rng = createRng(seed);
      const stores = Array.from({ length: rng.int(4, 7) }, (_, index) => index + 1);
      const fixture = new BalanceFixture(stores, { maxReplicas: 3 }, seed);
      const regionCount = rng.int(10, 30);
      for (let id = 1; id <= regionCount; id++) fixture.addRegion(id, { stores: [1, 2, 3], leaderStore: rng.int(1, 3), size: rng.int(1, 20) });
      const imbalance = () => stores.reduce((sum, storeId) => sum + fixture.cluster.getStore(storeId)!.statistics.regionSizeBytes ** 2, 0);
      let moves = 0;
      let idleRuns = 0;
      // A run picks one region at random, so one empty run does not mean nothing is left to do:
      // settled means 50 runs in a row propose nothing.
      while (idleRuns < 50) {
        const operator = fixture.schedule();
        if (!operator) {
          idleRuns++;
          continue;
        }
        idleRuns = 0;
        const before = imbalance();
        applyMove(fixture, operator.regionId, operator.steps);
        moves++;
        // Moving r bytes from s to t changes the sum of squared sizes by 2r(r - (s - t)): negative exactly when the gap exceeds r.
        if (imbalance() >= before) throw new Error(`Seed ${seed}: move ${moves} (${operator.describe()}) did not lower the imbalance (${before} -> ${imbalance()}): only moves whose gap exceeds twice the region size may be made.`);
        if (moves > 1_000) throw new Error(`Seed ${seed}: balancing did not settle within 1000 moves.`);
      }
      same(moves > 0, true, `Seed ${seed}: all replicas start on stores 1-3, so some move is worth making.`);
    }));
});

/** Carries out a move as the raftstore would: the new peer replaces the source's, taking leadership if the source led. */
function applyMove(fixture: BalanceFixture, regionId: number, steps: ReadonlyArray<{ kind: string; peer?: { id: number; storeId: number }; toPeer?: { id: number; storeId: number } }>): void {
  const info = fixture.cluster.getRegion(regionId)!;
  const added = steps.find((step) => step.kind === 'addPeer')!.peer!;
  const removed = steps.find((step) => step.kind === 'removePeer')!.peer!;
  const peers = [...info.region.peers.filter((peer) => peer.id !== removed.id), added];
  const leader = info.leader?.id === removed.id ? added : info.leader;
  const region = { ...info.region, peers, epoch: { confVer: info.epoch.confVer + 2, version: info.epoch.version } };
  const next = new RegionInfo(region, leader, [], info.approximateSizeBytes);
  const replaced = fixture.cluster.putRegion(next);
  for (const storeId of new Set([...next.storeIds(), ...replaced.flatMap((old) => [...old.storeIds()])])) fixture.cluster.updateStoreStatus(storeId);
}
