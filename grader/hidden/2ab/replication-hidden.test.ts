/**
 * Stage 2AB — hidden replication tests.
 *
 * Goal: the replication traps the public suite does not spell out: the Raft paper's Figure 8
 * (an old-term entry on a majority is not committed by counting), stale-term and reordered
 * responses, duplicated and delayed appends, and the randomised safety check with message
 * duplication and reordering. Method: as in the public tests.
 */
import { createEntry } from '../../../labs/common/raft/entry';
import { createMessage, MessageType } from '../../../labs/common/raft/message';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { StateType } from '../../../labs/2a-raft/src/state-type';
import {
  beat, entryData, hup, logShape, newRaftNetwork, newTestRaft, nodeOf, peerIds, propose, raftWithLog, takeMessages,
} from '../../../labs/2a-raft/test/raft-fixtures';
import { runRandomisedSafetyScenario } from '../../../labs/2a-raft/test/raft-safety-checker';

describe('[2AB] hidden replication', () => {
  test('[2AB] Figure 8: an old-term entry stored on a majority stays uncommitted until an entry of the current term is', () => {
    const network = newRaftNetwork(peerIds(5).map(() => undefined));
    network.send(hup(1));
    // Term 1: S1 replicates 'x' (2/1) to S2 only.
    network.cut(1, 3);
    network.cut(1, 4);
    network.cut(1, 5);
    network.send(propose(1, 'x'));
    network.recover();
    // Term 2: S5 wins with S3, S4 but its no-op stays local; then S5 is gone.
    network.isolate(1);
    network.isolate(2);
    network.ignore(MessageType.MsgAppend);
    network.send(hup(5));
    expect(nodeOf(network, 5).state).toBe(StateType.Leader);
    network.recover();
    network.isolate(5);
    // S1 (still leader of term 1) hears of term 2 through the answers to its heartbeats.
    network.send(beat(1));
    expect(nodeOf(network, 1).state).toBe(StateType.Follower);
    // Term 3: S1 wins and spreads only up to index 2 (the old-term entry): 4 of 5 hold it.
    network.setHook((m) => {
      if (m.msgType === MessageType.MsgAppend) m.entries = m.entries.filter((e) => e.index <= 2);
      return true;
    });
    network.send(hup(1));
    const one = nodeOf(network, 1);
    expect(one.state).toBe(StateType.Leader);
    expect(one.term).toBe(3);
    expect(one.raftLog.committed).toBe(1);
    network.recover();
    network.isolate(5);
    network.send(beat(1));
    expect(one.raftLog.committed).toBe(3);
    // S5 comes back (a deposed leader of term 2): its log ending 2/2 must never win, and it converges on S1's log.
    network.recover();
    network.send(beat(5));
    expect(nodeOf(network, 5).state).toBe(StateType.Follower);
    network.send(hup(5));
    expect(nodeOf(network, 5).state).not.toBe(StateType.Leader);
    network.send(hup(1));
    expect(one.state).toBe(StateType.Leader);
    network.send(beat(1));
    for (const id of peerIds(5)) expect({ id, data: entryData(nodeOf(network, id).raftLog.allEntries()).slice(0, 2) }).toEqual({ id, data: ['', 'x'] });
  });

  test('[2AB] an append response from an older term is ignored by the leader', () => {
    const raft = raftWithLog(1, [1, 2, 3], [1, 1], 2);
    raft.becomeCandidate();
    raft.becomeLeader();
    raft.step(createMessage({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 2, index: 3 }));
    expect(raft.prs.get(2)!.match).toBe(0);
    expect(raft.raftLog.committed).toBe(0);
  });

  test('[2AB] a reordered (older) acceptance does not move a follower match backwards', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.becomeCandidate();
    raft.becomeLeader();
    raft.step(propose(1, 'a'));
    raft.step(propose(1, 'b'));
    raft.step(createMessage({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 3 }));
    raft.step(createMessage({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 1, index: 1 }));
    expect(raft.prs.get(2)!.match).toBe(3);
    expect(raft.prs.get(2)!.next).toBe(4);
    expect(raft.raftLog.committed).toBe(3);
  });

  test('[2AB] a delayed duplicate of an older append does not cut entries a newer append added', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    const older = createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 0, logTerm: 0, entries: [createEntry({ term: 1, index: 1 })] });
    const newer = createMessage({
      msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 0, logTerm: 0,
      entries: [createEntry({ term: 1, index: 1 }), createEntry({ term: 1, index: 2 }), createEntry({ term: 1, index: 3 })],
    });
    raft.step(newer);
    raft.step(older);
    expect(logShape(raft)).toEqual(['1/1', '2/1', '3/1']);
    const replies = takeMessages(raft);
    expect(replies.map((m) => ({ reject: m.reject, index: m.index }))).toEqual([{ reject: false, index: 3 }, { reject: false, index: 1 }]);
  });

  test('[2AB] a follower never lowers its commit index, whatever an old append says', () => {
    const raft = raftWithLog(1, [1, 2, 3], [1, 1, 1], 1);
    raft.step(createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 3, logTerm: 1, commit: 3 }));
    expect(raft.raftLog.committed).toBe(3);
    raft.step(createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 1, logTerm: 1, commit: 1 }));
    expect(raft.raftLog.committed).toBe(3);
  });

  test('[2AB] a leader replicates a long backlog to a follower that was away, and it commits everything', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.send(hup(1));
    network.isolate(3);
    for (let i = 0; i < 30; i++) network.send(propose(1, `v${i}`));
    network.recover();
    network.send(beat(1));
    network.send(beat(1));
    const three = nodeOf(network, 3);
    expect(three.raftLog.lastIndex()).toBe(31);
    expect(three.raftLog.committed).toBe(31);
    expect(logShape(three)).toEqual(logShape(nodeOf(network, 1)));
  });

  test('[2AB] randomised safety holds with duplicated and reordered messages', () =>
    forEachSeed(8, (seed) =>
      runRandomisedSafetyScenario(seed, { nodeCount: seed % 2 === 0 ? 5 : 3, rounds: 120, duplicateProbability: 0.1, delayProbability: 0.1 }),
    ),
  );
});
