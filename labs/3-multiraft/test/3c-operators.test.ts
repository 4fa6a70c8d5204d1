/**
 * Stage 3C public tests: a balance move carried out through heartbeats, end to end inside the
 * scheduler (your processRegionHeartbeat and BalanceRegionScheduler, with the provided server
 * and operator controller).
 *
 * Goal: the move proposed by balance-region reaches the region's leader one step at a time in
 * heartbeat responses; the old replica is removed only after the new one has caught up (is no
 * longer pending); the operator is retired when the heartbeats show it done, and the store
 * statistics follow. Method: a server on a virtual clock; the test plays the raftstore, carrying
 * out each step it is handed and reporting the region after it.
 */
import type { PeerMeta, Region } from '../../common/raftstore/region';
import { ConfChangeType } from '../../common/raft/conf-change';
import { SimulatedRuntime } from '../../common/runtime/simulated-runtime';
import type { RegionHeartbeatResponse } from '../../common/scheduler/heartbeat';
import { SchedulerServer } from '../src/scheduler-server';
import { BALANCE_HANDOUT, bump, makeRegion, report, same, toHeartbeat } from './3c-scheduler-fixture';

/**
 * Three regions of size 10 on stores 1-3, led from store 1, plus a lone 5-byte replica on store 1
 * (not movable: one replica, not three); store 4 empty. Store 1 (35) is the source, store 4 (0)
 * the target, and a move is worth it (35 - 0 > 2 x 10).
 */
function unbalancedServer(seed: number): SchedulerServer {
  const server = new SchedulerServer(new SimulatedRuntime({ seed }), undefined, { firstId: 1_000 });
  for (const storeId of [1, 2, 3, 4]) server.handleStoreHeartbeat({ storeId });
  for (const id of [1, 2, 3]) {
    const region = makeRegion({ id, start: `k${id}`, end: `k${id + 1}`, peers: [[10 * id + 1, 1], [10 * id + 2, 2], [10 * id + 3, 3]] });
    same(server.handleRegionHeartbeat(toHeartbeat(report(region, { size: 10 }))), undefined, 'No operator is running yet.');
  }
  const lone = makeRegion({ id: 9, start: 'z', end: '', peers: [[91, 1]] });
  same(server.handleRegionHeartbeat(toHeartbeat(report(lone, { size: 5 }))), undefined, 'No operator is running yet.');
  return server;
}

function describeResponse(response: RegionHeartbeatResponse | undefined): string {
  if (!response) return 'nothing';
  if (response.changePeer) return `${response.changePeer.changeType} ${response.changePeer.peer.id}@${response.changePeer.peer.storeId}`;
  if (response.transferLeader) return `transfer leader to ${response.transferLeader.peer.id}@${response.transferLeader.peer.storeId}`;
  return 'an empty response';
}

describe('[3C] operators through heartbeats', () => {
  test('[3C] a balance move is handed out step by step and retired once the heartbeats show it done', () => {
    const server = unbalancedServer(1);
    const started = server.runSchedulers();
    if (started.length !== 1) throw new Error(`runSchedulers should start exactly one balance-region operator (store 1 holds 35 bytes, store 4 none), got ${started.length} (see ${BALANCE_HANDOUT}).`);
    const operator = started[0];
    let region: Region = server.getRegionById(operator.regionId)!.region;
    let leader: PeerMeta = server.getRegionById(operator.regionId)!.leader!;
    const newPeer = operator.steps[0].kind === 'addPeer' ? operator.steps[0].peer : undefined;
    same(newPeer?.storeId, 4, 'The move adds a peer on store 4, the empty store.');
    const heartbeat = (pending: PeerMeta[] = []) => server.handleRegionHeartbeat({ region, leader, pendingPeers: pending, approximateSizeBytes: 10 });

    // Step 1: add the new peer. Repeated until it is in the region.
    same(describeResponse(heartbeat()), `${ConfChangeType.AddNode} ${newPeer!.id}@4`, 'The first step adds the new peer.');
    same(describeResponse(heartbeat()), `${ConfChangeType.AddNode} ${newPeer!.id}@4`, 'The step is repeated until a heartbeat shows it done.');
    region = { ...region, peers: [...region.peers, newPeer!], epoch: bump(region.epoch, 1, 0) };
    // The new peer is in the region but still catching up: nothing to do but wait.
    same(describeResponse(heartbeat([newPeer!])), 'nothing', 'While the new peer is pending the scheduler waits.');
    same(server.operators.getOperator(region.id) === operator, true, 'The operator keeps running while the new peer is pending.');
    // Caught up: the source (store 1) leads, so leadership moves to the new peer first.
    same(describeResponse(heartbeat()), `transfer leader to ${newPeer!.id}@4`, 'Store 1 leads: leadership goes to the new peer before its replica is removed.');
    leader = newPeer!;
    const old = region.peers.find((peer) => peer.storeId === 1)!;
    same(describeResponse(heartbeat()), `${ConfChangeType.RemoveNode} ${old.id}@1`, 'Then the replica on store 1 is removed.');
    region = { ...region, peers: region.peers.filter((peer) => peer.id !== old.id), epoch: bump(region.epoch, 1, 0) };
    same(describeResponse(heartbeat()), 'nothing', 'The operator is done.');
    same(server.operators.getOperator(region.id), undefined, 'A finished operator is retired.');
    same(server.operators.retired().map((retired) => retired.outcome), ['finished'], 'The operator retired as finished.');
    same(
      [1, 2, 3, 4].map((storeId) => server.getStore(storeId)!.statistics.regionSizeBytes),
      [25, 30, 30, 10],
      'One region of 10 bytes moved from store 1 to store 4.',
    );
  });

  test('[3C] the old replica stays until the new peer is no longer pending', () => {
    const server = unbalancedServer(2);
    const [operator] = server.runSchedulers();
    if (!operator) throw new Error(`runSchedulers should start a balance-region operator (see ${BALANCE_HANDOUT}).`);
    const info = server.getRegionById(operator.regionId)!;
    const newPeer = server.operators.getOperator(info.id)!.steps[0];
    if (newPeer.kind !== 'addPeer') throw new Error('A move starts by adding the new peer.');
    const region = { ...info.region, peers: [...info.region.peers, newPeer.peer], epoch: bump(info.epoch, 1, 0) };
    for (let beat = 0; beat < 5; beat++) {
      const response = server.handleRegionHeartbeat({ region, leader: info.leader!, pendingPeers: [newPeer.peer], approximateSizeBytes: 10 });
      same(describeResponse(response), 'nothing', `Heartbeat ${beat + 1}: the new peer is still pending, so no replica may be removed and no leadership moved.`);
    }
    same(server.getStore(4)!.statistics.pendingPeerCount, 1, 'Store 4 holds one pending replica.');
  });
});
