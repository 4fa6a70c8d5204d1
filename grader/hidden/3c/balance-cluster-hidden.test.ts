/**
 * Stage 3C hidden test: balancing a 3B cluster with stores that must receive nothing.
 *
 * Goal: on seven stores, with the first region on stores 1-3, store 6 marked offline and store 7
 * down (it crashes once the data is loaded and stays silent past the down-time limit), the
 * scheduler balances stores 1-5 within twice the largest region, comes to rest, and never moves
 * a replica to store 6 or 7; everything the public end-to-end test checks holds as well. Method:
 * the balance scenario of labs/3-multiraft/testkit/balance-scenario.ts with different keys and
 * value sizes, more late heartbeats, and a down-time limit of one second.
 */
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { DEFAULT_SCHEDULER_CONFIG } from '../../../labs/3-multiraft/src/scheduler-config';
import { runBalanceScenario } from '../../../labs/3-multiraft/testkit/balance-scenario';

describe('[3C] hidden balancing a 3B cluster', () => {
  test('[3C] seven stores, one offline and one down: the others balance and those two receive nothing', () =>
    forEachSeed(1, async (seed) => {
      await runBalanceScenario(
        {
          name: 'seven stores, one offline and one down',
          storeCount: 7,
          bootstrapStores: [1, 2, 3],
          offlineStores: [6],
          downStores: [7],
          keyCount: 40,
          valueBytes: [10, 30],
          lateHeartbeats: { probability: 0.3, delayMsMin: 50, delayMsMax: 800 },
          schedulerConfig: { ...DEFAULT_SCHEDULER_CONFIG, maxStoreDownTimeMs: 1_000 },
        },
        seed,
      );
    }));
});
