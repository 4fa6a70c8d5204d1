/**
 * Stage 2AA — leader election.
 *
 * Goal: check the election half of Raft (§5.2 of the paper): timeouts, terms, votes, the
 * three roles and the moves between them. Method: single nodes are stepped by hand with
 * messages and their outbox is read back; groups run on the deterministic test network
 * (labs/common/testkit/raft-network.ts), where time moves only by tick and faults are
 * explicit. Randomised parts draw from seeded generators and print their seed on failure. A
 * directed fuzz (raft-safety-fuzz.ts, split-vote waves only) checks one vote per node per term
 * and at most one leader per term through late, lost and reordered vote traffic.
 */
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import { createRng } from '../../common/runtime/rng';
import { BlackHole } from '../../common/testkit/raft-network';
import { forEachSeed } from '../../common/testkit/seeds';
import { MemoryStorage } from '../src/storage';
import { NONE, StateType } from '../src/state-type';
import type { Raft } from '../src/raft';
import {
  beat, ELECTION_TICK, hup, newRaftNetwork, newTestRaft, nodeOf, peerIds, propose, raftWithLog, takeMessages,
} from './raft-fixtures';
import { runSafetyFuzz } from './raft-safety-fuzz';

/** Ticks a node until its outbox is not empty (at most `limit` ticks); returns how many ticks it took. */
function ticksUntilItSpeaks(raft: Raft, limit: number): number {
  for (let ticks = 1; ticks <= limit; ticks++) {
    raft.tick();
    if (raft.msgs.length > 0) return ticks;
  }
  throw new Error(`Node ${raft.id} stayed silent for ${limit} ticks: its election timer never fired.`);
}

/** The (type, to) of each message, sorted, for comparisons that do not care about order. */
function sentTo(messages: readonly Message[]): string[] {
  return messages.map((m) => `${m.msgType}->${m.to}`).sort();
}

describe('[2AA] a single node', () => {
  test('[2AA] a new node starts as a follower in term 0 with no vote and no leader', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    expect(raft.state).toBe(StateType.Follower);
    expect(raft.term).toBe(0);
    expect(raft.vote).toBe(NONE);
    expect(raft.lead).toBe(NONE);
  });

  test('[2AA] a follower that hears nothing for its election timeout campaigns: new term, self vote, MsgRequestVote to every peer', () => {
    const raft = raftWithLog(1, [1, 2, 3], [1, 1], 1);
    raft.tick();
    for (let i = 0; i < 2 * ELECTION_TICK; i++) raft.tick();
    expect(raft.state).toBe(StateType.Candidate);
    expect(raft.term).toBe(2);
    expect(raft.vote).toBe(1);
    expect(raft.votes.get(1)).toBe(true);
    const requests = takeMessages(raft);
    expect(sentTo(requests)).toEqual(['MsgRequestVote->2', 'MsgRequestVote->3']);
    for (const request of requests) {
      // `to` on both sides names the request that differs.
      expect({ to: request.to, term: request.term, index: request.index, logTerm: request.logTerm, from: request.from }).toEqual({ to: request.to, term: 2, index: 2, logTerm: 1, from: 1 });
    }
  });

  test('[2AA] a candidate that times out without a result starts a new election in the next term', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.becomeCandidate();
    takeMessages(raft);
    for (let i = 0; i < 2 * ELECTION_TICK; i++) raft.tick();
    expect(raft.state).toBe(StateType.Candidate);
    expect(raft.term).toBe(2);
    expect(sentTo(takeMessages(raft))).toEqual(['MsgRequestVote->2', 'MsgRequestVote->3']);
  });

  test('[2AA] a single-node group elects itself at its first election timeout', () => {
    const raft = newTestRaft(1, [1]);
    for (let i = 0; i < 2 * ELECTION_TICK; i++) raft.tick();
    expect(raft.state).toBe(StateType.Leader);
    expect(raft.lead).toBe(1);
    expect(raft.term).toBe(1);
  });

  test('[2AA] a leader broadcasts a MsgHeartbeat to every follower each heartbeat timeout', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.becomeCandidate();
    raft.becomeLeader();
    takeMessages(raft);
    raft.tick();
    const heartbeats = takeMessages(raft);
    expect(sentTo(heartbeats)).toEqual(['MsgHeartbeat->2', 'MsgHeartbeat->3']);
    for (const heartbeat of heartbeats) expect({ to: heartbeat.to, term: heartbeat.term }).toEqual({ to: heartbeat.to, term: 1 });
  });

  test('[2AA] MsgBeat makes a leader send heartbeats and is ignored by followers and candidates', () => {
    const leader = newTestRaft(1, [1, 2, 3]);
    leader.becomeCandidate();
    leader.becomeLeader();
    takeMessages(leader);
    leader.step(beat(1));
    expect(sentTo(takeMessages(leader))).toEqual(['MsgHeartbeat->2', 'MsgHeartbeat->3']);
    const follower = newTestRaft(1, [1, 2, 3]);
    follower.step(beat(1));
    expect(takeMessages(follower)).toEqual([]);
    const candidate = newTestRaft(1, [1, 2, 3]);
    candidate.becomeCandidate();
    candidate.step(beat(1));
    expect(takeMessages(candidate)).toEqual([]);
  });

  test('[2AA] MsgHup on a leader is ignored: it does not start a new election', () => {
    const raft = newTestRaft(1, [1]);
    raft.step(hup(1));
    expect(raft.state).toBe(StateType.Leader);
    const term = raft.term;
    raft.step(hup(1));
    expect(raft.state).toBe(StateType.Leader);
    expect(raft.term).toBe(term);
  });
});

describe('[2AA] terms', () => {
  const roles = ['Follower', 'Candidate', 'Leader'] as const;
  function nodeIn(role: (typeof roles)[number]): Raft {
    const raft = newTestRaft(1, [1, 2, 3]);
    if (role !== 'Follower') raft.becomeCandidate();
    if (role === 'Leader') raft.becomeLeader();
    takeMessages(raft);
    return raft;
  }

  test.each(roles)('[2AA] a %s that sees a message with a higher term becomes a follower in that term', (role) => {
    const raft = nodeIn(role);
    raft.step(createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 5 }));
    expect(raft.state).toBe(StateType.Follower);
    expect(raft.term).toBe(5);
    expect(raft.lead).toBe(2);
  });

  test('[2AA] every role steps down on a higher-term MsgRequestVote (no leader known) or MsgAppend (leader known)', () => {
    for (const role of roles) {
      for (const msgType of [MessageType.MsgRequestVote, MessageType.MsgAppend]) {
        const raft = nodeIn(role);
        raft.step(createMessage({ msgType, from: 2, to: 1, term: 3, logTerm: 3, index: 5 }));
        const context = `${role} receiving ${msgType} of term 3`;
        expect({ context, state: raft.state, term: raft.term }).toEqual({ context, state: StateType.Follower, term: 3 });
        expect({ context, lead: raft.lead }).toEqual({ context, lead: msgType === MessageType.MsgAppend ? 2 : NONE });
      }
    }
  });

  test('[2AA] role changes follow the rules: follower cannot jump to leader, leader cannot become candidate', () => {
    const follower = newTestRaft(1, [1, 2, 3]);
    expect(() => follower.becomeLeader()).toThrow();
    const leader = newTestRaft(1, [1, 2, 3]);
    leader.becomeCandidate();
    leader.becomeLeader();
    expect(() => leader.becomeCandidate()).toThrow();
    const candidate = newTestRaft(1, [1, 2, 3]);
    candidate.becomeCandidate();
    expect({ state: candidate.state, term: candidate.term, lead: candidate.lead }).toEqual({ state: StateType.Candidate, term: 1, lead: NONE });
    candidate.becomeFollower(4, 2);
    expect({ state: candidate.state, term: candidate.term, lead: candidate.lead }).toEqual({ state: StateType.Follower, term: 4, lead: 2 });
    leader.becomeFollower(3, 2);
    expect({ state: leader.state, term: leader.term, lead: leader.lead }).toEqual({ state: StateType.Follower, term: 3, lead: 2 });
  });

  test('[2AA] a candidate that gets MsgHeartbeat from a leader of its own term becomes its follower', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.becomeCandidate();
    raft.step(createMessage({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: raft.term }));
    expect({ state: raft.state, term: raft.term, lead: raft.lead }).toEqual({ state: StateType.Follower, term: 1, lead: 2 });
  });

  test('[2AA] a candidate that gets MsgAppend from a leader of its own term becomes its follower', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.becomeCandidate();
    raft.step(createMessage({ msgType: MessageType.MsgAppend, from: 3, to: 1, term: raft.term }));
    expect({ state: raft.state, term: raft.term, lead: raft.lead }).toEqual({ state: StateType.Follower, term: 1, lead: 3 });
  });
});

describe('[2AA] votes', () => {
  test('[2AA] a candidate wins exactly when a majority (itself included) grants its vote', () => {
    const cases: Array<{ size: number; grants: number[]; rejects: number[]; state: StateType }> = [
      { size: 1, grants: [], rejects: [], state: StateType.Leader },
      { size: 3, grants: [2, 3], rejects: [], state: StateType.Leader },
      { size: 3, grants: [2], rejects: [], state: StateType.Leader },
      { size: 5, grants: [2, 3, 4, 5], rejects: [], state: StateType.Leader },
      { size: 5, grants: [2, 3], rejects: [], state: StateType.Leader },
      { size: 3, grants: [], rejects: [], state: StateType.Candidate },
      { size: 5, grants: [2], rejects: [], state: StateType.Candidate },
      { size: 5, grants: [2], rejects: [3, 4], state: StateType.Candidate },
      { size: 3, grants: [], rejects: [2, 3], state: StateType.Follower },
      { size: 5, grants: [], rejects: [2, 3, 4], state: StateType.Follower },
    ];
    for (const c of cases) {
      const raft = newTestRaft(1, peerIds(c.size));
      raft.step(hup(1));
      for (const from of c.grants) raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from, to: 1, term: 1 }));
      for (const from of c.rejects) raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from, to: 1, term: 1, reject: true }));
      const context = `${c.size} nodes, grants from [${c.grants}], refusals from [${c.rejects}]`;
      expect({ context, state: raft.state, term: raft.term }).toEqual({ context, state: c.state, term: 1 });
    }
  });

  test('[2AA] a follower votes for at most one candidate per term, first come first served', () => {
    const cases = [
      { vote: NONE, from: 2, reject: false },
      { vote: NONE, from: 3, reject: false },
      { vote: 2, from: 2, reject: false },
      { vote: 3, from: 3, reject: false },
      { vote: 2, from: 3, reject: true },
      { vote: 3, from: 2, reject: true },
    ];
    for (const c of cases) {
      const raft = newTestRaft(1, [1, 2, 3]);
      raft.term = 1;
      raft.vote = c.vote;
      raft.step(createMessage({ msgType: MessageType.MsgRequestVote, from: c.from, to: 1, term: 1 }));
      const replies = takeMessages(raft);
      const context = `already voted for ${c.vote}, request from ${c.from}`;
      expect({ context, replies: replies.map((m) => ({ type: m.msgType, to: m.to, term: m.term, reject: m.reject })) }).toEqual({
        context,
        replies: [{ type: MessageType.MsgRequestVoteResponse, to: c.from, term: 1, reject: c.reject }],
      });
    }
  });

  test('[2AA] a vote is granted only to a candidate whose log is at least as up to date (last term, then length)', () => {
    // The voter's log ends with term 2 at index 2.
    const cases = [
      { logTerm: 0, index: 0, reject: true },
      { logTerm: 1, index: 3, reject: true },
      { logTerm: 2, index: 1, reject: true },
      { logTerm: 2, index: 2, reject: false },
      { logTerm: 2, index: 3, reject: false },
      { logTerm: 3, index: 1, reject: false },
    ];
    for (const c of cases) {
      for (const role of ['Follower', 'Candidate'] as const) {
        const raft = raftWithLog(1, [1, 2], [1, 2], 2);
        if (role === 'Candidate') raft.becomeCandidate();
        // The request comes from a newer term, so every role becomes a follower and may vote.
        raft.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: raft.term + 1, logTerm: c.logTerm, index: c.index }));
        const reply = takeMessages(raft).filter((m) => m.msgType === MessageType.MsgRequestVoteResponse);
        const context = `${role} with log [1/1, 2/2] asked by a candidate whose log ends at ${c.index}/${c.logTerm}`;
        expect({ context, reject: reply.map((m) => m.reject) }).toEqual({ context, reject: [c.reject] });
      }
    }
  });

  test('[2AA] a node in any role grants a higher-term vote it can give and becomes a follower in that term', () => {
    for (const role of ['Follower', 'Candidate', 'Leader'] as const) {
      const raft = newTestRaft(1, [1, 2, 3]);
      if (role !== 'Follower') raft.becomeCandidate();
      if (role === 'Leader') raft.becomeLeader();
      takeMessages(raft);
      raft.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: raft.term + 1, logTerm: raft.term + 1, index: 42 }));
      const replies = takeMessages(raft);
      const context = `${role} asked for a vote in a newer term`;
      expect({ context, state: raft.state, vote: raft.vote, reject: replies.map((m) => m.reject) }).toEqual({
        context,
        state: StateType.Follower,
        vote: 2,
        reject: [false],
      });
    }
  });

  test('[2AA] a follower that grants a vote restarts its election timer, so it does not campaign right after voting', () => {
    // Same-term request: no term change resets the timer for us, only the vote itself may.
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.term = 1;
    for (let i = 0; i < raft.randomizedElectionTimeout - 1; i++) raft.tick();
    takeMessages(raft);
    raft.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 1, logTerm: 0, index: 0 }));
    expect(takeMessages(raft).map((m) => ({ type: m.msgType, reject: m.reject }))).toEqual([{ type: MessageType.MsgRequestVoteResponse, reject: false }]);
    raft.tick();
    const context = 'one tick after granting a vote, a tick before its old timeout would have fired';
    expect({ context, state: raft.state, term: raft.term, voteRequests: takeMessages(raft).filter((m) => m.msgType === MessageType.MsgRequestVote).length }).toEqual({
      context,
      state: StateType.Follower,
      term: 1,
      voteRequests: 0,
    });
  });

  test('[2AA] a candidate and a leader refuse a vote request of their own term (they voted for themselves)', () => {
    const candidate = newTestRaft(1, [1, 2, 3]);
    candidate.becomeCandidate();
    takeMessages(candidate);
    candidate.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 1, logTerm: 5, index: 5 }));
    expect(takeMessages(candidate).map((m) => m.reject)).toEqual([true]);
    const leader = newTestRaft(1, [1, 2, 3]);
    leader.becomeCandidate();
    leader.becomeLeader();
    takeMessages(leader);
    leader.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 1, logTerm: 5, index: 5 }));
    expect(takeMessages(leader).map((m) => m.reject)).toEqual([true]);
    expect(leader.state).toBe(StateType.Leader);
  });

  test('[2AA] a node never votes twice in one term: a candidate that steps down in the same term keeps its vote for itself', () => {
    // Node 1 campaigns in term 1 (voting for itself), then steps down without the term changing:
    // the vote it cast in term 1 still stands, so candidate 3 of term 1 must be refused.
    const stepDowns: Array<{ how: string; message: Message | undefined; refusals: number[] }> = [
      { how: 'a MsgHeartbeat from leader 2 of term 1', message: createMessage({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 1 }), refusals: [] },
      { how: 'a MsgAppend from leader 2 of term 1', message: createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1 }), refusals: [] },
      { how: 'losing its election (a majority refused)', message: undefined, refusals: [2, 4, 5] },
    ];
    for (const stepDown of stepDowns) {
      const raft = newTestRaft(1, peerIds(5));
      raft.step(hup(1));
      if (stepDown.message !== undefined) raft.step(stepDown.message);
      for (const from of stepDown.refusals) raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from, to: 1, term: 1, reject: true }));
      takeMessages(raft);
      raft.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 3, to: 1, term: 1, logTerm: 1, index: 1 }));
      const answer = takeMessages(raft).filter((m) => m.msgType === MessageType.MsgRequestVoteResponse);
      const context = `node 1 stepped down in term 1 on ${stepDown.how}, then candidate 3 of term 1 asked for its vote (one vote per term: labs/2a-raft/README.md#election-2aa)`;
      expect({ context, state: raft.state, term: raft.term, vote: raft.vote, answers: answer.map((m) => ({ to: m.to, reject: m.reject })) }).toEqual({
        context,
        state: StateType.Follower,
        term: 1,
        vote: 1,
        answers: [{ to: 3, reject: true }],
      });
    }
  });
});

describe('[2AA] randomised election timeouts', () => {
  function observedTimeouts(role: 'Follower' | 'Candidate', seed: number): Set<number> {
    const raft = newTestRaft(1, [1, 2, 3], new MemoryStorage(), { rng: createRng(seed) });
    const seen = new Set<number>();
    for (let round = 0; round < 50 * ELECTION_TICK; round++) {
      if (role === 'Follower') raft.becomeFollower(raft.term + 1, 2);
      else raft.becomeCandidate();
      takeMessages(raft);
      seen.add(ticksUntilItSpeaks(raft, 2 * ELECTION_TICK));
      takeMessages(raft);
      if (role === 'Follower') raft.becomeFollower(raft.term, 2);
    }
    return seen;
  }
  const allowed = Array.from({ length: ELECTION_TICK }, (_, i) => ELECTION_TICK + i);

  test.each(['Follower', 'Candidate'] as const)('[2AA] a %s election timeout is drawn from [electionTick, 2*electionTick) and covers that range', (role) =>
    forEachSeed(2, (seed) => {
      const seen = [...observedTimeouts(role, seed)].sort((a, b) => a - b);
      expect(seen).toEqual(allowed);
    }),
  );

  test.each(['Follower', 'Candidate'] as const)('[2AA] %ss of a 5-node group rarely time out on the same tick', (role) =>
    forEachSeed(2, (seed) => {
      const rng = createRng(seed);
      const rounds = 200;
      let conflicts = 0;
      for (let round = 0; round < rounds; round++) {
        const nodes = peerIds(5).map((id) => newTestRaft(id, peerIds(5), new MemoryStorage(), { rng: rng.split(`round-${round}-node-${id}`) }));
        for (const node of nodes) if (role === 'Candidate') node.becomeCandidate();
        for (const node of nodes) takeMessages(node);
        let firing = 0;
        for (let tick = 0; tick < 2 * ELECTION_TICK && firing === 0; tick++) {
          for (const node of nodes) {
            node.tick();
            if (node.msgs.length > 0) firing++;
          }
        }
        if (firing > 1) conflicts++;
      }
      // With 5 nodes and 10 possible ticks, about a third of rounds see a tie at the first firing tick; well under a half.
      expect(conflicts / rounds).toBeLessThanOrEqual(0.5);
      expect(conflicts).toBeGreaterThanOrEqual(0);
    }),
  );
});

describe('[2AA] elections on a network', () => {
  test('[2AA] groups of 3 and 5 elect node 1 when enough peers are alive, and no one when a majority is down', () => {
    const cases: Array<{ slots: Array<undefined | BlackHole>; state: StateType }> = [
      { slots: [undefined, undefined, undefined], state: StateType.Leader },
      { slots: [undefined, undefined, new BlackHole()], state: StateType.Leader },
      { slots: [undefined, new BlackHole(), new BlackHole()], state: StateType.Candidate },
      { slots: [undefined, new BlackHole(), new BlackHole(), undefined], state: StateType.Candidate },
      { slots: [undefined, new BlackHole(), new BlackHole(), undefined, undefined], state: StateType.Leader },
    ];
    for (const c of cases) {
      const network = newRaftNetwork(c.slots);
      network.send(hup(1));
      const node = nodeOf(network, 1);
      const context = `${c.slots.length} nodes, ${c.slots.filter((s) => s !== undefined).length} down`;
      expect({ context, state: node.state, term: node.term }).toEqual({ context, state: c.state, term: 1 });
    }
  });

  test('[2AA] every node can campaign and win in turn, and the others follow it', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    for (const campaigner of [1, 2, 3, 1]) {
      network.send(hup(campaigner));
      for (const id of [1, 2, 3]) {
        const node = nodeOf(network, id);
        const expected = id === campaigner ? StateType.Leader : StateType.Follower;
        expect({ campaigner, id, state: node.state, lead: node.lead }).toEqual({ campaigner, id, state: expected, lead: campaigner });
      }
    }
  });

  test('[2AA] an idle group keeps its leader: heartbeats restart the followers\' election timers, so nobody campaigns', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.send(hup(1));
    // No proposals: after the no-op, only heartbeats (and their answers) flow.
    for (let round = 0; round < 5 * ELECTION_TICK; round++) {
      for (const id of [1, 2, 3]) {
        nodeOf(network, id).tick();
        network.collect(id);
      }
      network.runUntilQuiet();
    }
    const states = [1, 2, 3].map((id) => ({ id, term: nodeOf(network, id).term, state: nodeOf(network, id).state, lead: nodeOf(network, id).lead }));
    const context = `after ${5 * ELECTION_TICK} ticks of an idle group led by node 1 (a follower restarts its election timer on every message from the leader, heartbeats included: labs/2a-raft/README.md#election-2aa)`;
    expect({ context, states }).toEqual({
      context,
      states: [
        { id: 1, term: 1, state: StateType.Leader, lead: 1 },
        { id: 2, term: 1, state: StateType.Follower, lead: 1 },
        { id: 3, term: 1, state: StateType.Follower, lead: 1 },
      ],
    });
  });

  test('[2AA] a split vote elects no one, and a later round elects a leader', () => {
    const network = newRaftNetwork([undefined, undefined, undefined, undefined]);
    // Nodes 1 and 2 campaign at once: each gets one other vote (3 and 4), 2 of 4 is no majority.
    network.setHook((m) => !(m.msgType === MessageType.MsgRequestVote && ((m.from === 1 && m.to !== 3) || (m.from === 2 && m.to !== 4))));
    nodeOf(network, 1).step(hup(1));
    nodeOf(network, 2).step(hup(2));
    network.collectAll();
    network.runUntilQuiet();
    expect([1, 2].map((id) => nodeOf(network, id).state)).toEqual([StateType.Candidate, StateType.Candidate]);
    network.recover();
    network.send(hup(3));
    expect(nodeOf(network, 3).state).toBe(StateType.Leader);
    expect(nodeOf(network, 3).term).toBe(2);
    for (const id of [1, 2, 4]) expect({ node: id, lead: nodeOf(network, id).lead }).toEqual({ node: id, lead: 3 });
  });

  test('[2AA] dueling candidates: the one that reaches a majority wins, the other concedes once it hears from it', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.cut(1, 3);
    network.send(hup(1));
    network.send(hup(3));
    expect(nodeOf(network, 1).state).toBe(StateType.Leader);
    expect(nodeOf(network, 3).state).toBe(StateType.Candidate);
    network.recover();
    // 3's log lacks the leader's no-op, so its new election (term 2) fails, but its higher term deposes 1.
    network.send(hup(3));
    expect(nodeOf(network, 3).state).toBe(StateType.Follower);
    expect(nodeOf(network, 1).state).toBe(StateType.Follower);
    expect(nodeOf(network, 1).term).toBe(2);
    network.send(hup(1));
    expect(nodeOf(network, 1).state).toBe(StateType.Leader);
    expect(nodeOf(network, 3).lead).toBe(1);
  });

  test('[2AA] an isolated candidate concedes to the leader elected meanwhile and catches up its log', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.isolate(1);
    network.send(hup(1));
    network.send(hup(3));
    expect(nodeOf(network, 1).state).toBe(StateType.Candidate);
    expect(nodeOf(network, 3).state).toBe(StateType.Leader);
    network.recover();
    network.send(beat(3));
    network.send(propose(3, 'force an append'));
    network.send(beat(3));
    const one = nodeOf(network, 1);
    expect({ state: one.state, term: one.term, lead: one.lead }).toEqual({ state: StateType.Follower, term: 1, lead: 3 });
    expect(one.raftLog.lastIndex()).toBe(nodeOf(network, 3).raftLog.lastIndex());
  });

  test('[2AA] a follower cut off long enough to raise its term forces the leader to step down when it returns', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.send(hup(1));
    network.isolate(3);
    const three = nodeOf(network, 3);
    for (let i = 0; i < 4 * ELECTION_TICK; i++) three.tick();
    network.collect(3);
    network.runUntilQuiet();
    expect(three.state).toBe(StateType.Candidate);
    expect(three.term).toBeGreaterThan(1);
    network.recover();
    network.send(...takeMessages(three));
    for (let i = 0; i < 2 * ELECTION_TICK; i++) three.tick();
    network.collect(3);
    network.runUntilQuiet();
    const one = nodeOf(network, 1);
    expect(one.term).toBe(three.term);
    expect(one.state).not.toBe(StateType.Leader);
  });

  test('[2AA] after an election every node agrees on the term, and only the winner is leader', () =>
    forEachSeed(5, (seed) => {
      const network = newRaftNetwork([undefined, undefined, undefined, undefined, undefined], createRng(seed));
      for (let tick = 0; tick < 10 * ELECTION_TICK; tick++) {
        for (const id of peerIds(5)) {
          nodeOf(network, id).tick();
          network.collect(id);
        }
        network.runUntilQuiet();
        if (peerIds(5).some((id) => nodeOf(network, id).state === StateType.Leader)) break;
      }
      const leaders = peerIds(5).filter((id) => nodeOf(network, id).state === StateType.Leader);
      expect(leaders).toHaveLength(1);
      const term = nodeOf(network, leaders[0]).term;
      for (const id of peerIds(5)) expect({ id, term: nodeOf(network, id).term, lead: nodeOf(network, id).lead }).toEqual({ id, term, lead: leaders[0] });
    }),
  );

  test('[2AA] a node with a stale log cannot win while a majority has newer entries', () => {
    const storageTerms = [[1, 1], [1, 2], [1, 2]];
    const nodes = storageTerms.map((terms, i) => raftWithLog(i + 1, [1, 2, 3], terms, 2));
    const network = newRaftNetwork(nodes);
    network.send(hup(1));
    expect(nodeOf(network, 1).state).toBe(StateType.Follower);
    network.send(hup(2));
    expect(nodeOf(network, 2).state).toBe(StateType.Leader);
  });
});

describe('[2AA] directed election fuzz', () => {
  test('[2AA] waves of simultaneous campaigns with late, lost and reordered vote traffic keep one vote per node per term and one leader per term', () =>
    forEachSeed(6, (seed) => {
      runSafetyFuzz(seed, { episodes: 6, kinds: ['splitVote'], electionsOnly: true });
    }),
  );
});
