// Goal: TinyKV's five generic 2C scenarios (recover; many clients; unreliable; unreliable +
// recover; unreliable + recover + partitions) with log compaction on. TinyKV's versions rarely
// need a snapshot (every store crashes at once, so none falls behind); here one random store is
// also cut off for each fault phase, so it comes back behind the others' first log index and
// must catch up by a snapshot. Method: the generic scenario runner
// (labs/2b-raftstore/testkit/scenario.ts) with `maxRaftLogEntries`: after every round every store
// must keep at most twice the limit of applied entries in its log; the whole history must be
// linearizable, and the auditor must have seen no store send what it had not persisted.
// Each test runs several seeds (TINYKV_SEEDS=N runs N).
import { forEachSeed } from '../../common/testkit/seeds';
import { runScenario, type ScenarioOptions } from '../../2b-raftstore/testkit/scenario';

/** Small enough that every round compacts several times and a store that misses a round needs a snapshot. */
const LOG_LIMIT = 20;

function scenarioTest(title: string, seeds: number, options: Omit<ScenarioOptions, 'name' | 'maxRaftLogEntries'>): void {
  test(title, () =>
    forEachSeed(seeds, async (seed) => {
      const report = await runScenario({ name: title, maxRaftLogEntries: LOG_LIMIT, isolateOneStore: !options.partitions, ...options }, seed);
      // The scenario is only a 2C test if a store had to catch up by a snapshot.
      expect({ seed, snapshotsSent: report.snapshotsSent > 0 }).toEqual({ seed, snapshotsSent: true });
    }));
}

describe('[2C] generic scenarios with log compaction', () => {
  scenarioTest('[2C] recover: one client, every store crashes and restarts after each round', 2, { clientCount: 1, crash: true });
  scenarioTest('[2C] many clients: twenty clients, every store crashes after each round', 2, { clientCount: 20, crash: true });
  scenarioTest('[2C] unreliable: five clients while messages are dropped, duplicated and reordered', 2, { clientCount: 5, unreliable: true });
  scenarioTest('[2C] unreliable, recover: five clients on a lossy network, every store crashes after each round', 2, { clientCount: 5, unreliable: true, crash: true });
  scenarioTest('[2C] unreliable, recover, partitions: crashes, partitions and a lossy network together', 2, { clientCount: 5, unreliable: true, crash: true, partitions: true });
});
