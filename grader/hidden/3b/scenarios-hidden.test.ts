// Goal: the generic 3B scenario families under other knobs: many clients, three stores, all
// faults at once. Method: labs/2b-raftstore/testkit/scenario.ts in virtual time; membership
// changes must finish, regions must tile the key space, the history must be linearizable.
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { runScenario, type ScenarioOptions } from '../../../labs/2b-raftstore/testkit/scenario';

function scenarioTest(title: string, seeds: number, options: Omit<ScenarioOptions, 'name'>): void {
  test(title, () => forEachSeed(seeds, async (seed) => void (await runScenario({ name: title, ...options }, seed + 300))));
}

describe('[3B] hidden generic scenarios', () => {
  scenarioTest('[3B] conf change, recover, many clients: twenty clients while peers change', 1, { clientCount: 20, confChange: true, crash: true });
  scenarioTest('[3B] split, recover, many clients: twenty clients while regions split', 1, { clientCount: 20, split: true, crash: true });
  scenarioTest('[3B] conf change, snapshot, unreliable, recover, partitions', 1, { clientCount: 5, confChange: true, maxRaftLogEntries: 100, unreliable: true, crash: true, partitions: true });
  scenarioTest('[3B] split, conf change, snapshot, unreliable, recover on three stores', 1, { storeCount: 3, clientCount: 3, split: true, confChange: true, maxRaftLogEntries: 50, unreliable: true, crash: true });
  scenarioTest('[3B] split and conf change with a store crashing at random engine writes', 1, { clientCount: 3, split: true, confChange: true, crashAtRandomWrites: true });
});
