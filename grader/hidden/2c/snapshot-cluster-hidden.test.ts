// Goal: raftstore snapshot cases beyond the public suite: two stores catching up by snapshot at
// once, a snapshot that is duplicated and delayed on the wire, a big region whose snapshot takes
// time to build and to send, and compaction under random crashes and aggressive limits.
// Method: clusters in virtual time with faults placed by hand, the generic scenario runner with
// other knobs; answers, durable engines, linearizability and the durability auditor checked.
import { CF_DEFAULT } from '../../../labs/common/engine/engine';
import { MessageType } from '../../../labs/common/raft/message';
import { dataKey } from '../../../labs/common/raftstore/meta-keys';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { Cluster } from '../../../labs/2b-raftstore/testkit/cluster';
import { runScenario, type ScenarioOptions } from '../../../labs/2b-raftstore/testkit/scenario';

const text = (value: string): Buffer => Buffer.from(value);

async function mustPut(cluster: Cluster, key: string, value: string, clientId = 1): Promise<void> {
  await cluster.run(cluster.client(clientId).mustPut(text(key), text(value)), 20_000, `put ${key}`);
}

function stored(cluster: Cluster, storeId: number, key: string): string | undefined {
  return cluster.durableEngines(storeId).kv.get(CF_DEFAULT, dataKey(text(key)))?.toString('latin1');
}

describe('[2C] hidden snapshot cases', () => {
  test('[2C] two stores cut off in a five-store cluster both catch up by snapshot', () =>
    forEachSeed(2, async (seed) => {
      const cluster = new Cluster({ seed: seed + 500, storeCount: 5, config: { raftLogGcCountLimit: 8 } });
      cluster.start();
      const leader = await cluster.waitForLeader();
      const [a, b] = cluster.storeIds().filter((id) => id !== leader);
      cluster.network.isolate(a);
      cluster.network.isolate(b);
      for (let i = 0; i < 40; i++) await mustPut(cluster, `k${i % 7}`, `v${i}`);
      cluster.network.heal();
      await cluster.runFor(1_500);
      for (const storeId of [a, b]) {
        expect({ store: storeId, k5: stored(cluster, storeId, 'k5'), truncated: cluster.applyStates(storeId)[0].truncatedIndex > 0 }).toEqual({
          store: storeId,
          k5: stored(cluster, leader, 'k5'),
          truncated: true,
        });
      }
      cluster.assertSafe();
    }));

  test('[2C] a snapshot duplicated and delayed on the wire is installed once and overtaken copies change nothing', () =>
    forEachSeed(3, async (seed) => {
      const cluster = new Cluster({ seed: seed + 600, storeCount: 3, config: { raftLogGcCountLimit: 6 } });
      cluster.start();
      const leader = await cluster.waitForLeader();
      const lagging = cluster.storeIds().find((id) => id !== leader) as number;
      cluster.network.isolate(lagging);
      for (let i = 0; i < 25; i++) await mustPut(cluster, `k${i % 4}`, `v${i}`);
      cluster.network.setLink(leader, lagging, { duplicateProbability: 1, jitterMs: 40 });
      cluster.network.heal();
      await cluster.runFor(1_000);
      cluster.network.clearLinkOverrides();
      for (let i = 25; i < 35; i++) await mustPut(cluster, `k${i % 4}`, `v${i}`);
      await cluster.runFor(1_000);
      for (const key of ['k0', 'k1', 'k2', 'k3']) expect({ store: lagging, key, value: stored(cluster, lagging, key) }).toEqual({ store: lagging, key, value: stored(cluster, leader, key) });
      cluster.assertSafe();
    }));

  test('[2C] a region of two thousand keys is snapshotted and installed while clients keep writing', () =>
    forEachSeed(1, async (seed) => {
      const cluster = new Cluster({ seed: seed + 700, storeCount: 3, config: { raftLogGcCountLimit: 50 } });
      cluster.start();
      const leader = await cluster.waitForLeader();
      const lagging = cluster.storeIds().find((id) => id !== leader) as number;
      cluster.network.isolate(lagging);
      const writes: Promise<void>[] = [];
      for (let client = 1; client <= 10; client++) {
        writes.push((async () => {
          for (let i = 0; i < 200; i++) await cluster.client(client).mustPut(text(`c${client}-k${i}`), text(`v${i}`));
        })());
      }
      await cluster.run(Promise.all(writes), 120_000, 'two thousand writes');
      let snapshotSeen = false;
      cluster.onDelivery((to, message) => {
        if (to === lagging && message.message.msgType === MessageType.MsgSnapshot) snapshotSeen = true;
      });
      cluster.network.heal();
      await mustPut(cluster, 'during-install', 'yes', 11);
      await cluster.runFor(2_000);
      expect({ snapshotSeen, c7k199: stored(cluster, lagging, 'c7-k199'), during: stored(cluster, lagging, 'during-install') }).toEqual({ snapshotSeen: true, c7k199: 'v199', during: 'yes' });
      cluster.assertSafe();
    }));
});

function scenarioTest(title: string, seeds: number, options: Omit<ScenarioOptions, 'name'>): void {
  test(title, () => forEachSeed(seeds, async (seed) => void (await runScenario({ name: title, ...options }, seed + 800))));
}

describe('[2C] hidden generic scenarios with log compaction', () => {
  scenarioTest('[2C] one store crashes at a random engine write in every round while logs are compacted', 3, { clientCount: 3, crashAtRandomWrites: true, maxRaftLogEntries: 10, isolateOneStore: true });
  scenarioTest('[2C] a very small log limit on a three-store cluster under partitions', 2, { storeCount: 3, clientCount: 3, partitions: true, maxRaftLogEntries: 3 });
  scenarioTest('[2C] a seven-store cluster with compaction and a lossy network', 1, { storeCount: 7, clientCount: 5, unreliable: true, maxRaftLogEntries: 15, isolateOneStore: true, rounds: 2 });
});
