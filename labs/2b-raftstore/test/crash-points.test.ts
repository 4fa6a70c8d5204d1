// Goal: catch "sent before persisted". A store that sends a vote or an append
// acknowledgement before the state it promises is durable can crash in between and forget
// the promise that others already counted. Method: arm a crash at the very next engine write
// of a store at the moment a vote request / an append reaches it, so that the store dies
// while persisting that Ready. The durability auditor checks every message at the instant it
// leaves against the store's durable raft engine; after the restart the cluster must
// converge, never have two leaders in a term, and keep a linearizable history.
import { MessageType } from '../../common/raft/message';
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
});
