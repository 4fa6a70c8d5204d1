// Goal: targeted raftstore behaviours that the generic scenarios only hit by chance: a leader
// cut off in a minority, a command sent to a follower, a proposal whose leader loses its
// term, and a network that duplicates and reorders every message. Method: a 3- or 5-store
// cluster in virtual time, faults placed by hand, answers checked one by one, and the whole
// history checked for linearizability and durability at the end (cluster.assertSafe()).
import { CF_DEFAULT } from '../../common/engine/engine';
import { dataKey } from '../../common/raftstore/meta-keys';
import type { RaftCmdResponse } from '../../common/raftstore/raft-cmd';
import { Cluster } from '../testkit/cluster';
import { forEachSeed } from '../../common/testkit/seeds';
import { runScenario } from '../testkit/scenario';

const key = (text: string): Buffer => Buffer.from(text);

async function mustPut(cluster: Cluster, clientId: number, k: string, v: string): Promise<void> {
  await cluster.run(cluster.client(clientId).mustPut(key(k), key(v)), 20_000, `put ${k}=${v}`);
}

async function mustGet(cluster: Cluster, clientId: number, k: string): Promise<string | undefined> {
  return (await cluster.run(cluster.client(clientId).mustGet(key(k)), 20_000, `get ${k}`))?.toString('latin1');
}

function errorKind(response: RaftCmdResponse): string | undefined {
  return response.header.error?.kind;
}

describe('[2B] partitions and leadership', () => {
  test('[2B] one partition: the majority elects a new leader and keeps writing, the old leader in the minority cannot commit and catches up after the heal', () =>
    forEachSeed(3, async (seed) => {
      const cluster = new Cluster({ seed, storeCount: 5 });
      cluster.start();
      const oldLeader = await cluster.waitForLeader();
      await mustPut(cluster, 1, 'k1', 'v1');
      const follower = cluster.storeIds().find((id) => id !== oldLeader) as number;
      const majority = cluster.storeIds().filter((id) => id !== oldLeader && id !== follower);
      cluster.network.partition([[oldLeader, follower], majority]);
      // The old leader still believes it leads: it accepts the command but can never commit it.
      const minorityAnswer = await cluster.run(cluster.client(2).sendOnce(oldLeader, [{ cmdType: 'put', cf: CF_DEFAULT, key: key('k1'), value: key('lost') }]), 5_000, 'the minority put');
      expect(errorKind(minorityAnswer)).toBe('request-timeout');
      await mustPut(cluster, 3, 'k1', 'v2');
      const newLeader = cluster.leaderStoreId();
      expect(majority).toContain(newLeader);
      cluster.network.heal();
      await cluster.runFor(2_000);
      expect(await mustGet(cluster, 3, 'k1')).toBe('v2');
      for (const storeId of cluster.storeIds()) {
        expect(cluster.durableEngines(storeId).kv.get(CF_DEFAULT, dataKey(key('k1')))?.toString('latin1')).toBe('v2');
      }
      cluster.assertSafe();
    }));

  test('[2B] a command sent to a follower is refused with not-leader and a hint naming the leader', () =>
    forEachSeed(3, async (seed) => {
      const cluster = new Cluster({ seed, storeCount: 3 });
      cluster.start();
      const leader = await cluster.waitForLeader();
      await mustPut(cluster, 1, 'a', '1');
      const follower = cluster.storeIds().find((id) => id !== leader) as number;
      const answer = await cluster.run(cluster.client(2).sendOnce(follower, [{ cmdType: 'put', cf: CF_DEFAULT, key: key('a'), value: key('2') }]), 5_000, 'the put at a follower');
      expect(errorKind(answer)).toBe('not-leader');
      expect(answer.header.error?.leader?.storeId).toBe(leader);
      await cluster.runFor(500);
      expect(await mustGet(cluster, 1, 'a')).toBe('1');
      cluster.assertSafe();
    }));

  test('[2B] a proposal whose leader loses its term is answered with stale-command and never applied', () =>
    forEachSeed(3, async (seed) => {
      const cluster = new Cluster({ seed, storeCount: 3 });
      cluster.start();
      const oldLeader = await cluster.waitForLeader();
      await mustPut(cluster, 1, 'x', 'before');
      cluster.network.isolate(oldLeader);
      const answer = cluster.client(2, { requestTimeoutMs: 20_000 }).sendOnce(oldLeader, [{ cmdType: 'put', cf: CF_DEFAULT, key: key('x'), value: key('orphan') }]);
      // Let the others elect a new leader and commit at the orphan's index, then reconnect.
      await cluster.runFor(1_000);
      await mustPut(cluster, 3, 'y', 'after');
      cluster.network.heal();
      const response = await cluster.run(answer, 5_000, 'the answer to the orphaned proposal');
      expect(errorKind(response)).toBe('stale-command');
      await cluster.runFor(500);
      expect(await mustGet(cluster, 1, 'x')).toBe('before');
      for (const storeId of cluster.storeIds()) {
        expect(cluster.durableEngines(storeId).kv.get(CF_DEFAULT, dataKey(key('x')))?.toString('latin1')).toBe('before');
      }
      cluster.assertSafe();
    }));
});

describe('[2B] message delivery', () => {
  test('[2B] duplicated and reordered delivery of every kind of message: no entry is applied twice and the history stays linearizable', () =>
    forEachSeed(2, async (seed) => {
      await runScenario(
        { name: 'duplicate and reorder', clientCount: 4, rounds: 2, faultLink: { delayMs: 1, jitterMs: 40, duplicateProbability: 0.4, dropProbability: 0 } },
        seed,
      );
    }));
});
