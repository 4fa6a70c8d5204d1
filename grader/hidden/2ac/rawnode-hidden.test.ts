/**
 * Stage 2AC — hidden RawNode tests.
 *
 * Goal: corners of the Ready / advance contract: a Ready with only messages, advancing an
 * older Ready while new work arrived, and a restart whose first election reports the new hard
 * state. Method: one RawNode driven by hand, Readys compared field by field.
 */
import { createMessage, MessageType } from '../../../labs/common/raft/message';
import { expectReadyEquals } from '../../../labs/2a-raft/test/raft-ready-assertions';
import { RawNode } from '../../../labs/2a-raft/src/rawnode';
import { StateType } from '../../../labs/2a-raft/src/state-type';
import { MemoryStorage } from '../../../labs/2a-raft/src/storage';
import { entriesWithTerms, testConfig } from '../../../labs/2a-raft/test/raft-fixtures';

describe('[2AC] hidden RawNode', () => {
  test('[2AC] a heartbeat answer alone makes a Ready with only messages', () => {
    const storage = new MemoryStorage(entriesWithTerms([1]));
    storage.setHardState({ term: 1, vote: 2, commit: 1 });
    const node = new RawNode(testConfig(1, [1, 2], storage, { applied: 1 }));
    expect(node.hasReady()).toBe(false);
    node.step(createMessage({ msgType: MessageType.MsgHeartbeat, from: 2, to: 1, term: 1, commit: 1 }));
    expect(node.hasReady()).toBe(true);
    const ready = node.ready();
    expect(ready.softState).toEqual({ lead: 2, raftState: StateType.Follower });
    expect(ready.hardState).toBeUndefined();
    expect(ready.entries).toEqual([]);
    expect(ready.committedEntries).toEqual([]);
    expect(ready.messages.map((m) => `${m.msgType}->${m.to}`)).toEqual(['MsgHeartbeatResponse->2']);
  });

  test('[2AC] advancing a Ready keeps the messages that arrived after it was taken', () => {
    const storage = new MemoryStorage();
    const node = new RawNode(testConfig(1, [1, 2, 3], storage));
    node.campaign();
    const first = node.ready();
    node.step(createMessage({ msgType: MessageType.MsgRequestVote, from: 2, to: 1, term: 1 }));
    storage.append(first.entries);
    if (first.hardState) storage.setHardState(first.hardState);
    node.advance(first);
    const second = node.ready();
    expect(second.messages.map((m) => `${m.msgType}->${m.to} reject:${m.reject}`)).toEqual(['MsgRequestVoteResponse->2 reject:true']);
  });

  test('[2AC] a restarted node that campaigns reports its new term and vote and the no-op it appends', () => {
    const storage = new MemoryStorage(entriesWithTerms([1, 1]));
    storage.setHardState({ term: 1, vote: 1, commit: 2 });
    const node = new RawNode(testConfig(1, [1], storage, { applied: 2 }));
    expect(node.hasReady()).toBe(false);
    node.campaign();
    const ready = node.ready();
    const noop = { entryType: 'EntryNormal' as const, term: 2, index: 3, data: Buffer.alloc(0) };
    expectReadyEquals(
      ready,
      { softState: { lead: 1, raftState: StateType.Leader }, hardState: { term: 2, vote: 1, commit: 3 }, entries: [noop], committedEntries: [noop], messages: [] },
      'after a restarted single node campaigns',
    );
  });
});
