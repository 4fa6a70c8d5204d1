/**
 * Stage 2AC — RawNode and the Ready / advance contract.
 *
 * Goal: check what a RawNode hands its owner: a Ready whose soft and hard state appear only
 * when they changed, whose entries are the unstable tail, whose committed entries are the
 * ones not yet applied, and whose messages are the outbox; and that advance moves stabled
 * and applied. Method: drive one node by hand, play the owner (persist to MemoryStorage,
 * "send", "apply", advance), and compare each Ready field by field with
 * labs/2a-raft/test/raft-ready-assertions.ts, which says which field differs and why. A
 * model-based test (rawnode-contract-model.ts) then lets fast-check interleave propose, step,
 * tick and campaign between ready() and advance() and checks the contract after every step.
 */
import { createEntry } from '../../common/raft/entry';
import { createMessage, MessageType } from '../../common/raft/message';
import { createRng } from '../../common/runtime/rng';
import { expectReadyEquals } from './raft-ready-assertions';
import type { Ready } from '../src/ready';
import { RawNode } from '../src/rawnode';
import { StateType } from '../src/state-type';
import { MemoryStorage } from '../src/storage';
import { entriesWithTerms, testConfig } from './raft-fixtures';
import { checkReadyContract } from './rawnode-contract-model';
import { forEachSeed } from '../../common/testkit/seeds';

/** Plays the owner: persists entries and hard state, then advances. */
function persistAndAdvance(node: RawNode, storage: MemoryStorage, ready: Ready): void {
  storage.append(ready.entries);
  if (ready.hardState !== undefined) storage.setHardState(ready.hardState);
  node.advance(ready);
}

function emptyReady(): Ready {
  return { entries: [], committedEntries: [], messages: [] };
}

describe('[2AC] RawNode', () => {
  test('[2AC] a new single-node RawNode campaigns, becomes leader and hands out exactly the expected Readys', () => {
    const storage = new MemoryStorage();
    const node = new RawNode(testConfig(1, [1], storage));
    expect(node.hasReady()).toBe(false);
    node.campaign();
    const first = node.ready();
    const noop = createEntry({ term: 1, index: 1 });
    expectReadyEquals(
      first,
      {
        softState: { lead: 1, raftState: StateType.Leader },
        hardState: { term: 1, vote: 1, commit: 1 },
        entries: [noop],
        committedEntries: [noop],
        messages: [],
      },
      'after a single-node campaign',
    );
    persistAndAdvance(node, storage, first);
    expect(node.hasReady()).toBe(false);
    node.propose(Buffer.from('foo'));
    const second = node.ready();
    const proposed = createEntry({ term: 1, index: 2, data: Buffer.from('foo') });
    expectReadyEquals(
      second,
      { hardState: { term: 1, vote: 1, commit: 2 }, entries: [proposed], committedEntries: [proposed], messages: [] },
      'after proposing "foo" on the leader (soft state unchanged, so absent)',
    );
    persistAndAdvance(node, storage, second);
    expect(node.hasReady()).toBe(false);
    expect({ stabled: node.raft.raftLog.stabled, applied: node.raft.raftLog.applied }).toEqual({ stabled: 2, applied: 2 });
  });

  test('[2AC] a restarted RawNode hands out its committed, unapplied entries and no hard state (it did not change)', () => {
    const entries = entriesWithTerms([1, 1, 1]).map((e) => ({ ...e, data: Buffer.from(`cmd${e.index}`) }));
    const storage = new MemoryStorage(entries);
    storage.setHardState({ term: 1, vote: 0, commit: 2 });
    const node = new RawNode(testConfig(1, [1], storage));
    expect(node.hasReady()).toBe(true);
    const ready = node.ready();
    expectReadyEquals(ready, { ...emptyReady(), committedEntries: entries.slice(0, 2) }, 'first Ready after restart with commit 2 of 3');
    node.advance(ready);
    expect(node.hasReady()).toBe(false);
    expect(node.raft.raftLog.applied).toBe(2);
  });

  test('[2AC] a restart with an applied index hands out only the entries after it', () => {
    const storage = new MemoryStorage(entriesWithTerms([1, 1, 1, 1]));
    storage.setHardState({ term: 1, vote: 1, commit: 3 });
    const node = new RawNode(testConfig(1, [1], storage, { applied: 1 }));
    expectReadyEquals(node.ready(), { ...emptyReady(), committedEntries: entriesWithTerms([1, 1, 1, 1]).slice(1, 3) }, 'after restart with applied 1, commit 3');
  });

  test('[2AC] ready() changes nothing until advance(), and advance hands out each message once', () => {
    const storage = new MemoryStorage();
    const node = new RawNode(testConfig(1, [1, 2, 3], storage, { rng: createRng(7) }));
    node.campaign();
    const first = node.ready();
    const again = node.ready();
    expectReadyEquals(again, first, 'when ready() is called twice without advance()');
    expect(first.softState).toEqual({ lead: 0, raftState: StateType.Candidate });
    expect(first.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(first.messages.map((m) => `${m.msgType}->${m.to}`).sort()).toEqual(['MsgRequestVote->2', 'MsgRequestVote->3']);
    persistAndAdvance(node, storage, first);
    expect(node.hasReady()).toBe(false);
    node.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 1 }));
    const won = node.ready();
    expect(won.softState).toEqual({ lead: 1, raftState: StateType.Leader });
    expect(won.hardState).toBeUndefined();
    expect(won.entries.map((e) => `${e.index}/${e.term}`)).toEqual(['1/1']);
    expect(won.messages.map((m) => `${m.msgType}->${m.to}`).sort()).toEqual(['MsgAppend->2', 'MsgAppend->3']);
    expect(won.committedEntries).toEqual([]);
  });

  test('[2AC] step refuses local message types, and getProgress is filled only on a leader', () => {
    const node = new RawNode(testConfig(1, [1, 2], new MemoryStorage()));
    expect(() => node.step(createMessage({ msgType: MessageType.MsgHup, from: 1, to: 1 }))).toThrow(/local/);
    expect(node.getProgress().size).toBe(0);
    node.campaign();
    node.step(createMessage({ msgType: MessageType.MsgRequestVoteResponse, from: 2, to: 1, term: 1 }));
    const progress = node.getProgress();
    expect([...progress.entries()].map(([id, p]) => ({ id, match: p.match, next: p.next }))).toEqual([
      { id: 1, match: 1, next: 2 },
      { id: 2, match: 0, next: 1 },
    ]);
  });
});

describe('[2AC] the Ready / advance contract, model-based', () => {
  test('[2AC] with propose, step, tick and campaign between ready() and advance(), each Ready carries exactly what the owner has not persisted, applied or sent', () =>
    forEachSeed(3, (seed) => checkReadyContract(seed, 40)),
  );
});
