/**
 * Stage 3C public tests: the balance-region scheduler
 * (labs/3-multiraft/src/balance-region-scheduler.ts).
 *
 * Goal: the scheduler moves a replica from the largest suitable store to the smallest suitable
 * store without a replica of that region, prefers pending replicas, then followers, then
 * leaders, only moves regions with the configured replica count, only moves when the gap exceeds
 * twice the region's size, and ignores stores that are offline or down. Method: TinyKV's
 * balance scenarios (1, 3 and 5 replicas; a pending region) on a cluster whose store sizes are
 * set exactly; each run's operator is compared step by step with the one expected.
 */
import { BalanceFixture } from './3c-balance-fixture';

describe('[3C] balance-region', () => {
  test('[3C] one replica: moves from the largest store to the smallest, handing over leadership', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 1 });
    fixture.addRegion(1, { stores: [4], size: 2 });
    fixture.setStoreSizes({ 1: 6, 2: 8, 3: 9, 4: 16 });
    fixture.expectMove(1, 4, 1, 'Store 4 (16) is the largest and store 1 (6) the smallest; the gap 10 exceeds 2 x 2.');
  });

  test('[3C] one replica: an offline store receives nothing', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 1 });
    fixture.addRegion(1, { stores: [4], size: 2 });
    fixture.setStoreSizes({ 1: 6, 2: 8, 3: 9, 4: 16 });
    fixture.setOffline(1);
    fixture.expectMove(1, 4, 2, 'Store 1 is offline, so store 2 (8) is the smallest suitable store.');
  });

  test('[3C] a region with fewer replicas than configured is not moved', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 3 });
    fixture.addRegion(1, { stores: [4], size: 2 });
    fixture.setStoreSizes({ 1: 6, 2: 8, 3: 9, 4: 16 });
    fixture.expectNoMove('Region 1 has 1 replica but maxReplicas is 3: moving it is not balance-region\'s job.');
  });

  test('[3C] three replicas: the target is the smallest store holding none, and down stores are skipped', async () => {
    const fixture = new BalanceFixture([1, 2, 3], { maxReplicas: 3 });
    fixture.addRegion(1, { stores: [1, 2, 3], size: 1 });
    fixture.setStoreSizes({ 1: 16, 2: 15, 3: 14 });
    fixture.expectNoMove('Every store already holds region 1.');
    fixture.addStore(4, 2);
    fixture.expectMove(1, 1, 4, 'Store 4 (2) holds no replica of region 1.');
    fixture.addStore(5, 1);
    fixture.expectMove(1, 1, 5, 'Store 5 (1) is now the smallest.');
    fixture.addStore(6, 0);
    fixture.expectMove(1, 1, 6, 'Store 6 (0) is now the smallest.');
    await fixture.makeDown([6]);
    fixture.expectMove(1, 1, 5, 'Store 6 is down (no heartbeat for maxStoreDownTimeMs); store 5 is the smallest suitable store.');
    await fixture.makeDown([4, 5, 6]);
    fixture.addStore(7, 20);
    fixture.expectNoMove('Stores 4, 5 and 6 are down; the only store without region 1 is store 7 (20), larger than the source.');
  });

  test('[3C] five replicas: source is the largest store, target the smallest without a replica', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4, 5, 6, 7], { maxReplicas: 5 });
    fixture.addRegion(1, { stores: [1, 2, 3, 4, 5], leaderStore: 1, size: 1 });
    fixture.setStoreSizes({ 1: 10, 2: 12, 3: 11, 4: 9, 5: 1, 6: 5, 7: 3 });
    fixture.expectMove(1, 2, 7, 'Store 2 (12) is the largest; store 5 (1) is the smallest but already holds a replica; of stores 6 (5) and 7 (3), which hold none, 7 is smaller.');
  });

  test('[3C] a pending replica on the source is moved first, to the only store without a peer', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 3 });
    fixture.addRegion(1, { stores: [1, 2, 3], leaderStore: 1 });
    for (const id of [2, 3, 4, 5]) fixture.addRegion(id, { stores: [1, 2, 3], leaderStore: 2 });
    fixture.addRegion(6, { stores: [1, 2, 3], leaderStore: 2, pendingStores: [1] });
    fixture.setStoreSizes({ 1: 30, 2: 20, 3: 20, 4: 0 });
    // Several runs: each run picks afresh, and every run must pick the pending replica.
    for (let run = 0; run < 5; run++) fixture.expectMove(6, 1, 4, 'Region 6 has a pending replica on store 1, the largest store: it goes before the healthy followers of regions 2-5.');
  });

  test('[3C] a follower replica is moved before a leader replica', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 3 });
    fixture.addRegion(1, { stores: [1, 2, 3], leaderStore: 1 });
    fixture.addRegion(2, { stores: [1, 2, 3], leaderStore: 3 });
    fixture.setStoreSizes({ 1: 30, 2: 20, 3: 20, 4: 0 });
    fixture.expectMove(2, 1, 4, 'Store 1 leads region 1 and follows region 2: the follower moves first.');
  });

  test('[3C] a down or offline store is never the source', async () => {
    const fixture = new BalanceFixture([1, 2, 3, 4, 5], { maxReplicas: 1 });
    fixture.addRegion(1, { stores: [1], size: 1 });
    fixture.addRegion(2, { stores: [2], size: 1 });
    fixture.addRegion(3, { stores: [3], size: 1 });
    fixture.setStoreSizes({ 1: 50, 2: 40, 3: 30, 4: 5, 5: 4 });
    fixture.setOffline(1);
    fixture.expectMove(2, 2, 5, 'Store 1 is offline; store 2 (40) is the largest suitable store.');
    await fixture.makeDown([2]);
    fixture.expectMove(3, 3, 5, 'Store 2 is down too; store 3 (30) is the largest suitable store.');
  });

  test('[3C] a store with no movable region is passed over for the next largest', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4, 5], { maxReplicas: 3 });
    fixture.addRegion(1, { stores: [2, 3, 4], leaderStore: 3 });
    fixture.setStoreSizes({ 1: 40, 2: 30, 3: 20, 4: 20, 5: 0 });
    fixture.expectMove(1, 2, 5, 'Store 1 (40) holds only a lone replica, which is not movable; store 2 (30) is the largest store with a movable region.');
  });

  test('[3C] a move is made only when the gap exceeds twice the region size', () => {
    const fixture = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 3 });
    fixture.addRegion(1, { stores: [1, 2, 3], size: 5 });
    fixture.setStoreSizes({ 1: 30, 2: 25, 3: 24, 4: 20 });
    fixture.expectNoMove('The gap between store 1 (30) and store 4 (20) is 10, exactly twice the region (5): after the move store 4 would be the larger, and the next run would move it back.');
    const bigger = new BalanceFixture([1, 2, 3, 4], { maxReplicas: 3 });
    bigger.addRegion(1, { stores: [1, 2, 3], size: 5 });
    bigger.setStoreSizes({ 1: 30, 2: 25, 3: 24, 4: 19 });
    bigger.expectMove(1, 1, 4, 'The gap 11 exceeds twice the region (10).');
  });

  test('[3C] fewer than two suitable stores: nothing to balance', async () => {
    const fixture = new BalanceFixture([1, 2, 3], { maxReplicas: 1 });
    fixture.addRegion(1, { stores: [1], size: 1 });
    fixture.setStoreSizes({ 1: 50, 2: 0, 3: 0 });
    fixture.setOffline(2);
    await fixture.makeDown([3]);
    fixture.expectNoMove('Store 2 is offline and store 3 is down: store 1 has no suitable store to move to.');
  });
});
