// Goal: Raft-side snapshot cases beyond the public suite: a snapshot from a newer term, a
// leader whose whole log was compacted, snapshots racing appends in a lossy group, and a
// restored node restarted from its own storage. Method: single nodes stepped by hand and
// groups on the deterministic test network, MemoryStorage standing in for the raftstore.
import { createEntry } from '../../../labs/common/raft/entry';
import { createMessage, MessageType } from '../../../labs/common/raft/message';
import type { Snapshot } from '../../../labs/common/raft/snapshot';
import { createRng } from '../../../labs/common/runtime/rng';
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { RawNode } from '../../../labs/2a-raft/src/rawnode';
import { StateType } from '../../../labs/2a-raft/src/state-type';
import { MemoryStorage } from '../../../labs/2a-raft/src/storage';
import { beat, entriesWithTerms, newRaftNetwork, newTestRaft, nodeOf, propose, takeMessages, testConfig } from '../../../labs/2a-raft/test/raft-fixtures';
import type { Raft } from '../../../labs/2a-raft/src/raft';

function snapshotAt(index: number, term: number, nodes: number[]): Snapshot {
  return { data: Buffer.from(`state@${index}`), metadata: { index, term, confState: { nodes } } };
}

/** Plays the owner of a node: persists its unstable entries and snapshot, applies what is committed, compacts up to `applied`. */
function compactNode(raft: Raft, nodes: number[]): void {
  const storage = raft.raftLog.storage as MemoryStorage;
  if (raft.raftLog.pendingSnapshot !== undefined) {
    storage.applySnapshot(raft.raftLog.pendingSnapshot);
    raft.raftLog.pendingSnapshot = undefined;
  }
  storage.append(raft.raftLog.unstableEntries());
  raft.raftLog.stabled = raft.raftLog.lastIndex();
  raft.raftLog.applied = raft.raftLog.committed;
  if (raft.raftLog.applied > storage.firstIndex() - 1) {
    storage.createSnapshot(raft.raftLog.applied, { nodes }, Buffer.from(`state@${raft.raftLog.applied}`));
    storage.compact(raft.raftLog.applied);
  }
  raft.raftLog.maybeCompact();
}

describe('[2C] hidden Raft snapshot cases', () => {
  test('[2C] a snapshot from a newer term makes a candidate a follower of its sender in that term', () => {
    const raft = newTestRaft(1, [1, 2, 3]);
    raft.becomeCandidate();
    takeMessages(raft);
    raft.step(createMessage({ msgType: MessageType.MsgSnapshot, from: 3, to: 1, term: 7, snapshot: snapshotAt(9, 6, [1, 2, 3]) }));
    expect({ state: raft.state, term: raft.term, lead: raft.lead, lastIndex: raft.raftLog.lastIndex(), lastTerm: raft.raftLog.lastTerm() }).toEqual({
      state: StateType.Follower,
      term: 7,
      lead: 3,
      lastIndex: 9,
      lastTerm: 6,
    });
  });

  test('[2C] a leader whose whole log was compacted still proposes and replicates new entries', () => {
    const network = newRaftNetwork([undefined, undefined, undefined]);
    network.send(createMessage({ msgType: MessageType.MsgHup, from: 1, to: 1 }));
    for (let i = 0; i < 5; i++) network.send(propose(1, `p${i}`));
    for (const id of [1, 2, 3]) compactNode(nodeOf(network, id), [1, 2, 3]);
    const leader = nodeOf(network, 1);
    expect({ entriesLeft: leader.raftLog.allEntries().length, lastIndex: leader.raftLog.lastIndex() }).toEqual({ entriesLeft: 0, lastIndex: leader.raftLog.committed });
    network.send(propose(1, 'after-compaction'));
    for (const id of [2, 3]) {
      const follower = nodeOf(network, id);
      expect({ node: id, committed: follower.raftLog.committed, last: follower.raftLog.allEntries().map((entry) => entry.data.toString()) }).toEqual({
        node: id,
        committed: leader.raftLog.committed,
        last: ['after-compaction'],
      });
    }
  });

  test('[2C] under random loss, with the leader compacting as it goes, every follower ends with the leader committed index', () =>
    forEachSeed(5, (seed) => {
      const network = newRaftNetwork([undefined, undefined, undefined, undefined, undefined], createRng(seed));
      network.send(createMessage({ msgType: MessageType.MsgHup, from: 1, to: 1 }));
      const rng = createRng(seed * 7 + 1);
      for (let round = 0; round < 30; round++) {
        for (const from of [1, 2, 3, 4, 5]) for (const to of [1, 2, 3, 4, 5]) if (from !== to) network.drop(from, to, rng.float() * 0.6);
        network.send(propose(1, `r${round}`));
        if (round % 5 === 4) compactNode(nodeOf(network, 1), [1, 2, 3, 4, 5]);
        for (const id of [2, 3, 4, 5]) if (rng.chance(0.5)) compactNode(nodeOf(network, id), [1, 2, 3, 4, 5]);
      }
      network.recover();
      for (let i = 0; i < 5; i++) {
        network.send(beat(1));
        for (const id of [2, 3, 4, 5]) compactNode(nodeOf(network, id), [1, 2, 3, 4, 5]);
      }
      network.send(propose(1, 'final'));
      network.send(beat(1));
      const leader = nodeOf(network, 1);
      expect({ seed, leaderState: leader.state }).toEqual({ seed, leaderState: StateType.Leader });
      for (const id of [2, 3, 4, 5]) expect({ seed, node: id, committed: nodeOf(network, id).raftLog.committed }).toEqual({ seed, node: id, committed: leader.raftLog.committed });
    }));

  test('[2C] a node that installed a snapshot and restarted from its storage comes back with the same log, members and commit', () => {
    const storage = new MemoryStorage();
    const node = new RawNode(testConfig(1, [1, 2], storage));
    node.step(createMessage({ msgType: MessageType.MsgSnapshot, from: 2, to: 1, term: 4, snapshot: snapshotAt(30, 4, [1, 2, 3]) }));
    node.step(createMessage({ msgType: MessageType.MsgAppend, from: 2, to: 1, term: 4, index: 30, logTerm: 4, entries: [createEntry({ term: 4, index: 31, data: Buffer.from('x') })], commit: 31 }));
    const ready = node.ready();
    if (ready.snapshot !== undefined) storage.applySnapshot(ready.snapshot);
    storage.append(ready.entries);
    if (ready.hardState !== undefined) storage.setHardState(ready.hardState);
    node.advance(ready);
    const restarted = new RawNode(testConfig(1, [], storage, { applied: 31 }));
    expect({
      first: restarted.raft.raftLog.firstIndex(),
      last: restarted.raft.raftLog.lastIndex(),
      committed: restarted.raft.raftLog.committed,
      members: [...restarted.raft.prs.keys()].sort(),
      hasReady: restarted.hasReady(),
    }).toEqual({ first: 31, last: 31, committed: 31, members: [1, 2, 3], hasReady: false });
  });

  test('[2C] a follower log longer than a stale snapshot is not cut by it', () => {
    const raft = newTestRaft(1, [1, 2], new MemoryStorage(entriesWithTerms([1, 2, 2, 2, 2, 2])));
    raft.becomeFollower(2, 2);
    raft.raftLog.committed = 4;
    raft.step(createMessage({ msgType: MessageType.MsgSnapshot, from: 2, to: 1, term: 2, snapshot: snapshotAt(4, 2, [1, 2]) }));
    expect({ lastIndex: raft.raftLog.lastIndex(), committed: raft.raftLog.committed }).toEqual({ lastIndex: 6, committed: 4 });
  });
});
