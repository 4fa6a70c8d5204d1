/**
 * Stage 2AA — hidden election tests.
 *
 * Goal: the election behaviours the public suite does not spell out: duplicated and stale
 * vote traffic, larger groups, and a deposed leader hearing of a newer term. Method: nodes
 * stepped by hand and groups on the deterministic test network, as in the public tests.
 */
import { createMessage, MessageType } from '../../../labs/common/raft/message';
import { StateType } from '../../../labs/2a-raft/src/state-type';
import { BlackHole } from '../../../labs/common/testkit/raft-network';
import { hup, newRaftNetwork, newTestRaft, nodeOf, peerIds, raftWithLog, takeMessages } from '../../../labs/2a-raft/test/raft-fixtures';

describe('[2AA] hidden election', () => {
  test('[2AA] a vote granted twice by the same peer (a duplicated response) counts once', () => {
    const raft = newTestRaft(1, peerIds(5));
    raft.step(hup(1));
    const grant = createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 1 });
    raft.step(grant);
    raft.step({ ...grant });
    expect(raft.state).toBe(StateType.Candidate);
    raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 3, to: 1, term: 1 }));
    expect(raft.state).toBe(StateType.Leader);
  });

  test('[2AA] a duplicated vote request from the candidate already voted for is granted again', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    const request = createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 1 });
    raft.step(request);
    raft.step({ ...request });
    expect(takeMessages(raft).map((m) => m.reject)).toEqual([false, false]);
    expect(raft.vote).toBe(2);
  });

  test('[2AA] a vote granted in an older term does not count in the current election', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.step(hup(1));
    raft.step(hup(1));
    expect(raft.term).toBe(2);
    raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 1 }));
    expect(raft.state).toBe(StateType.Candidate);
    expect(raft.term).toBe(2);
  });

  test('[2AA] a leader that hears a higher term in any response steps down and adopts it', () => {
    for (const msgType of [MessageType.MsgHeartbeatResponse, MessageType.MsgAppendResponse, MessageType.MsgRequestVoteResponse]) {
      const raft = newTestRaft(1, [1, 2, 3]);
      raft.becomeCandidate();
      raft.becomeLeader();
      raft.step(createMessage({ msgType, from: 2, to: 1, term: 7, reject: true }));
      expect({ msgType, state: raft.state, term: raft.term }).toEqual({ msgType, state: StateType.Follower, term: 7 });
    }
  });

  test('[2AA] a voter adopts the higher term of a candidate it refuses for an outdated log', () => {
    const raft = raftWithLog(1, [1, 2, 3], [1, 2, 3], 3);
    raft.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 5, logTerm: 2, index: 9 }));
    expect(takeMessages(raft).map((m) => ({ reject: m.reject, term: m.term }))).toEqual([{ reject: true, term: 5 }]);
    expect(raft.term).toBe(5);
    expect(raft.vote).toBe(0);
  });

  test('[2AA] a candidate with an older term asking for a vote is refused and told the current term', () => {
    const raft = raftWithLog(1, [1, 2, 3], [], 4);
    raft.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 2 }));
    const replies = takeMessages(raft);
    expect(replies.map((m) => ({ type: m.msgType, reject: m.reject, term: m.term }))).toEqual([{ type: MessageType.MsgRequestVoteResponse, reject: true, term: 4 }]);
    expect(raft.vote).toBe(0);
  });

  test('[2AA] a 7-node group elects a leader with 3 nodes down and none with 4 down', () => {
    const three = newRaftNetwork([undefined, undefined, undefined, undefined, new BlackHole(), new BlackHole(), new BlackHole()]);
    three.send(hup(1));
    expect(nodeOf(three, 1).state).toBe(StateType.Leader);
    const four = newRaftNetwork([undefined, undefined, undefined, new BlackHole(), new BlackHole(), new BlackHole(), new BlackHole()]);
    four.send(hup(1));
    expect(nodeOf(four, 1).state).toBe(StateType.Candidate);
  });
});
