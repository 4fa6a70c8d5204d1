/**
 * Stage 3A — hidden tests of membership change and leader transfer.
 *
 * Goal: corners the public tests leave out: MsgTimeoutNow goes out only once the transferee
 * holds the whole log; the transfer timer starts at the transfer, not at the leader's
 * election; RawNode.transferLeader on a leader; transfer requests at a candidate or at a
 * follower with no leader; a vote from a removed node does not count; and the membership
 * fuzz with five members and a busier schedule. Method: bare nodes and RawNodes stepped by
 * hand, outboxes read back; the seeded scenario of the public fuzz with other knobs.
 */
import { createMessage, MessageType, type Message } from '../../../labs/common/raft/message';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import type { Raft } from '../../../labs/2a-raft/src/raft';
import { RawNode } from '../../../labs/2a-raft/src/rawnode';
import { NONE, StateType } from '../../../labs/2a-raft/src/state-type';
import { MemoryStorage } from '../../../labs/2a-raft/src/storage';
import { ELECTION_TICK, newTestRaft, propose, takeMessages, testConfig } from '../../../labs/2a-raft/test/raft-fixtures';
import { expectAbout, thrownBy, transferLeader } from '../../../labs/3-multiraft/test/3a-fixtures';
import { runMembershipSafetyScenario } from '../../../labs/3-multiraft/test/3a-membership-fuzz';

function newLeader(peers: number[]): Raft {
  const raft = newTestRaft(1, peers);
  raft.becomeCandidate();
  raft.becomeLeader();
  takeMessages(raft);
  return raft;
}

function appendAccepted(from: number, term: number, index: number): Message {
  return createMessage({ msgType: MessageType.MsgAppendResponse, from, to: 1, term, index });
}

function types(messages: readonly Message[]): string[] {
  return messages.map((message) => `${message.msgType}->${message.to}`);
}

describe('[3A] hidden leader transfer', () => {
  test('[3A] MsgTimeoutNow goes to a lagging transferee only when its answer shows it holds the last index', () => {
    const raft = newLeader([1, 2, 3]);
    raft.step(appendAccepted(2, 1, 1));
    raft.step(propose(1, 'x'));
    raft.step(appendAccepted(2, 1, 2));
    takeMessages(raft);
    raft.step(transferLeader(1, 3));
    expectAbout('what the leader sends a transferee that matches nothing yet', types(takeMessages(raft)), ['MsgAppend->3']);
    raft.step(appendAccepted(3, 1, 1));
    expectAbout('MsgTimeoutNow after an answer that reaches index 1 of 2', types(takeMessages(raft)).filter((type) => type.startsWith('MsgTimeoutNow')), []);
    raft.step(appendAccepted(3, 1, 2));
    expectAbout('what the leader sends once the transferee holds the last index', types(takeMessages(raft)), ['MsgTimeoutNow->3']);
  });

  test('[3A] the transfer timeout counts from the transfer request, not from the election', () => {
    const raft = newLeader([1, 2, 3]);
    for (let tick = 0; tick < 3 * ELECTION_TICK; tick++) raft.tick();
    raft.step(transferLeader(1, 3));
    for (let tick = 0; tick < ELECTION_TICK - 1; tick++) raft.tick();
    expectAbout(`the transfer one tick before an election timeout since it began`, raft.leadTransferee, 3);
    raft.tick();
    expectAbout('the transfer after an election timeout since it began', raft.leadTransferee, NONE);
  });

  test('[3A] RawNode.transferLeader on the leader starts the transfer (MsgTransferLeader from the transferee)', () => {
    const storage = MemoryStorage.withPeers([1, 2]);
    const node = new RawNode(testConfig(1, [1, 2], storage));
    node.campaign();
    node.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 1 }));
    node.step(appendAccepted(2, 1, 1));
    node.raft.msgs = [];
    node.transferLeader(2);
    expectAbout('the leader transferee after transferLeader(2)', node.raft.leadTransferee, 2);
    expectAbout('what the leader sends an up-to-date transferee', types(node.raft.msgs), ['MsgTimeoutNow->2']);
  });

  test('[3A] a candidate, and a follower that knows no leader, drop a transfer request without failing', () => {
    const candidate = newTestRaft(1, [1, 2, 3]);
    candidate.becomeCandidate();
    takeMessages(candidate);
    expectAbout('stepping MsgTransferLeader on a candidate', thrownBy(() => candidate.step(transferLeader(1, 2))), 'nothing thrown');
    expectAbout('what the candidate sends', takeMessages(candidate), []);
    const orphan = newTestRaft(2, [1, 2, 3]);
    expectAbout('stepping MsgTransferLeader on a follower with no leader', thrownBy(() => orphan.step(transferLeader(2, 3))), 'nothing thrown');
    expectAbout('what the leaderless follower sends', takeMessages(orphan), []);
    expectAbout('the candidate state', candidate.state, StateType.Candidate);
  });
});

describe('[3A] hidden membership', () => {
  test('[3A] a vote granted by a node since removed does not count towards the smaller quorum', () => {
    const raft = newTestRaft(1, [1, 2, 3, 4]);
    raft.becomeCandidate();
    raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 4, to: 1, term: 1 }));
    raft.removeNode(4);
    raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 1, reject: true }));
    expectAbout('the role of a candidate of {1, 2, 3} with its own vote, a refusal from 2, and a grant from removed node 4', raft.state, StateType.Candidate);
    raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 3, to: 1, term: 1 }));
    expectAbout('the role once member 3 grants its vote', raft.state, StateType.Leader);
  });

  test('[3A] five members, a busier schedule of conf changes and transfers: still safe, still converging', async () => {
    await forEachSeed(5, (seed) =>
      runMembershipSafetyScenario(seed, { poolSize: 7, initialMembers: 5, rounds: 250, confChangeProbability: 0.2, transferProbability: 0.15, repartitionProbability: 0.1 }),
    );
  });
});
