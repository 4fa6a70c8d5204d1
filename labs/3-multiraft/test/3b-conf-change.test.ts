// Goal: the raftstore's membership changes and leader transfer (TinyKV's TestTransferLeader3B,
// TestBasicConfChange3B and TestConfChangeRemoveLeader3B, written fresh), plus what they leave
// out: a repeated conf change is harmless, a stale one is refused, a removed store keeps no
// data. Method: a 5-store cluster in virtual time; the mock scheduler drives add-peer,
// remove-peer and transfer-leader operators through heartbeat answers (and checks that every
// report bumps the conf version by exactly one peer); stores' durable engines are read
// directly; the history is checked for linearizability at the end (cluster.assertSafe()).
import { ConfChangeType } from '../../common/raft/conf-change';
import { MessageType } from '../../common/raft/message';
import { forEachSeed } from '../../common/testkit/seeds';
import { commandTo, eventually, multiRegionCluster, mustGet, mustPut, peerOn, regionLeader, regionNow, storedValue } from './3b-fixtures';

describe('[3B] leader transfer and conf change', () => {
  test('[3B] leadership moves to each of five stores in turn, and writes keep working', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed);
      await cluster.waitForLeader();
      await mustPut(cluster, 'k', 'v0');
      for (const storeId of [1, 2, 3, 4, 5, 1]) {
        await cluster.run(cluster.mustTransferLeader(1, peerOn(cluster, 1, storeId)), 20_000, `the transfer to store ${storeId}`);
        expect({ wanted: storeId, leader: cluster.leaderOf(1) }).toEqual({ wanted: storeId, leader: storeId });
        await mustPut(cluster, 'k', `v${storeId}`);
      }
      expect(await mustGet(cluster, 'k')).toBe('v1');
      cluster.assertSafe();
    }));

  test('[3B] peers are removed down to one and added back: a removed store loses its data, an added one catches up by snapshot, each change bumps the conf version', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed);
      await cluster.waitForLeader();
      await mustPut(cluster, 'k1', 'v1');
      const confVerBefore = regionNow(cluster, 1).epoch.confVer;
      for (const storeId of [2, 3, 4, 5]) await cluster.run(cluster.mustRemovePeer(1, peerOn(cluster, 1, storeId)), 20_000, `the removal of store ${storeId}`);
      expect(regionNow(cluster, 1).peers.map((peer) => peer.storeId)).toEqual([1]);
      expect(regionNow(cluster, 1).epoch.confVer).toBe(confVerBefore + 4);
      await mustPut(cluster, 'k2', 'v2');
      await cluster.runFor(500);
      for (const storeId of [2, 3, 4, 5]) expect({ store: storeId, k1: storedValue(cluster, storeId, 'k1'), k2: storedValue(cluster, storeId, 'k2') }).toEqual({ store: storeId, k1: undefined, k2: undefined });
      // Store 2 comes back under a new peer id: it starts empty and must receive a snapshot.
      const newPeer = { id: cluster.scheduler.allocId(), storeId: 2 };
      await cluster.run(cluster.mustAddPeer(1, newPeer), 20_000, 'the new peer on store 2');
      await eventually(cluster, () => storedValue(cluster, 2, 'k2') === 'v2', 'store 2 has k2 after it was added back');
      expect(storedValue(cluster, 2, 'k1')).toBe('v1');
      await cluster.run(cluster.mustAddPeer(1, { id: cluster.scheduler.allocId(), storeId: 3 }), 20_000, 'a peer on store 3');
      await cluster.run(cluster.mustRemovePeer(1, newPeer), 20_000, 'the removal of store 2 again');
      await mustPut(cluster, 'k3', 'v3');
      await eventually(cluster, () => storedValue(cluster, 3, 'k3') === 'v3', 'store 3 has k3');
      await eventually(cluster, () => storedValue(cluster, 2, 'k1') === undefined, 'store 2 deleted its data when it was removed');
      expect(regionNow(cluster, 1).peers.map((peer) => peer.storeId).sort()).toEqual([1, 3]);
      cluster.assertSafe();
    }));

  test('[3B] the leader itself can be removed, also from a two-member region, and the region keeps serving', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed);
      await cluster.waitForLeader();
      await cluster.run(cluster.mustTransferLeader(1, peerOn(cluster, 1, 1)), 20_000, 'the transfer to store 1');
      await cluster.run(cluster.mustRemovePeer(1, peerOn(cluster, 1, 1)), 20_000, 'the removal of the leader on store 1');
      await mustPut(cluster, 'a', '1');
      for (const storeId of [2, 3, 4]) await cluster.run(cluster.mustRemovePeer(1, peerOn(cluster, 1, storeId)), 20_000, `the removal of store ${storeId}`);
      await cluster.run(cluster.mustAddPeer(1, { id: cluster.scheduler.allocId(), storeId: 1 }), 20_000, 'store 1 back');
      // Two members, store 1 leading: removing the leader must not leave the other unable to win an election.
      await cluster.run(cluster.mustTransferLeader(1, peerOn(cluster, 1, 1)), 20_000, 'the transfer back to store 1');
      // From now on store 1 cannot tell store 5 about any new commit: if store 1 commits and applies
      // its own removal, store 5 never learns it and, alone in the old two-member group, can never
      // be elected. (Transferring leadership first, as the handout says, does not need it.)
      const commitBefore = cluster.peer(1)?.rawNode.raft.raftLog.committed ?? 0;
      const filter = cluster.network.addFilter({
        name: 'store 1 cannot advance store 5 commit',
        from: 1,
        to: 5,
        matches: (message) => (message.message.msgType === MessageType.MsgAppend || message.message.msgType === MessageType.MsgHeartbeat) && message.message.commit > commitBefore,
      });
      await cluster.run(cluster.mustRemovePeer(1, peerOn(cluster, 1, 1)), 20_000, 'the removal of the leader of a two-member region');
      cluster.network.removeFilter(filter);
      expect(regionNow(cluster, 1).peers.map((peer) => peer.storeId)).toEqual([5]);
      await mustPut(cluster, 'a', '2');
      expect(await mustGet(cluster, 'a')).toBe('2');
      cluster.assertSafe();
    }));

  test('[3B] a conf change carrying an old conf version is refused with epoch-not-match, and one repeated with the current epoch changes nothing', () =>
    forEachSeed(2, async (seed) => {
      const cluster = multiRegionCluster(seed);
      await cluster.waitForLeader();
      await mustPut(cluster, 'k', 'v');
      await cluster.run(cluster.mustRemovePeer(1, peerOn(cluster, 1, 5)), 20_000, 'the removal of store 5');
      const region = regionNow(cluster, 1);
      const leader = await regionLeader(cluster, 1);
      const peer = { id: cluster.scheduler.allocId(), storeId: 5 };
      const add = commandTo(region, leader, { requests: [], adminRequest: { cmdType: 'changePeer', changeType: ConfChangeType.AddNode, peer } });
      const first = await cluster.run(cluster.sendCommand(leader, add, 5_000), 10_000, 'the first add');
      expect({ error: first.header.error?.kind, peers: first.adminResponse?.cmdType === 'changePeer' ? first.adminResponse.region.peers.length : 0 }).toEqual({ error: undefined, peers: 5 });
      // The same command again carries the old conf version: the router or the apply refuses it.
      const again = await cluster.run(cluster.sendCommand(await regionLeader(cluster, 1), add, 5_000), 10_000, 'the same add again');
      expect(again.header.error?.kind).toBe('epoch-not-match');
      await cluster.runFor(500);
      expect(regionNow(cluster, 1).epoch.confVer).toBe(region.epoch.confVer + 1);
      // Resent with the current epoch (the scheduler repeats a step until it sees it done): a repeat changes nothing.
      const current = regionNow(cluster, 1);
      const currentLeader = await regionLeader(cluster, 1);
      const repeat = commandTo(current, currentLeader, { requests: [], adminRequest: { cmdType: 'changePeer', changeType: ConfChangeType.AddNode, peer } });
      const repeated = await cluster.run(cluster.sendCommand(currentLeader, repeat, 5_000), 10_000, 'the add repeated with the current epoch');
      expect(repeated.header.error?.kind).toBe(undefined);
      await cluster.runFor(300);
      expect({ confVer: regionNow(cluster, 1).epoch.confVer, peers: regionNow(cluster, 1).peers.length }).toEqual({ confVer: current.epoch.confVer, peers: 5 });
      await eventually(cluster, () => storedValue(cluster, 5, 'k') === 'v', 'the re-added store 5 catches up');
      cluster.assertSafe();
    }));
});
