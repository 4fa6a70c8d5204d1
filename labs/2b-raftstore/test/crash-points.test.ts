// Goal: catch "sent before persisted". A store that sends a vote or an append
// acknowledgement before the state it promises is durable can crash in between and forget
// the promise that others already counted. Method: arm a crash at the very next engine write
// of a store at the moment a vote request / an append reaches it, so that the store dies
// while persisting that Ready. The durability auditor checks every message at the instant it
// leaves against the store's durable raft engine; after the restart the cluster must
// converge, never have two leaders in a term, and keep a linearizable history. The same idea
// for applying: a store that crashes at any write while applying must come back with its
// applied index and the data it covers from one durable state (written in one batch), so it
// neither loses an entry's data nor applies anything twice.
import { CF_DEFAULT } from '../../common/engine/engine';
import { MessageType } from '../../common/raft/message';
import { applyStateKey, dataKey } from '../../common/raftstore/meta-keys';
import { decodeApplyState } from '../../common/raftstore/raft-apply-state';
import type { StoreMessage } from '../../common/raftstore/store-message';
import { Cluster } from '../testkit/cluster';
import { forEachSeed } from '../../common/testkit/seeds';

const text = (value: string): Buffer => Buffer.from(value);

/** Arms a crash at the next write of the first store (other than `exceptStoreId`) that receives a matching message. */
function crashOnNextWriteAfter(cluster: Cluster, matches: (message: StoreMessage) => boolean, exceptStoreId: number): { crashedStore: () => number | undefined } {
  let armedStore: number | undefined;
  const remove = cluster.onDelivery((storeId, message) => {
    if (armedStore !== undefined || storeId === exceptStoreId || !matches(message)) return;
    armedStore = storeId;
    const node = cluster.node(storeId);
    node.crashAtWrite(node.writeCount + 1);
    remove();
  });
  return { crashedStore: () => armedStore };
}

async function mustPut(cluster: Cluster, clientId: number, key: string, value: string): Promise<void> {
  await cluster.run(cluster.client(clientId).mustPut(text(key), text(value)), 20_000, `put ${key}`);
}

describe('[2B] crashes at engine writes', () => {
  test('[2B] a store that crashes while persisting its vote has not sent that vote, so no term gets two leaders after it restarts', () =>
    forEachSeed(3, async (seed) => {
      const cluster = new Cluster({ seed, storeCount: 3 });
      cluster.start();
      const oldLeader = await cluster.waitForLeader();
      await mustPut(cluster, 1, 'k', 'v1');
      const armed = crashOnNextWriteAfter(cluster, (message) => message.message.msgType === MessageType.MsgRequestVote, oldLeader);
      cluster.network.isolate(oldLeader);
      await cluster.runFor(1_000);
      const voter = armed.crashedStore();
      expect(voter).toBeDefined();
      expect(cluster.node(voter as number).isUp).toBe(false);
      const candidate = cluster.storeIds().find((id) => id !== oldLeader && id !== voter) as number;
      // Had the vote left before it was durable, the candidate would lead this term while the
      // restarted voter, having forgotten its vote, helps the old leader win the same term.
      cluster.crash(oldLeader, 'the test restarts the old leader as a follower');
      cluster.network.heal();
      cluster.network.partition([[candidate], [voter as number, oldLeader]]);
      cluster.restart(voter as number);
      cluster.restart(oldLeader);
      await cluster.runFor(2_000);
      cluster.assertSafe();
      cluster.network.heal();
      await mustPut(cluster, 2, 'k', 'v2');
      await cluster.runFor(500);
      cluster.assertSafe();
    }));

  test('[2B] a store that crashes while persisting appended entries has not acknowledged them, and no acknowledged write is lost', () =>
    forEachSeed(3, async (seed) => {
      const cluster = new Cluster({ seed, storeCount: 3 });
      cluster.start();
      const leader = await cluster.waitForLeader();
      await mustPut(cluster, 1, 'k', 'v1');
      const [follower, other] = cluster.storeIds().filter((id) => id !== leader);
      // Only the leader and `follower` talk: an entry commits only if `follower` acknowledges it.
      cluster.network.partition([[leader, follower], [other]]);
      const armed = crashOnNextWriteAfter(cluster, (message) => message.message.msgType === MessageType.MsgAppend && message.message.entries.length > 0, leader);
      const put = cluster.client(2).put(text('k'), text('v2'));
      await cluster.runFor(1_000);
      expect(armed.crashedStore()).toBe(follower);
      cluster.assertSafe();
      // The leader goes away; the crashed follower comes back with what it persisted.
      cluster.crash(leader, 'the test removes the leader');
      cluster.restart(follower);
      cluster.network.heal();
      await cluster.run(put, 20_000, 'the put in flight during the crash');
      await cluster.run(cluster.client(3).mustGet(text('k')), 20_000, 'the read after recovery');
      cluster.restart(leader);
      await cluster.runFor(1_000);
      cluster.assertSafe();
    }));

  test('[2B] a follower that crashes at any of its next writes while applying comes back with its applied index durable and every applied entry\'s data in its engine', () =>
    forEachSeed(1, async (seed) => {
      for (let crashPoint = 1; crashPoint <= 6; crashPoint++) {
        const cluster = new Cluster({ seed: seed * 1000 + crashPoint, storeCount: 3 });
        cluster.start();
        const leader = await cluster.waitForLeader();
        const follower = cluster.storeIds().find((id) => id !== leader) as number;
        cluster.node(follower).crashAtWrite(cluster.node(follower).writeCount + crashPoint);
        for (let i = 0; i < 3; i++) await mustPut(cluster, 1, `w${i}`, `${crashPoint}.${i}`);
        cluster.restart(follower);
        await cluster.runFor(500);
        // A late crash point fires after the puts, while the follower catches up: bring it back again.
        cluster.restart(follower);
        await cluster.runFor(1_000);
        // The follower's own durable engine, once it has caught up: the applied index is there
        // (applied entries are not applied again after the next restart) and so is the data of
        // every entry it covers (the index was written in the same batch as the data).
        const kv = cluster.durableEngines(follower).kv;
        const applyState = kv.get(CF_DEFAULT, applyStateKey(cluster.region.id));
        const appliedIndex = applyState === undefined ? 0 : decodeApplyState(applyState).appliedIndex;
        const leaderCommit = cluster.peer(leader)?.rawNode.raft.raftLog.committed ?? 0;
        const data = Array.from({ length: 3 }, (_, i) => kv.get(CF_DEFAULT, dataKey(text(`w${i}`)))?.toString());
        const context = `store ${follower} crashed at its write #${crashPoint} after the test armed it, then restarted (labs/2b-raftstore/README.md#the-ready-loop: apply an entry and persist the applied index in the same batch)`;
        expect({ context, appliedIndexCaughtUp: appliedIndex >= leaderCommit, data }).toEqual({
          context,
          appliedIndexCaughtUp: true,
          data: Array.from({ length: 3 }, (_, i) => `${crashPoint}.${i}`),
        });
        cluster.assertSafe();
      }
    }));
});
