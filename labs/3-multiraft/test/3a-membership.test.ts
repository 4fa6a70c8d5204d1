/**
 * Stage 3A — membership change and leader transfer, one node at a time.
 *
 * Goal: check the 3A methods and rules directly on a node, where a protocol trace would say
 * too much: addNode / removeNode and what they must leave alone, the commit recomputed on
 * removal, conf changes proposed and applied through RawNode (their entry data is
 * `encodeConfChange`), the one-pending rule and a new leader's inherited pending change, the
 * transfer state a removal or a step-down must clear, a transfer request forwarded as a new
 * message, and MsgTimeoutNow at a member and at a non-member. Method: bare Raft nodes and
 * RawNodes stepped by hand, their outboxes and public fields read back (the shape of TinyKV's
 * raft_test.go and rawnode_test.go 3A tests). The protocol scripts in 3a-scripts/ check the
 * interactions.
 */
import { ConfChangeType, decodeConfChange, encodeConfChange } from '../../common/raft/conf-change';
import { createEntry, EntryType } from '../../common/raft/entry';
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import type { Raft } from '../../2a-raft/src/raft';
import { RawNode } from '../../2a-raft/src/rawnode';
import { NONE, StateType } from '../../2a-raft/src/state-type';
import { MemoryStorage } from '../../2a-raft/src/storage';
import { entryData, hup, newTestRaft, propose, takeMessages, testConfig } from '../../2a-raft/test/raft-fixtures';
import { applyCommitted, confChange, expectAbout, membersOf, proposeConfChange, thrownBy, timeoutNow, transferLeader } from './3a-fixtures';

/** Node 1 as the leader of term 1 of `peers`, its outbox emptied. */
function newLeader(peers: number[], storage: MemoryStorage = new MemoryStorage()): Raft {
  const raft = newTestRaft(1, peers, storage);
  raft.becomeCandidate();
  raft.becomeLeader();
  takeMessages(raft);
  return raft;
}

/** An accepted append answer from `from` to node 1. */
function appendAccepted(from: number, term: number, index: number): Message {
  return createMessage({ msgType: MessageType.MsgAppendResponse, from, to: 1, term, index });
}

/** Plays the owner of a RawNode: persists, applies conf changes through applyConfChange, advances; returns the committed entries. */
function handleReady(node: RawNode, storage: MemoryStorage): { committed: string[]; confStates: number[][] } {
  const ready = node.ready();
  storage.append(ready.entries);
  if (ready.hardState !== undefined) storage.setHardState(ready.hardState);
  const confStates: number[][] = [];
  for (const entry of ready.committedEntries) {
    if (entry.entryType === EntryType.EntryConfChange) confStates.push(node.applyConfChange(decodeConfChange(entry.data)).nodes);
  }
  node.advance(ready);
  return { committed: ready.committedEntries.map((entry) => `${entry.index}:${entry.entryType}`), confStates };
}

describe('[3A] addNode and removeNode', () => {
  test('[3A] addNode adds a member with progress starting after the last index; adding a member again keeps its progress', () => {
    const raft = newLeader([1, 2]);
    raft.step(appendAccepted(2, 1, 1));
    raft.addNode(3);
    expect(membersOf(raft)).toEqual([1, 2, 3]);
    expect(raft.prs.get(3)).toEqual(expect.objectContaining({ match: 0, next: raft.raftLog.lastIndex() + 1 }));
    raft.addNode(2);
    expect(membersOf(raft)).toEqual([1, 2, 3]);
    expectAbout(`adding node 2 again must keep its progress (match 1)`, raft.prs.get(2)?.match, 1);
  });

  test('[3A] removeNode removes a member; removing a non-member or the last member is harmless', () => {
    const raft = newTestRaft(1, [1, 2]);
    raft.removeNode(2);
    expect(membersOf(raft)).toEqual([1]);
    raft.removeNode(7);
    expect(membersOf(raft)).toEqual([1]);
    raft.removeNode(1);
    expect(membersOf(raft)).toEqual([]);
  });

  test('[3A] removing a node recomputes the leader commit index at once: an entry the smaller quorum holds commits with no new message', () => {
    const raft = newLeader([1, 2]);
    raft.step(appendAccepted(2, 1, 1));
    raft.step(proposeConfChange(1, confChange(ConfChangeType.RemoveNode, 2)));
    const ccIndex = raft.raftLog.lastIndex();
    raft.step(propose(1, 'hello'));
    raft.step(appendAccepted(2, 1, ccIndex));
    expectAbout('node 2 stored the conf change, so it commits; "hello" waits for node 2', raft.raftLog.committed, ccIndex);
    const applied = applyCommitted(raft);
    expect(applied).toEqual([confChange(ConfChangeType.RemoveNode, 2)]);
    expectAbout(`after removeNode(2) the quorum of {1} is node 1 alone: "hello" at ${ccIndex + 1} must commit inside removeNode`, raft.raftLog.committed, ccIndex + 1);
  });

  test('[3A] removing a node tells the remaining followers the commit index it made move', () => {
    const raft = newLeader([1, 2, 3, 4]);
    for (const peer of [2, 3, 4]) raft.step(appendAccepted(peer, 1, 1));
    raft.step(propose(1, 'waiting'));
    raft.step(appendAccepted(2, 1, 2));
    expectAbout('"waiting" is on 1 and 2 only: not a quorum of four', raft.raftLog.committed, 1);
    takeMessages(raft);
    raft.removeNode(4);
    expect(raft.raftLog.committed).toBe(2);
    const told = takeMessages(raft).filter((message) => message.commit === 2).map((message) => message.to).sort();
    expectAbout(`after the commit index moved, the leader must send the new commit to nodes 2 and 3`, told, [2, 3]);
  });

  test('[3A] a leader ignores a late answer from a node it has removed', () => {
    const raft = newLeader([1, 2, 3]);
    raft.removeNode(3);
    expectAbout('stepping an append answer from removed node 3', thrownBy(() => raft.step(appendAccepted(3, 1, 1))), 'nothing thrown');
    expectAbout('stepping a heartbeat answer from removed node 3', thrownBy(() => raft.step(createMessage({ msgType: MessageType.MsgHeartbeatResponse, from: 3, to: 1, term: 1 }))), 'nothing thrown');
    expect(membersOf(raft)).toEqual([1, 2]);
    expect(takeMessages(raft)).toEqual([]);
  });
});

describe('[3A] conf changes through RawNode', () => {
  test('[3A] proposeConfChange appends an EntryConfChange whose data is encodeConfChange(change), after a normal proposal', () => {
    const storage = MemoryStorage.withPeers([1]);
    const node = new RawNode(testConfig(1, [1], storage));
    node.campaign();
    handleReady(node, storage);
    node.propose(Buffer.from('somedata'));
    const change = confChange(ConfChangeType.AddNode, 1);
    node.proposeConfChange(change);
    const entries = node.raft.raftLog.allEntries();
    const last = entries.slice(-2);
    expect(last.map((entry) => entry.entryType)).toEqual([EntryType.EntryNormal, EntryType.EntryConfChange]);
    expect(entryData(last.slice(0, 1))).toEqual(['somedata']);
    expectAbout('the conf change entry data is encodeConfChange(change)', last[1].data.equals(encodeConfChange(change)), true);
  });

  test('[3A] adding the same node twice is harmless, and applyConfChange returns the sorted members', () => {
    const storage = MemoryStorage.withPeers([1]);
    const node = new RawNode(testConfig(1, [1], storage));
    node.campaign();
    handleReady(node, storage);
    const states: number[][] = [];
    for (const id of [1, 1, 2]) {
      node.proposeConfChange(confChange(ConfChangeType.AddNode, id));
      states.push(...handleReady(node, storage).confStates);
    }
    expect(states).toEqual([[1], [1], [1, 2]]);
    const lastThree = storage.entries(storage.lastIndex() - 2, storage.lastIndex() + 1);
    expect(lastThree.map((entry) => decodeConfChange(entry.data).nodeId)).toEqual([1, 1, 2]);
  });

  test('[3A] a second conf change is refused with ProposalDroppedError until the first is applied; ordinary proposals are not', () => {
    const storage = MemoryStorage.withPeers([1]);
    const node = new RawNode(testConfig(1, [1], storage));
    node.campaign();
    handleReady(node, storage);
    node.proposeConfChange(confChange(ConfChangeType.AddNode, 2));
    expectAbout('a second conf change while the first is not applied', thrownBy(() => node.proposeConfChange(confChange(ConfChangeType.AddNode, 3))), 'ProposalDroppedError');
    expectAbout('an ordinary proposal while a conf change is pending', thrownBy(() => node.propose(Buffer.from('ordinary'))), 'nothing thrown');
    expectAbout('the first change is committed (single node) and applied', handleReady(node, storage).confStates, [[1, 2]]);
    expectAbout('once the first is applied, the next conf change is accepted', thrownBy(() => node.proposeConfChange(confChange(ConfChangeType.AddNode, 3))), 'nothing thrown');
  });

  test('[3A] a new leader counts its whole log as possibly holding a pending conf change', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    const unapplied = createEntry({ term: 1, index: 1, entryType: EntryType.EntryConfChange, data: encodeConfChange(confChange(ConfChangeType.AddNode, 4)) });
    raft.step(createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 1, index: 0, logTerm: 0, commit: 0, entries: [unapplied] }));
    raft.step(hup(1));
    raft.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 2 }));
    expect(raft.state).toBe(StateType.Leader);
    expectAbout('a conf change proposed while the conf change at 1 is not applied', thrownBy(() => raft.step(proposeConfChange(1, confChange(ConfChangeType.RemoveNode, 3)))), 'ProposalDroppedError');
  });
});

describe('[3A] leader transfer state', () => {
  test('[3A] a follower passes a transfer request to its leader as a new message, leaving the received one unchanged', () => {
    const raft = newTestRaft(2, [1, 2, 3]);
    raft.becomeFollower(1, 1);
    const request = transferLeader(2, 3);
    const before = { ...request };
    raft.step(request);
    const sent = takeMessages(raft);
    expect(sent.map((message) => `${message.msgType} from:${message.from} to:${message.to}`)).toEqual(['MsgTransferLeader from:3 to:1']);
    expectAbout('the forwarded request is the received object (it must be a new message)', sent[0] === request, false);
    expect(request).toEqual(before);
  });

  test('[3A] removing the transferee abandons the transfer, and a transfer to a removed node is ignored', () => {
    const raft = newLeader([1, 2, 3]);
    raft.step(transferLeader(1, 3));
    expect(raft.leadTransferee).toBe(3);
    takeMessages(raft);
    raft.removeNode(3);
    expectAbout(`removing node 3 must end the transfer to it`, raft.leadTransferee, NONE);
    raft.step(transferLeader(1, 3));
    expect(raft.leadTransferee).toBe(NONE);
    expect(takeMessages(raft).filter((message) => message.to === 3)).toEqual([]);
  });

  test('[3A] stepping down clears the transfer, so a leader elected again accepts proposals', () => {
    const raft = newLeader([1, 2, 3]);
    raft.step(transferLeader(1, 3));
    expect(raft.leadTransferee).toBe(3);
    raft.becomeFollower(2, NONE);
    expectAbout(`becomeFollower must clear leadTransferee (see the traps)`, raft.leadTransferee, NONE);
    raft.becomeCandidate();
    raft.becomeLeader();
    expectAbout('a proposal at the leader elected again', thrownBy(() => raft.step(propose(1, 'accepted'))), 'nothing thrown');
  });

  test('[3A] MsgTimeoutNow makes a member campaign at once, and is ignored by a node outside the group', () => {
    const member = newTestRaft(2, [1, 2, 3]);
    member.step(timeoutNow(1, 2, 1));
    expectAbout('a member campaigns on MsgTimeoutNow, without waiting for its timer', member.state, StateType.Candidate);
    expect(member.term).toBe(2);
    const outsider = newTestRaft(1, [2, 3, 4]);
    outsider.step(timeoutNow(2, 1, 1));
    expectAbout('node 1 is not in its own membership {2, 3, 4}: it must not campaign', outsider.state, StateType.Follower);
    outsider.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: outsider.term }));
    outsider.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 3, to: 1, term: outsider.term }));
    expect(outsider.state).toBe(StateType.Follower);
  });
});
