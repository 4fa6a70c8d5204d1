// Goal: the generic-scenario families of the public 2B suite under other seeds and knobs
// (cluster sizes, round lengths, harsher networks, crashes at random engine writes).
// Method: labs/2b-raftstore/testkit/scenario.ts in virtual time; linearizability, convergence and
// the durability auditor are checked by the runner.
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { runScenario, type ScenarioOptions } from '../../../labs/2b-raftstore/testkit/scenario';

function scenarioTest(title: string, seeds: number, options: Omit<ScenarioOptions, 'name'>): void {
  test(title, () => forEachSeed(seeds, async (seed) => void (await runScenario({ name: title, ...options }, seed + 100))));
}

describe('[2B] hidden generic scenarios', () => {
  scenarioTest('[2B] a three-store cluster with three clients stays linearizable', 2, { storeCount: 3, clientCount: 3 });
  scenarioTest('[2B] a seven-store cluster with five clients stays linearizable', 1, { storeCount: 7, clientCount: 5, rounds: 2 });
  scenarioTest('[2B] scan-heavy clients see consistent snapshots', 2, { clientCount: 3, scanProbability: 0.3, rounds: 2 });
  scenarioTest('[2B] a network that loses a third of all messages still converges after healing', 2, { clientCount: 3, faultLink: { dropProbability: 0.3, jitterMs: 20 } });
  scenarioTest('[2B] one store crashes at a random engine write in every round and restarts', 3, { clientCount: 3, crashAtRandomWrites: true });
  scenarioTest('[2B] random write crashes under partitions on an unreliable network', 2, { clientCount: 3, crashAtRandomWrites: true, partitions: true, unreliable: true });
  scenarioTest('[2B] a three-store cluster crashes every store after every round under partitions', 2, { storeCount: 3, clientCount: 3, crash: true, partitions: true });
  scenarioTest('[2B] long rounds with one client on an unreliable network', 1, { clientCount: 1, unreliable: true, roundMs: 2_500, rounds: 2 });
});
