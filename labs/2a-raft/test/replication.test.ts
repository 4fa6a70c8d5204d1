/**
 * Stage 2AB — log replication.
 *
 * Goal: check the replication half of Raft (§5.3–5.4): how a leader sends entries, how a
 * follower checks and merges them, when an entry is committed, and that every node converges
 * on the leader's log. Method: single nodes stepped by hand (their outbox read back), small
 * groups on the deterministic test network, and a randomised safety check over seeded runs
 * with drops, partitions and ticks (see raft-safety-checker.ts for the four properties), and a
 * directed fuzz that steers a 5-node group into the hard cases: a leader cut off after
 * replicating to a minority and re-elected, split votes, and the paper's Figure 8
 * (raft-safety-fuzz.ts). The log itself is checked against a plain model under generated
 * programs of appends, conflicting merges, persists and commits (raft-log-model.ts).
 */
import { createEntry } from '../../common/raft/entry';
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import { BlackHole } from '../../common/testkit/raft-network';
import { forEachSeed } from '../../common/testkit/seeds';
import { MemoryStorage } from '../src/storage';
import { NONE, StateType } from '../src/state-type';
import type { Raft } from '../src/raft';
import {
  beat, entriesWithTerms, entryData, hup, logShape, newRaftNetwork, newTestRaft, nodeOf, peerIds, propose, raftWithLog, takeMessages,
} from './raft-fixtures';
import { runRandomisedSafetyScenario } from './raft-safety-checker';
import { runSafetyFuzz, type FuzzEventCounts } from './raft-safety-fuzz';
import { checkRaftLog } from './raft-log-model';

/** A node that has just won an election (term 1) in a group of `size`, outbox emptied. */
function newLeader(size: number): Raft {
  const raft = newTestRaft(1, peerIds(size));
  raft.becomeCandidate();
  raft.becomeLeader();
  takeMessages(raft);
  return raft;
}

/** The answer a follower gives to an append that matched up to `index`. */
function appendAccepted(from: number, term: number, index: number): Message {
  return createMessage({ msgType: MessageType.MsgAppendResponse, from, to: 1, term, index });
}

/** A MsgAppend from leader 2 to node 1. */
function appendFromLeader(fields: { term: number; logTerm: number; index: number; commit: number; entryTerms?: number[] }): Message {
  const entries = (fields.entryTerms ?? []).map((term, i) => createEntry({ term, index: fields.index + 1 + i }));
  return createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: fields.term, logTerm: fields.logTerm, index: fields.index, commit: fields.commit, entries });
}

describe('[2AB] the leader', () => {
  test('[2AB] a new leader appends a no-op entry of its term and sends it to every follower', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.becomeCandidate();
    raft.becomeLeader();
    expect(logShape(raft)).toEqual(['1/1']);
    expect(entryData(raft.raftLog.allEntries())).toEqual(['']);
    const appends = takeMessages(raft);
    expect(appends.map((m) => `${m.msgType}->${m.to} prev:${m.index}/${m.logTerm} entries:${m.entries.map((e) => `${e.index}/${e.term}`)}`).sort()).toEqual([
      'MsgAppend->2 prev:0/0 entries:1/1',
      'MsgAppend->3 prev:0/0 entries:1/1',
    ]);
  });

  test('[2AB] a proposal is appended with the leader term and the next index and sent with the previous entry and the commit index', () => {
    const raft = newLeader(3);
    raft.step(propose(1, 'some data'));
    expect(raft.raftLog.lastIndex()).toBe(2);
    const appends = takeMessages(raft).sort((a, b) => a.to - b.to);
    expect(appends.map((m) => ({ to: m.to, type: m.msgType, term: m.term, index: m.index, logTerm: m.logTerm, commit: m.commit }))).toEqual([
      { to: 2, type: MessageType.MsgAppend, term: 1, index: 0, logTerm: 0, commit: 0 },
      { to: 3, type: MessageType.MsgAppend, term: 1, index: 0, logTerm: 0, commit: 0 },
    ]);
    expect(entryData(appends[0].entries)).toEqual(['', 'some data']);
    expect(appends[0].entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1', '2/1']);
  });

  test('[2AB] the leader commits an entry once a majority stores it, then tells followers the new commit index', () => {
    const raft = newLeader(3);
    raft.step(propose(1, 'x'));
    takeMessages(raft);
    raft.step(appendAccepted(2, 1, 2));
    expect(raft.raftLog.committed).toBe(2);
    const updates = takeMessages(raft);
    expect(updates.map((m) => `${m.msgType}->${m.to} commit:${m.commit}`).sort()).toEqual(['MsgAppend->2 commit:2', 'MsgAppend->3 commit:2']);
  });

  test('[2AB] commit needs acknowledgements from a majority, the leader counted', () => {
    const cases = [
      { size: 1, acks: [], committed: true },
      { size: 3, acks: [], committed: false },
      { size: 3, acks: [2], committed: true },
      { size: 5, acks: [2], committed: false },
      { size: 5, acks: [2, 3], committed: true },
      { size: 4, acks: [2], committed: false },
      { size: 4, acks: [2, 3], committed: true },
    ];
    for (const c of cases) {
      const raft = newLeader(c.size);
      raft.step(propose(1, 'x'));
      for (const from of c.acks) raft.step(appendAccepted(from, 1, 2));
      const context = `${c.size} nodes, acknowledged by [${c.acks}]`;
      expect({ context, committed: raft.raftLog.committed }).toEqual({ context, committed: c.committed ? 2 : c.size === 1 ? 2 : 0 });
    }
  });

  test('[2AB] committing an entry commits every entry before it, including entries of earlier terms', () => {
    for (const previous of [[], [2], [1, 1], [1, 2]]) {
      const raft = raftWithLog(1, [1, 2, 3], previous, 2);
      raft.becomeCandidate();
      raft.becomeLeader();
      raft.step(propose(1, 'x'));
      takeMessages(raft);
      raft.step(appendAccepted(2, 3, previous.length + 2));
      const context = `earlier log terms [${previous}]`;
      expect({ context, committed: raft.raftLog.committed, nextEnts: raft.raftLog.nextEnts().length }).toEqual({
        context,
        committed: previous.length + 2,
        nextEnts: previous.length + 2,
      });
    }
  });

  test('[2AB] a leader commits entries of an earlier term only through an entry of its own term', () => {
    // The leader (term 3) inherits entries of terms 1 and 2 and its no-op is at index 3.
    const cases = [
      { matchIndex: 1, committed: 0 },
      { matchIndex: 2, committed: 0 },
      { matchIndex: 3, committed: 3 },
    ];
    for (const c of cases) {
      const raft = raftWithLog(1, [1, 2, 3], [1, 2], 2);
      raft.becomeCandidate();
      raft.becomeLeader();
      takeMessages(raft);
      raft.step(appendAccepted(2, 3, c.matchIndex));
      expect({ match: c.matchIndex, committed: raft.raftLog.committed }).toEqual({ match: c.matchIndex, committed: c.committed });
    }
  });

  test('[2AB] the leader tracks each follower: match and next move with acknowledged appends', () => {
    const raft = newLeader(2);
    expect({ match: raft.prs.get(1)!.match, next: raft.prs.get(1)!.next }).toEqual({ match: 1, next: 2 });
    for (let i = 0; i < 5; i++) {
      raft.step(propose(1, `p${i}`));
      const own = raft.prs.get(1)!;
      expect({ match: own.match, next: own.next }).toEqual({ match: i + 2, next: i + 3 });
    }
    raft.step(appendAccepted(2, 1, 6));
    expect({ match: raft.prs.get(2)!.match, next: raft.prs.get(2)!.next }).toEqual({ match: 6, next: 7 });
  });

  test('[2AB] a heartbeat carries a commit index no higher than what the follower is known to match', () => {
    const raft = newLeader(3);
    raft.step(propose(1, 'a'));
    raft.step(propose(1, 'b'));
    raft.step(appendAccepted(2, 1, 3));
    expect(raft.raftLog.committed).toBe(3);
    takeMessages(raft);
    raft.step(beat(1));
    const heartbeats = takeMessages(raft).sort((a, b) => a.to - b.to);
    expect(heartbeats.map((m) => `${m.msgType}->${m.to} commit:${m.commit}`)).toEqual(['MsgHeartbeat->2 commit:3', 'MsgHeartbeat->3 commit:0']);
  });

  test('[2AB] a heartbeat answer from a follower that lags makes the leader send it the missing entries', () => {
    const raft = newLeader(3);
    raft.step(propose(1, 'a'));
    takeMessages(raft);
    raft.step(createMessage({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: 1 }));
    const sent = takeMessages(raft);
    expect(sent.map((m) => `${m.msgType}->${m.to}`)).toEqual(['MsgAppend->2']);
    expect(sent[0].entries.length).toBeGreaterThan(0);
  });

  test('[2AB] a refused append makes the leader back off next and retry with earlier entries', () => {
    const raft = raftWithLog(1, [1, 2], [1, 1, 1], 1);
    raft.becomeCandidate();
    raft.becomeLeader();
    takeMessages(raft);
    expect(raft.prs.get(2)!.next).toBe(4);
    // The follower's log is empty: it refuses and hints that its last index is 0.
    raft.step(createMessage({ msgType: MessageType.MsgAppendResponse, from: 2, to: 1, term: 2, reject: true, index: 0 }));
    const retry = takeMessages(raft);
    expect(retry).toHaveLength(1);
    expect(retry[0].index).toBeLessThan(3);
    expect(raft.prs.get(2)!.next).toBeLessThan(4);
  });
});

describe('[2AB] the follower', () => {
  test('[2AB] a follower refuses an append whose previous entry it does not hold with the same term', () => {
    // The follower's log: 1/1 2/2.
    const cases = [
      { index: 0, logTerm: 0, reject: false },
      { index: 1, logTerm: 1, reject: false },
      { index: 2, logTerm: 2, reject: false },
      { index: 1, logTerm: 2, reject: true },
      { index: 3, logTerm: 3, reject: true },
      { index: 2, logTerm: 1, reject: true },
    ];
    for (const c of cases) {
      const raft = raftWithLog(1, [1, 2, 3], [1, 2], 2);
      raft.step(appendFromLeader({ term: 2, logTerm: c.logTerm, index: c.index, commit: 1 }));
      const replies = takeMessages(raft);
      const context = `append with previous entry ${c.index}/${c.logTerm}`;
      expect({ context, replies: replies.map((m) => `${m.msgType}->${m.to} reject:${m.reject}`) }).toEqual({
        context,
        replies: [`MsgAppendResponse->2 reject:${c.reject}`],
      });
    }
  });

  test('[2AB] a follower appends new entries and replaces a conflicting tail, keeping matching entries', () => {
    const cases = [
      { prev: [2, 2], entryTerms: [3], shape: ['1/1', '2/2', '3/3'], unstableFrom: 3 },
      { prev: [1, 1], entryTerms: [2, 4], shape: ['1/1', '2/2', '3/4'], unstableFrom: 3 },
      { prev: [0, 0], entryTerms: [1], shape: ['1/1', '2/2'], unstableFrom: 3 },
      { prev: [0, 0], entryTerms: [3], shape: ['1/3'], unstableFrom: 1 },
      { prev: [1, 1], entryTerms: [2], shape: ['1/1', '2/2'], unstableFrom: 3 },
    ];
    for (const c of cases) {
      const raft = raftWithLog(1, [1, 2, 3], [1, 2], 2);
      raft.step(appendFromLeader({ term: 4, index: c.prev[0], logTerm: c.prev[1], commit: 0, entryTerms: c.entryTerms }));
      const context = `log [1/1 2/2] receives ${c.entryTerms} after ${c.prev[0]}/${c.prev[1]}`;
      expect({ context, shape: logShape(raft) }).toEqual({ context, shape: c.shape });
      expect({ context, unstable: raft.raftLog.unstableEntries().map((e) => e.index) }).toEqual({
        context,
        unstable: raft.raftLog.allEntries().map((e) => e.index).filter((i) => i >= c.unstableFrom),
      });
    }
  });

  test('[2AB] a follower commits up to the leader commit but never past the last entry the append vouches for', () => {
    const cases = [
      // follower log 1/1 2/2 3/2, commit 1
      { append: { index: 3, logTerm: 2, commit: 3, entryTerms: [] }, committed: 3, lastIndex: 3 },
      { append: { index: 3, logTerm: 2, commit: 4, entryTerms: [2] }, committed: 4, lastIndex: 4 },
      { append: { index: 1, logTerm: 1, commit: 3, entryTerms: [] }, committed: 1, lastIndex: 3 },
      { append: { index: 1, logTerm: 1, commit: 4, entryTerms: [2] }, committed: 2, lastIndex: 3 },
      { append: { index: 0, logTerm: 0, commit: 1, entryTerms: [] }, committed: 1, lastIndex: 3 },
      { append: { index: 2, logTerm: 2, commit: 2, entryTerms: [] }, committed: 2, lastIndex: 3 },
      { append: { index: 4, logTerm: 2, commit: 3, entryTerms: [] }, committed: 1, lastIndex: 3 },
    ];
    for (const c of cases) {
      const storage = new MemoryStorage(entriesWithTerms([1, 2, 2]));
      storage.setHardState({ term: 2, vote: 0, commit: 1 });
      const raft = newTestRaft(1, [1, 2, 3], storage);
      raft.step(appendFromLeader({ term: 2, ...c.append }));
      const context = `append ${JSON.stringify(c.append)}`;
      expect({ context, committed: raft.raftLog.committed, lastIndex: raft.raftLog.lastIndex() }).toEqual({ context, committed: c.committed, lastIndex: c.lastIndex });
    }
  });

  test('[2AB] a follower answers a successful append with the index of the last entry it now matches', () => {
    const raft = raftWithLog(1, [1, 2, 3], [1, 1, 1, 1], 1);
    raft.step(appendFromLeader({ term: 1, index: 1, logTerm: 1, commit: 0, entryTerms: [1] }));
    const reply = takeMessages(raft);
    expect(reply.map((m) => ({ type: m.msgType, reject: m.reject, index: m.index, term: m.term }))).toEqual([
      { type: MessageType.MsgAppendResponse, reject: false, index: 2, term: 1 },
    ]);
    expect(raft.raftLog.lastIndex()).toBe(4);
  });

  test('[2AB] a heartbeat advances a follower commit index and is answered with MsgHeartbeatResponse', () => {
    const storage = new MemoryStorage(entriesWithTerms([1, 2, 3]));
    storage.setHardState({ term: 3, vote: 0, commit: 1 });
    const raft = newTestRaft(1, [1, 2], storage);
    raft.step(createMessage({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 3, commit: 3 }));
    expect(raft.raftLog.committed).toBe(3);
    raft.step(createMessage({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 3, commit: 2 }));
    expect(raft.raftLog.committed).toBe(3);
    expect(takeMessages(raft).map((m) => `${m.msgType}->${m.to}`)).toEqual(['MsgHeartbeatResponse->2', 'MsgHeartbeatResponse->2']);
  });

  test('[2AB] a message from an older term changes nothing on the receiver', () => {
    const raft = raftWithLog(1, [1, 2, 3], [1, 2, 3], 3);
    raft.step(appendFromLeader({ term: 2, index: 3, logTerm: 3, commit: 3, entryTerms: [2] }));
    expect(raft.term).toBe(3);
    expect(logShape(raft)).toEqual(['1/1', '2/2', '3/3']);
    expect(raft.raftLog.committed).toBe(0);
  });

  test('[2AB] proposals to a follower are forwarded to its leader; without a leader they are dropped', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.send(hup(1));
    network.send(propose(2, 'via follower'));
    for (const id of [1, 2, 3]) expect({ node: id, data: entryData(nodeOf(network, id).raftLog.allEntries()) }).toEqual({ node: id, data: ['', 'via follower'] });
    expect(nodeOf(network, 1).raftLog.committed).toBe(2);

    const lonely = newTestRaft(1, [1, 2, 3]);
    expect(() => lonely.step(propose(1, 'lost'))).toThrow();
    expect(lonely.raftLog.lastIndex()).toBe(0);
    lonely.becomeCandidate();
    expect(() => lonely.step(propose(1, 'lost'))).toThrow();
    expect(lonely.raftLog.lastIndex()).toBe(0);
  });
});

describe('[2AB] replication on a network', () => {
  test('[2AB] proposals commit on every node of a healthy group, and a new leader keeps them', () => {
    for (const size of [3, 5]) {
      const network = newRaftNetwork(peerIds(size).map(() => undefined));
      network.send(hup(1));
      network.send(propose(1, 'one'));
      network.send(hup(2));
      network.send(propose(2, 'two'));
      for (const id of peerIds(size)) {
        const node = nodeOf(network, id);
        const context = `${size} nodes, node ${id}`;
        expect({ context, committed: node.raftLog.committed, data: entryData(node.raftLog.allEntries()) }).toEqual({
          context,
          committed: 4,
          data: ['', 'one', '', 'two'],
        });
      }
    }
  });

  test('[2AB] a single-node group commits its proposals immediately', () => {
    const network = newRaftNetwork([undefined]);
    network.send(hup(1));
    network.send(propose(1, 'a'));
    network.send(propose(1, 'b'));
    expect(nodeOf(network, 1).raftLog.committed).toBe(3);
  });

  test('[2AB] proposals reach a majority while one node is down, and the node catches up when it returns', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.send(hup(1));
    network.isolate(3);
    network.send(propose(1, 'while 3 is away'));
    expect(nodeOf(network, 1).raftLog.committed).toBe(2);
    expect(nodeOf(network, 3).raftLog.lastIndex()).toBe(1);
    network.recover();
    network.send(beat(1));
    expect(logShape(nodeOf(network, 3))).toEqual(logShape(nodeOf(network, 1)));
    expect(nodeOf(network, 3).raftLog.committed).toBe(2);
  });

  test('[2AB] the leader brings followers with missing, extra or conflicting entries in line with its log (paper figure 7)', () => {
    const leaderTerms = [1, 1, 1, 4, 4, 5, 5, 6, 6, 6];
    const followers = [
      [1, 1, 1, 4, 4, 5, 5, 6, 6],
      [1, 1, 1, 4],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6],
      [1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7],
      [1, 1, 1, 4, 4, 4, 4],
      [1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3],
    ];
    for (const followerTerms of followers) {
      const leader = raftWithLog(1, [1, 2, 3], leaderTerms, 8);
      const follower = raftWithLog(2, [1, 2, 3], followerTerms, 7);
      const network = newRaftNetwork([leader, follower, new BlackHole()]);
      network.send(hup(1));
      // Node 3 is a black hole; its vote is forged so that node 1 wins whatever node 2 answers.
      network.send(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 3, to: 1, term: 9 }));
      network.send(propose(1, 'sync'));
      const context = `follower log terms [${followerTerms}]`;
      expect({ context, leader: leader.state }).toEqual({ context, leader: StateType.Leader });
      expect({ context, shape: logShape(follower) }).toEqual({ context, shape: logShape(leader) });
      expect({ context, committed: follower.raftLog.committed }).toEqual({ context, committed: leader.raftLog.committed });
    }
  });

  test('[2AB] a new leader overwrites a follower entries from a term it never saw', () => {
    // Node 1 holds an entry of term 1, node 2 one of term 2 (neither committed); nodes 3-5 hold nothing and voted for 3 in term 2.
    const votedForThree = (id: number): Raft => {
      const storage = new MemoryStorage();
      storage.setHardState({ term: 2, vote: 3, commit: 0 });
      return newTestRaft(id, peerIds(5), storage);
    };
    const nodes = [raftWithLog(1, peerIds(5), [1], 1), raftWithLog(2, peerIds(5), [2], 2), ...[3, 4, 5].map(votedForThree)];
    const network = newRaftNetwork(nodes);
    network.send(hup(1));
    // Node 1's first election (term 2) fails: its vote requests meet voters already in term 2.
    expect(nodes[0].state).toBe(StateType.Follower);
    expect(nodes[0].term).toBe(2);
    network.send(hup(1));
    expect(nodes[0].state).toBe(StateType.Leader);
    expect(nodes[0].term).toBe(3);
    for (const node of nodes) expect({ id: node.id, shape: logShape(node) }).toEqual({ id: node.id, shape: ['1/1', '2/3'] });
  });

  test('[2AB] entries of an old term cannot commit by counting until the new leader commits an entry of its own term', () => {
    const network = newRaftNetwork([undefined, undefined, undefined, undefined, undefined]);
    network.send(hup(1));
    // Only node 2 hears node 1's next proposals: 2 of 5, not committed.
    network.cut(1, 3);
    network.cut(1, 4);
    network.cut(1, 5);
    network.send(propose(1, 'a'));
    network.send(propose(1, 'b'));
    expect(nodeOf(network, 1).raftLog.committed).toBe(1);
    network.recover();
    // Node 2 has the longest log and wins term 2; its no-op commits 'a' and 'b' along with it.
    network.ignore(MessageType.MsgAppend);
    network.send(hup(2));
    const two = nodeOf(network, 2);
    expect(two.state).toBe(StateType.Leader);
    expect(two.raftLog.committed).toBe(1);
    network.recover();
    network.send(beat(2));
    expect(two.raftLog.committed).toBe(4);
    for (const id of peerIds(5)) expect({ id, data: entryData(nodeOf(network, id).raftLog.allEntries()) }).toEqual({ id, data: ['', 'a', 'b', ''] });
  });

  test('[2AB] a node restarted from its storage keeps its term, vote and commit index', () => {
    const storage = new MemoryStorage(entriesWithTerms([1, 1, 2]));
    storage.setHardState({ term: 2, vote: 3, commit: 2 });
    const raft = newTestRaft(1, [1, 2, 3], storage);
    expect({ term: raft.term, vote: raft.vote, committed: raft.raftLog.committed, lastIndex: raft.raftLog.lastIndex(), state: raft.state, lead: raft.lead }).toEqual({
      term: 2,
      vote: 3,
      committed: 2,
      lastIndex: 3,
      state: StateType.Follower,
      lead: NONE,
    });
    raft.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 2, logTerm: 9, index: 9 }));
    expect(takeMessages(raft).map((m) => m.reject)).toEqual([true]);
  });

  test('[2AB] randomised safety: one leader per term, matching logs, complete leaders, committed entries never change', () =>
    forEachSeed(12, (seed) => runRandomisedSafetyScenario(seed, { nodeCount: seed % 2 === 0 ? 3 : 5, rounds: 120 })),
  );
});

describe('[2AB] the Raft log, model-based', () => {
  test('[2AB] appends, conflicting merges, persists and commits keep every read of the log equal to a plain model', () =>
    forEachSeed(3, (seed) => checkRaftLog(seed, 60)),
  );
});

/** Episodes per fuzz seed: three of each kind (see raft-safety-fuzz.ts). */
const FUZZ_EPISODES = 12;
/** One fuzz run per seed, shared by the two tests below (the second reads what the first reached). */
const fuzzRuns = new Map<number, FuzzEventCounts>();
function fuzzCounts(seed: number): FuzzEventCounts {
  let counts = fuzzRuns.get(seed);
  if (counts === undefined) fuzzRuns.set(seed, (counts = runSafetyFuzz(seed, { episodes: FUZZ_EPISODES })));
  return counts;
}

describe('[2AB] directed safety fuzz', () => {
  test('[2AB] a leader cut off with a minority, split votes and Figure 8 schedules keep one vote per term and the four safety properties', () =>
    forEachSeed(6, (seed) => {
      fuzzCounts(seed);
    }),
  );

  test('[2AB] the directed fuzz reaches its hard cases: a re-elected minority leader, a split vote and a Figure 8 moment', async () => {
    const perSeed: string[] = [];
    const totals = { minorityLeaderReelected: 0, splitVotes: 0, figure8: 0 };
    await forEachSeed(6, (seed) => {
      const counts = fuzzCounts(seed);
      perSeed.push(`seed ${seed}: ${JSON.stringify(counts)}`);
      totals.minorityLeaderReelected += counts.minorityLeaderReelected;
      totals.splitVotes += counts.splitVotes;
      totals.figure8 += counts.figure8;
    });
    // Zero would mean the fuzz silently stopped reaching a case (a schedule broke), not that Raft is wrong.
    const context = `hard cases reached per seed (labs/2a-raft/test/raft-safety-fuzz.ts):\n${perSeed.join('\n')}`;
    expect({ context, reached: { minorityLeaderReelected: totals.minorityLeaderReelected > 0, splitVotes: totals.splitVotes > 0, figure8: totals.figure8 > 0 } }).toEqual({
      context,
      reached: { minorityLeaderReelected: true, splitVotes: true, figure8: true },
    });
  });
});
