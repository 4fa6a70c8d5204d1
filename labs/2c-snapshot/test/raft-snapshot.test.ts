/**
 * Stage 2C — the Raft side of log compaction and snapshots.
 *
 * Goal: check that a Raft node works with a log whose head was compacted into a snapshot: it
 * restores a newer snapshot and ignores an older one; a leader sends a snapshot when a
 * follower needs entries it no longer holds (and asks again later while storage is still
 * building one); a restored or restarted node reports the right indexes, terms, members and
 * Ready. Method: single nodes stepped by hand and groups on the deterministic test network
 * (labs/common/testkit/raft-network.ts), with MemoryStorage's createSnapshot / compact /
 * applySnapshot standing in for the raftstore.
 */
import { createEntry } from '../../common/raft/entry';
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import type { Snapshot } from '../../common/raft/snapshot';
import { expectReadyEquals } from '../../2a-raft/test/raft-ready-assertions';
import { RawNode } from '../../2a-raft/src/rawnode';
import { StateType } from '../../2a-raft/src/state-type';
import { MemoryStorage, StorageError, type Storage } from '../../2a-raft/src/storage';
import { entriesWithTerms, newRaftNetwork, newTestRaft, nodeOf, propose, takeMessages, testConfig, beat } from '../../2a-raft/test/raft-fixtures';

function snapshotAt(index: number, term: number, nodes: number[], data = 'state'): Snapshot {
  return { data: Buffer.from(data), metadata: { index, term, confState: { nodes } } };
}

function snapshotMessage(from: number, to: number, term: number, snapshot: Snapshot): Message {
  return createMessage({ msgType: MessageType.MsgSnapshot, from, to, term, snapshot });
}

/** The members a node has progress for, sorted. */
function members(raft: { prs: Map<number, unknown> }): number[] {
  return [...raft.prs.keys()].sort((a, b) => a - b);
}

/** A follower of `[1, 2, 3]` whose storage holds a snapshot at (11, 11) and a node restored from it. */
function leaderRestoredFromSnapshot(): ReturnType<typeof newTestRaft> {
  const storage = new MemoryStorage();
  storage.applySnapshot(snapshotAt(11, 11, [1, 2, 3]));
  storage.setHardState({ term: 11, vote: 0, commit: 11 });
  const raft = newTestRaft(1, [], storage);
  raft.becomeCandidate();
  raft.becomeLeader();
  takeMessages(raft);
  return raft;
}

describe('[2C] a follower receiving a snapshot', () => {
  test('[2C] a newer snapshot replaces the log: last index, its term and the members come from it', () => {
    const raft = newTestRaft(1, [1, 2], new MemoryStorage(entriesWithTerms([1, 1, 2])));
    raft.step(snapshotMessage(2, 1, 11, snapshotAt(11, 11, [1, 2, 3])));
    expect({ lastIndex: raft.raftLog.lastIndex(), termAtSnapshot: raft.raftLog.term(11), committed: raft.raftLog.committed }).toEqual({
      lastIndex: 11,
      termAtSnapshot: 11,
      committed: 11,
    });
    expect(members(raft)).toEqual([1, 2, 3]);
    expect(raft.raftLog.pendingSnapshot?.metadata.index).toBe(11);
    const answer = takeMessages(raft).filter((message) => message.msgType === MessageType.MsgAppendResponse);
    expect(answer.map((message) => ({ to: message.to, index: message.index, reject: message.reject }))).toEqual([{ to: 2, index: 11, reject: false }]);
  });

  test('[2C] a snapshot at or below the committed index is ignored and answered with the committed index', () => {
    const storage = new MemoryStorage(entriesWithTerms([1, 1, 1]));
    const raft = newTestRaft(1, [1, 2], storage);
    raft.becomeFollower(1, 2);
    raft.raftLog.committed = 3;
    raft.step(snapshotMessage(2, 1, 1, snapshotAt(2, 1, [1, 2])));
    expect({ committed: raft.raftLog.committed, lastIndex: raft.raftLog.lastIndex(), pending: raft.raftLog.pendingSnapshot }).toEqual({ committed: 3, lastIndex: 3, pending: undefined });
    const answers = takeMessages(raft).map((message) => ({ type: message.msgType, index: message.index, reject: message.reject }));
    expect(answers).toEqual([{ type: MessageType.MsgAppendResponse, index: 3, reject: false }]);
  });

  test('[2C] a MsgSnapshot makes its sender the leader and resets the election timer', () => {
    const raft = newTestRaft(2, [1, 2, 3]);
    for (let i = 0; i < 5; i++) raft.tick();
    raft.step(snapshotMessage(1, 2, 2, snapshotAt(11, 11, [1, 2, 3])));
    expect({ lead: raft.lead, term: raft.term, state: raft.state, electionElapsed: raft.electionElapsed }).toEqual({ lead: 1, term: 2, state: StateType.Follower, electionElapsed: 0 });
  });

  test("[2C] the snapshot's members replace the follower's exactly, also when they only overlap", () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.step(snapshotMessage(2, 1, 11, snapshotAt(11, 11, [2, 3, 4])));
    expect(members(raft)).toEqual([2, 3, 4]);
  });

  test('[2C] a duplicated snapshot and an older one arriving after a newer one change nothing the second time', () => {
    const raft = newTestRaft(1, [1, 2]);
    raft.step(snapshotMessage(2, 1, 5, snapshotAt(20, 5, [1, 2])));
    takeMessages(raft);
    const pending = raft.raftLog.pendingSnapshot;
    raft.step(snapshotMessage(2, 1, 5, snapshotAt(20, 5, [1, 2])));
    raft.step(snapshotMessage(2, 1, 5, snapshotAt(12, 4, [1, 2])));
    expect({ lastIndex: raft.raftLog.lastIndex(), committed: raft.raftLog.committed, samePending: raft.raftLog.pendingSnapshot === pending }).toEqual({
      lastIndex: 20,
      committed: 20,
      samePending: true,
    });
    const answers = takeMessages(raft).map((message) => `${message.msgType} index:${message.index} reject:${message.reject}`);
    expect(answers).toEqual(['MsgAppendResponse index:20 reject:false', 'MsgAppendResponse index:20 reject:false']);
  });

  test('[2C] a snapshot whose last entry the follower already holds moves commit forward and keeps the entries after it', () => {
    // Entries 1..5 of term 1, acknowledged to the leader; commit only 2. A delayed snapshot at
    // (3, 1) must not drop 4 and 5: the leader already counted them.
    const raft = newTestRaft(1, [1, 2], new MemoryStorage(entriesWithTerms([1, 1, 1, 1, 1])));
    raft.becomeFollower(1, 2);
    raft.raftLog.committed = 2;
    raft.step(snapshotMessage(2, 1, 1, snapshotAt(3, 1, [1, 2])));
    expect({ committed: raft.raftLog.committed, lastIndex: raft.raftLog.lastIndex(), pending: raft.raftLog.pendingSnapshot }).toEqual({ committed: 3, lastIndex: 5, pending: undefined });
    const answers = takeMessages(raft).map((message) => ({ type: message.msgType, reject: message.reject }));
    expect(answers).toEqual([{ type: MessageType.MsgAppendResponse, reject: false }]);
  });

  test('[2C] an append delayed from before the snapshot is answered with the committed index, not refused or applied', () => {
    const raft = newTestRaft(1, [1, 2]);
    raft.step(snapshotMessage(2, 1, 5, snapshotAt(20, 5, [1, 2])));
    takeMessages(raft);
    // Sent by the same leader before it compacted: it checks entry 7, which the snapshot covers.
    raft.step(createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 5, index: 7, logTerm: 5, entries: [createEntry({ term: 5, index: 8 })], commit: 8 }));
    expect({ lastIndex: raft.raftLog.lastIndex(), committed: raft.raftLog.committed }).toEqual({ lastIndex: 20, committed: 20 });
    const answers = takeMessages(raft).map((message) => ({ index: message.index, reject: message.reject }));
    expect(answers).toEqual([{ index: 20, reject: false }]);
  });
});

describe('[2C] a leader with a compacted log', () => {
  test('[2C] a leader sends a snapshot (one MsgSnapshot, nothing else) to a follower whose next entry was compacted', () => {
    const raft = leaderRestoredFromSnapshot();
    (raft.prs.get(2) as { next: number }).next = 10;
    raft.step(propose(1, 'x'));
    const toTwo = takeMessages(raft).filter((message) => message.to === 2);
    expect(toTwo.map((message) => ({ type: message.msgType, snapshotIndex: message.snapshot?.metadata.index }))).toEqual([{ type: MessageType.MsgSnapshot, snapshotIndex: 11 }]);
  });

  test('[2C] while storage is still building the snapshot the leader sends nothing and asks again later, never failing', () => {
    class SlowSnapshotStorage extends MemoryStorage {
      refusals = 0;
      override snapshot(): Snapshot {
        if (this.refusals < 3) {
          this.refusals++;
          throw new StorageError('snapshotTemporarilyUnavailable', 'The snapshot is being built.');
        }
        return super.snapshot();
      }
    }
    const storage = new SlowSnapshotStorage();
    storage.applySnapshot(snapshotAt(11, 11, [1, 2]));
    storage.setHardState({ term: 11, vote: 0, commit: 11 });
    const raft = newTestRaft(1, [], storage as Storage as MemoryStorage);
    raft.becomeCandidate();
    raft.becomeLeader();
    takeMessages(raft);
    (raft.prs.get(2) as { next: number }).next = 5;
    const snapshots: number[] = [];
    for (let attempt = 1; attempt <= 5 && snapshots.length === 0; attempt++) {
      raft.step(createMessage({ msgType: MessageType.MsgHeartbeatResponse, from: 2, to: 1, term: raft.term }));
      const sent = takeMessages(raft).filter((message) => message.to === 2);
      expect({ attempt, unexpected: sent.filter((message) => message.msgType !== MessageType.MsgSnapshot).map((message) => message.msgType) }).toEqual({ attempt, unexpected: [] });
      snapshots.push(...sent.map((message) => message.snapshot?.metadata.index ?? -1));
    }
    expect({ refusals: storage.refusals, snapshots }).toEqual({ refusals: 3, snapshots: [11] });
  });

  test('[2C] a follower cut off while the leader compacts its log catches up through a snapshot and commits what the leader committed', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.send(createMessage({ msgType: MessageType.MsgHup, from: 1, to: 1 }));
    network.isolate(3);
    for (let i = 0; i < 100; i++) network.send(propose(1, `p${i}`));
    const leader = nodeOf(network, 1);
    // Play the owner of the leader: snapshot at its applied index and drop the log before it.
    const leaderStorage = leader.raftLog.storage as MemoryStorage;
    leaderStorage.append(leader.raftLog.unstableEntries());
    leader.raftLog.stabled = leader.raftLog.lastIndex();
    leader.raftLog.applied = leader.raftLog.committed;
    leaderStorage.createSnapshot(leader.raftLog.applied, { nodes: [1, 2, 3] }, Buffer.from('state'));
    leaderStorage.compact(leader.raftLog.applied);
    leader.raftLog.maybeCompact();
    expect({ firstIndex: leader.raftLog.firstIndex() }).toEqual({ firstIndex: leader.raftLog.applied + 1 });
    network.recover();
    network.send(beat(1));
    network.send(propose(1, 'after'));
    const follower = nodeOf(network, 3);
    expect({ node: 3, committed: follower.raftLog.committed }).toEqual({ node: 3, committed: leader.raftLog.committed });
    expect({ node: 3, restoredFromSnapshot: follower.raftLog.firstIndex() > 1 }).toEqual({ node: 3, restoredFromSnapshot: true });
  });
});

describe('[2C] the log after compaction', () => {
  test('[2C] maybeCompact drops exactly the entries storage compacted, and lastIndex and term still work when every entry is gone', () => {
    const storage = new MemoryStorage(entriesWithTerms([1, 1, 2, 2, 3]));
    const raft = newTestRaft(1, [1, 2], storage);
    storage.createSnapshot(3, undefined, Buffer.from('s'));
    storage.compact(3);
    raft.raftLog.maybeCompact();
    expect({ firstIndex: raft.raftLog.firstIndex(), lastIndex: raft.raftLog.lastIndex(), entries: raft.raftLog.allEntries().map((entry) => entry.index), termOf3: raft.raftLog.term(3) }).toEqual({
      firstIndex: 4,
      lastIndex: 5,
      entries: [4, 5],
      termOf3: 2,
    });
    storage.createSnapshot(5, undefined, Buffer.from('s'));
    storage.compact(5);
    raft.raftLog.maybeCompact();
    expect({ firstIndex: raft.raftLog.firstIndex(), lastIndex: raft.raftLog.lastIndex(), lastTerm: raft.raftLog.lastTerm(), entries: raft.raftLog.allEntries() }).toEqual({
      firstIndex: 6,
      lastIndex: 5,
      lastTerm: 3,
      entries: [],
    });
  });

  test('[2C] a received snapshot reaches the owner in Ready.snapshot once, and advance clears it', () => {
    const storage = new MemoryStorage();
    const node = new RawNode(testConfig(1, [1, 2], storage));
    node.step(snapshotMessage(2, 1, 3, snapshotAt(10, 3, [1, 2])));
    const ready = node.ready();
    expect(ready.snapshot?.metadata).toEqual({ index: 10, term: 3, confState: { nodes: [1, 2] } });
    expect({ entries: ready.entries, committedEntries: ready.committedEntries, commit: ready.hardState?.commit }).toEqual({ entries: [], committedEntries: [], commit: 10 });
    storage.applySnapshot(ready.snapshot as Snapshot);
    if (ready.hardState !== undefined) storage.setHardState(ready.hardState);
    node.advance(ready);
    expect({ pendingSnapshot: node.raft.raftLog.pendingSnapshot, hasReady: node.hasReady() }).toEqual({ pendingSnapshot: undefined, hasReady: false });
  });

  test('[2C] a RawNode restarted from storage that holds a snapshot hands out exactly the entries after it, then nothing', () => {
    const storage = new MemoryStorage();
    storage.applySnapshot(snapshotAt(2, 1, [1, 2]));
    storage.append([createEntry({ term: 1, index: 3, data: Buffer.from('foo') })]);
    storage.setHardState({ term: 1, vote: 0, commit: 3 });
    const node = new RawNode(testConfig(1, [], storage));
    expectReadyEquals(node.ready(), { entries: [], committedEntries: [createEntry({ term: 1, index: 3, data: Buffer.from('foo') })], messages: [] }, 'the first Ready after a restart from a snapshot');
    node.advance(node.ready());
    expect(node.hasReady()).toBe(false);
    expect(members(node.raft)).toEqual([1, 2]);
  });
});
