// Goal: a store that crashes at any engine write while applying a split, or a conf change,
// recovers to a consistent store: the regions it holds do not overlap, it keeps no data outside
// them, and after it restarts it serves the same data as the others. Also a split while a
// snapshot is in flight, and a conf change racing a leader transfer. Method: a 3-store cluster
// in virtual time; the split or conf change is sent as a command; the crash is armed at the
// k-th write of a follower from the moment the entry reaches it, for k = 1, 2, ... until a crash
// point falls after the store went quiet; the history is checked at the end.
import { EntryType } from '../../../labs/common/raft/entry';
import { MessageType } from '../../../labs/common/raft/message';
import { decodeRaftCmdRequest } from '../../../labs/common/raftstore/raft-cmd';
import type { StoreMessage } from '../../../labs/common/raftstore/store-message';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import type { Cluster } from '../../../labs/2b-raftstore/testkit/cluster';
import { coverageProblems, storeProblems } from '../../../labs/2b-raftstore/testkit/region-checks';
import { loadRegions } from '../../../labs/2b-raftstore/src/bootstrap';
import { commandTo, eventually, multiRegionCluster, mustGet, mustPut, peerOn, regionLeader, regionNow, storedValue, text } from '../../../labs/3-multiraft/test/3b-fixtures';

function carries(message: StoreMessage, match: (data: Buffer, type: string) => boolean): boolean {
  return message.message.msgType === MessageType.MsgAppend && message.message.entries.some((entry) => entry.data.length > 0 && match(entry.data, entry.entryType));
}

function isSplitEntry(data: Buffer, type: string): boolean {
  return type === EntryType.EntryNormal && decodeRaftCmdRequest(data).adminRequest?.cmdType === 'split';
}

function isConfChangeEntry(_data: Buffer, type: string): boolean {
  return type === EntryType.EntryConfChange;
}

/** Arms a crash at the `crashAt`-th write of `storeId` once a matching append reaches it; returns whether it was armed. */
function armOnDelivery(cluster: Cluster, storeId: number, crashAt: number, match: (data: Buffer, type: string) => boolean): () => boolean {
  let armed = false;
  const remove = cluster.onDelivery((to, message) => {
    if (armed || to !== storeId || !carries(message, match)) return;
    armed = true;
    const node = cluster.node(storeId);
    node.crashAtWrite(node.writeCount + crashAt);
    remove();
  });
  return () => armed;
}

function expectConsistent(cluster: Cluster, storeId: number): void {
  expect({ store: storeId, problems: storeProblems(storeId, cluster.durableEngines(storeId).kv) }).toEqual({ store: storeId, problems: [] });
}

describe('[3B] hidden crash sweeps and races', () => {
  test('[3B] a store crashing at any engine write of a split apply recovers with consistent regions and data', () =>
    forEachSeed(1, async (seed) => {
      for (let crashAt = 1; ; crashAt++) {
        const cluster = multiRegionCluster(seed + 400, 3);
        const leader = await cluster.waitForLeader();
        for (const key of ['a', 'f', 'm', 'x']) await mustPut(cluster, key, `v-${key}`);
        const follower = cluster.storeIds().find((id) => id !== leader) as number;
        const armed = armOnDelivery(cluster, follower, crashAt, isSplitEntry);
        const region = regionNow(cluster, 1);
        const ids = cluster.scheduler.askSplit(region);
        await cluster.run(cluster.sendCommand(leader, commandTo(region, leader, { requests: [], adminRequest: { cmdType: 'split', splitKey: text('m'), ...ids } }), 5_000), 10_000, 'the split');
        await cluster.runFor(1_000);
        expect({ crashAt, armed: armed() }).toEqual({ crashAt, armed: true });
        const crashed = !cluster.node(follower).isUp;
        if (!crashed) {
          expectConsistent(cluster, follower);
          cluster.assertSafe();
          break;
        }
        cluster.restart(follower);
        await mustPut(cluster, 'z', 'after');
        await eventually(cluster, () => storedValue(cluster, follower, 'z') === 'after' && loadRegions(cluster.durableEngines(follower).kv).length === 2, `store ${follower} has both halves and the new write`);
        expectConsistent(cluster, follower);
        expect({ crashAt, coverage: coverageProblems(loadRegions(cluster.durableEngines(follower).kv)) }).toEqual({ crashAt, coverage: [] });
        expect({ crashAt, a: storedValue(cluster, follower, 'a'), x: storedValue(cluster, follower, 'x') }).toEqual({ crashAt, a: 'v-a', x: 'v-x' });
        cluster.assertSafe();
      }
    }));

  test('[3B] a store crashing at any engine write of a conf change apply recovers and the change still finishes', () =>
    forEachSeed(1, async (seed) => {
      for (let crashAt = 1; ; crashAt++) {
        const cluster = multiRegionCluster(seed + 500, 3);
        const leader = await cluster.waitForLeader();
        await mustPut(cluster, 'k', 'v');
        const [follower, other] = cluster.storeIds().filter((id) => id !== leader);
        const armed = armOnDelivery(cluster, follower, crashAt, isConfChangeEntry);
        await cluster.run(cluster.mustRemovePeer(1, peerOn(cluster, 1, other)), 20_000, `the removal of store ${other}`);
        await cluster.runFor(500);
        expect({ crashAt, armed: armed() }).toEqual({ crashAt, armed: true });
        // Past the last write of the apply the armed crash would hit a later write: end here.
        if (cluster.node(follower).isUp) {
          expectConsistent(cluster, follower);
          cluster.assertSafe();
          break;
        }
        cluster.restart(follower);
        await mustPut(cluster, 'k', 'after');
        await eventually(cluster, () => storedValue(cluster, follower, 'k') === 'after', `store ${follower} follows again`);
        await eventually(cluster, () => storedValue(cluster, other, 'k') === undefined, `the removed store ${other} deleted its data`);
        expectConsistent(cluster, follower);
        cluster.assertSafe();
      }
    }));

  test('[3B] a region splits while a snapshot to a lagging store is in flight, and the lagging store ends with both halves', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed + 600, 3, { raftLogGcCountLimit: 5 });
      const leader = await cluster.waitForLeader();
      const lagging = cluster.storeIds().find((id) => id !== leader) as number;
      cluster.network.isolate(lagging);
      for (let i = 0; i < 20; i++) await mustPut(cluster, `k${String(i).padStart(2, '0')}`, `v${i}`);
      // The snapshot takes time to cross: split meanwhile.
      cluster.network.setLink(leader, lagging, { delayMs: 200 });
      cluster.network.heal();
      await cluster.runFor(30);
      const region = regionNow(cluster, 1);
      const currentLeader = await regionLeader(cluster, 1);
      await cluster.run(cluster.sendCommand(currentLeader, commandTo(region, currentLeader, { requests: [], adminRequest: { cmdType: 'split', splitKey: text('k10'), ...cluster.scheduler.askSplit(region) } }), 5_000), 10_000, 'the split');
      cluster.network.clearLinkOverrides();
      await eventually(cluster, () => loadRegions(cluster.durableEngines(lagging).kv).length === 2 && storedValue(cluster, lagging, 'k19') === 'v19', `store ${lagging} holds both halves`, 10_000);
      expectConsistent(cluster, lagging);
      expect(await mustGet(cluster, 'k03')).toBe('v3');
      cluster.assertSafe();
    }));

  test('[3B] a conf change racing a leader transfer: both finish, one at a time, and no write is lost', () =>
    forEachSeed(3, async (seed) => {
      const cluster = multiRegionCluster(seed + 700, 5);
      await cluster.waitForLeader();
      await mustPut(cluster, 'k', 'v1');
      const scheduler = cluster.mockScheduler();
      const leader = await regionLeader(cluster, 1);
      const target = cluster.storeIds().find((id) => id !== leader) as number;
      const removed = cluster.storeIds().find((id) => id !== leader && id !== target) as number;
      const region = regionNow(cluster, 1);
      // The transfer goes straight to the leader while the scheduler removes another peer.
      const transfer = cluster.sendCommand(leader, commandTo(region, leader, { requests: [], adminRequest: { cmdType: 'transferLeader', peer: peerOn(cluster, 1, target) } }), 5_000);
      scheduler.setOperator(1, { kind: 'remove-peer', peer: peerOn(cluster, 1, removed) });
      await cluster.run(transfer, 10_000, 'the transfer');
      await eventually(cluster, () => scheduler.operatorOf(1) === undefined, 'the removal finished', 10_000);
      await mustPut(cluster, 'k', 'v2');
      expect(regionNow(cluster, 1).peers.some((peer) => peer.storeId === removed)).toBe(false);
      expect(await mustGet(cluster, 'k')).toBe('v2');
      cluster.assertSafe();
    }));
});
