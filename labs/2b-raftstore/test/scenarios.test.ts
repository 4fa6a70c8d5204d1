// Goal: the eleven TinyKV 2B scenarios (basic, concurrent, unreliable, partitions, persist
// variants) on a 5-store cluster in virtual time. Method: the generic scenario runner
// (labs/2b-raftstore/testkit/scenario.ts) runs clients against faults, heals the cluster, checks it
// converges, checks the whole history is linearizable and that no store sent a promise it
// had not persisted. The stale-read scenario cuts the leader off with a minority while a
// reader still reaches it (labs/2b-raftstore/testkit/stale-read-nemesis.ts): a store that
// answers reads without going through Raft answers them from a deposed leader's old state.
// Each test runs several seeds (TINYKV_SEEDS=N runs N).
import { forEachSeed } from '../../common/testkit/seeds';
import { runScenario, type ScenarioOptions } from '../testkit/scenario';

function scenarioTest(title: string, seeds: number, options: Omit<ScenarioOptions, 'name'>): void {
  test(title, () => forEachSeed(seeds, async (seed) => void (await runScenario({ name: title, ...options }, seed))));
}

describe('[2B] generic scenarios', () => {
  scenarioTest('[2B] basic: one client on a reliable network reads its own writes', 2, { clientCount: 1 });
  scenarioTest('[2B] concurrent: five clients on a reliable network stay linearizable', 2, { clientCount: 5 });
  scenarioTest('[2B] unreliable: five clients while messages are dropped, duplicated and reordered', 2, { clientCount: 5, unreliable: true });
  scenarioTest('[2B] many partitions, one client: the cluster is re-partitioned every election timeout', 2, { clientCount: 1, partitions: true });
  scenarioTest('[2B] many partitions, many clients: five clients while the cluster is re-partitioned', 2, { clientCount: 5, partitions: true });
  scenarioTest('[2B] persist, one client: every store crashes and restarts after each round', 2, { clientCount: 1, crash: true });
  scenarioTest('[2B] persist, concurrent: five clients, every store crashes after each round', 2, { clientCount: 5, crash: true });
  scenarioTest('[2B] persist, concurrent, unreliable: crashes after each round on a lossy network', 2, { clientCount: 5, crash: true, unreliable: true });
  scenarioTest('[2B] persist, partition: crashes after each round while the cluster is re-partitioned', 2, { clientCount: 5, crash: true, partitions: true });
  scenarioTest('[2B] persist, partition, unreliable: crashes, partitions and a lossy network together', 2, { clientCount: 5, crash: true, partitions: true, unreliable: true });
  scenarioTest('[2B] stale reads: a leader cut off with a minority, while a reader still reaches it, must not answer reads the majority has overwritten', 2, {
    clientCount: 3,
    staleReads: true,
    roundMs: 2000,
  });
});
