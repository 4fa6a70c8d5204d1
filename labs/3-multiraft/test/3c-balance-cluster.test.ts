/**
 * Stage 3C public test: your scheduler balances a real (simulated) 3B cluster, end to end.
 *
 * Goal: with your processRegionHeartbeat and balance-region inside the scheduler, a cluster that
 * starts unbalanced (five stores, every region on stores 1-3) ends balanced while clients run:
 * no two stores differ by more than twice the largest region; the scheduler comes to rest
 * (no ping-pong) after at most one move per replica; it never takes back a stale heartbeat,
 * never moves a region short of replicas; no region is lost, no store keeps data outside its
 * regions, and the clients' history is linearizable. Method: the balance scenario of
 * labs/3-multiraft/testkit/balance-scenario.ts on the seeded simulator — clients write every key
 * (regions split as they grow), five regions lose a replica, balancing starts; one region
 * heartbeat in five also arrives again 100-600 ms late; a provided balance-leader scheduler runs
 * beside yours, as in TinyKV. It runs on your own 3B raftstore (and Raft). `--seeds N` runs it
 * under N seeds. Handout: labs/3-multiraft/README.md#a-balancing-run-3c.
 */
import { forEachSeed } from '../../common/testkit/seeds';
import { runBalanceScenario } from '../testkit/balance-scenario';

describe('[3C] balancing a 3B cluster', () => {
  test('[3C] five stores, the first region on three: the split regions spread within twice a region while clients run', () =>
    forEachSeed(1, async (seed) => {
      await runBalanceScenario({ name: 'five stores, the first region on three' }, seed);
    }));
});
