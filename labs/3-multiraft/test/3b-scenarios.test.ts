// Goal: TinyKV's generic 3B scenarios, in virtual time: membership changes at random during the
// fault phases (the conf changer), regions that split as they grow, and both together with log
// compaction, a lossy network, crashes and partitions. Method: the generic scenario runner
// (labs/2b-raftstore/testkit/scenario.ts) with `confChange` / `split`: every membership change
// must finish once the network heals; after every round the regions must tile the key space,
// no store may hold overlapping regions or data outside its regions, and (split scenarios) the
// first region must have split by the last round; the history across all regions must be
// linearizable, and the mock scheduler checks that every conf version bump moves one peer.
// Each test runs one seed by default (TINYKV_SEEDS=N runs N).
import { forEachSeed } from '../../common/testkit/seeds';
import { runScenario, type ScenarioOptions } from '../../2b-raftstore/testkit/scenario';

function scenarioTest(title: string, seeds: number, options: Omit<ScenarioOptions, 'name'>): void {
  test(title, () => forEachSeed(seeds, async (seed) => void (await runScenario({ name: title, ...options }, seed))));
}

describe('[3B] generic scenarios with conf changes and splits', () => {
  scenarioTest('[3B] conf change, recover: one client, peers added and removed, every store crashes after each round', 1, { clientCount: 1, confChange: true, crash: true });
  scenarioTest('[3B] conf change, unreliable: five clients while peers change on a lossy network', 1, { clientCount: 5, confChange: true, unreliable: true });
  scenarioTest('[3B] conf change, unreliable, recover: crashes after each round on a lossy network', 1, { clientCount: 5, confChange: true, unreliable: true, crash: true });
  scenarioTest('[3B] conf change, snapshot, unreliable, recover: log compaction on as well', 1, { clientCount: 5, confChange: true, unreliable: true, crash: true, maxRaftLogEntries: 100 });
  scenarioTest('[3B] split, recover: one client, regions split as they grow, every store crashes after each round', 1, { clientCount: 1, split: true, crash: true });
  scenarioTest('[3B] split, unreliable: five clients while regions split on a lossy network', 1, { clientCount: 5, split: true, unreliable: true });
  scenarioTest('[3B] split, unreliable, recover: crashes after each round on a lossy network', 1, { clientCount: 5, split: true, unreliable: true, crash: true });
  scenarioTest('[3B] split, conf change, snapshot, unreliable, recover, partitions: everything at once', 1, {
    clientCount: 5,
    split: true,
    confChange: true,
    maxRaftLogEntries: 100,
    unreliable: true,
    crash: true,
    partitions: true,
  });
});
