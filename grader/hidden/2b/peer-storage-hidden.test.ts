// Goal: more PeerStorage edge cases: an overlapping append in the middle of the log, a
// hard-state-only Ready, and many conflicting appends before a restart. Method: hand-made
// Readies over memory engines, then a reopened PeerStorage and a RawNode over it.
import { CF_DEFAULT } from '../../../labs/common/engine/engine';
import { MemoryEngine } from '../../../labs/common/engine/memory-engine';
import { createEntry, type Entry } from '../../../labs/common/raft/entry';
import { raftLogKey } from '../../../labs/common/raftstore/meta-keys';
import type { Region } from '../../../labs/common/raftstore/region';
import { createRng } from '../../../labs/common/runtime/rng';
import { RawNode } from '../../../labs/2a-raft/src/rawnode';
import type { Ready } from '../../../labs/2a-raft/src/ready';
import { bootstrapStore } from '../../../labs/2b-raftstore/src/bootstrap';
import { PeerStorage } from '../../../labs/2b-raftstore/src/peer-storage';

const REGION: Region = { id: 7, startKey: Buffer.alloc(0), endKey: Buffer.alloc(0), epoch: { confVer: 1, version: 1 }, peers: [{ id: 4, storeId: 1 }, { id: 5, storeId: 2 }] };

function setup(): { raft: MemoryEngine; kv: MemoryEngine } {
  const engines = { raft: new MemoryEngine(), kv: new MemoryEngine() };
  bootstrapStore(engines, REGION);
  return engines;
}

function entries(first: number, last: number, term: number): Entry[] {
  return Array.from({ length: last - first + 1 }, (_, i) => createEntry({ index: first + i, term, data: Buffer.from(`t${term}i${first + i}`) }));
}

function ready(fields: Partial<Ready>): Ready {
  return { entries: [], committedEntries: [], messages: [], ...fields };
}

function raftOver(storage: PeerStorage): RawNode {
  return new RawNode({ id: 4, peers: [], electionTick: 10, heartbeatTick: 2, storage, applied: storage.appliedIndex(), rng: createRng(3) });
}

describe('[2B] hidden peer storage', () => {
  test('[2B] an append overlapping the middle of the log keeps the prefix, replaces the overlap and drops the rest', () => {
    const engines = setup();
    const storage = new PeerStorage(engines, REGION, '[t]');
    storage.saveReadyState(ready({ entries: entries(1, 6, 1), hardState: { term: 1, vote: 4, commit: 1 } }));
    storage.saveReadyState(ready({ entries: entries(3, 4, 3), hardState: { term: 3, vote: 0, commit: 1 } }));
    const reopened = new PeerStorage(engines, REGION, '[t]');
    expect(reopened.entries(1, 5).map((entry) => entry.data.toString())).toEqual(['t1i1', 't1i2', 't3i3', 't3i4']);
    expect(reopened.lastIndex()).toBe(4);
    expect(engines.raft.get(CF_DEFAULT, raftLogKey(7, 5))).toBeUndefined();
    expect(engines.raft.get(CF_DEFAULT, raftLogKey(7, 6))).toBeUndefined();
    expect(raftOver(reopened).raft.raftLog.lastIndex()).toBe(4);
  });

  test('[2B] a Ready with only a hard state keeps the last index and term', () => {
    const engines = setup();
    const storage = new PeerStorage(engines, REGION, '[t]');
    storage.saveReadyState(ready({ entries: entries(1, 2, 1), hardState: { term: 1, vote: 4, commit: 0 } }));
    storage.saveReadyState(ready({ hardState: { term: 1, vote: 4, commit: 2 } }));
    const reopened = new PeerStorage(engines, REGION, '[t]');
    expect(reopened.lastIndex()).toBe(2);
    expect(reopened.term(2)).toBe(1);
    expect(reopened.initialState().hardState.commit).toBe(2);
    expect(raftOver(reopened).raft.raftLog.committed).toBe(2);
  });

  test('[2B] many conflicting appends leave exactly the last log after a restart', () => {
    const engines = setup();
    const storage = new PeerStorage(engines, REGION, '[t]');
    storage.saveReadyState(ready({ entries: entries(1, 10, 1) }));
    storage.saveReadyState(ready({ entries: entries(5, 8, 2) }));
    storage.saveReadyState(ready({ entries: entries(2, 3, 3) }));
    storage.saveReadyState(ready({ entries: entries(4, 5, 3) }));
    const reopened = new PeerStorage(engines, REGION, '[t]');
    expect(reopened.lastIndex()).toBe(5);
    expect(reopened.entries(1, 6).map((entry) => entry.term)).toEqual([1, 3, 3, 3, 3]);
    for (let index = 6; index <= 10; index++) expect(engines.raft.get(CF_DEFAULT, raftLogKey(7, index))).toBeUndefined();
    expect(raftOver(reopened).raft.raftLog.lastIndex()).toBe(5);
  });
});
