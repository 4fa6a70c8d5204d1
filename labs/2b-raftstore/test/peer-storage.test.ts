// Goal: PeerStorage, the raft Storage over a store's two engines, keeps the records the
// handout describes and survives a restart. Method: drive it with hand-made Readies over
// memory engines, count engine writes, reopen it on the same engines, and check that a
// RawNode (the raft library) built over it reads back the same log and hard state.
import { CF_DEFAULT, type Engine, type ReadView, type ColumnFamily } from '../../common/engine/engine';
import { MemoryEngine } from '../../common/engine/memory-engine';
import { WriteBatch } from '../../common/engine/write-batch';
import { createEntry, type Entry } from '../../common/raft/entry';
import { raftLogKey, raftStateKey } from '../../common/raftstore/meta-keys';
import { decodeRaftLocalState } from '../../common/raftstore/raft-local-state';
import type { Region } from '../../common/raftstore/region';
import { createRng } from '../../common/runtime/rng';
import { RawNode } from '../../2a-raft/src/rawnode';
import type { Ready } from '../../2a-raft/src/ready';
import { isStorageError } from '../../2a-raft/src/storage';
import { bootstrapStore } from '../src/bootstrap';
import { PeerStorage } from '../src/peer-storage';

const REGION: Region = {
  id: 1,
  startKey: Buffer.alloc(0),
  endKey: Buffer.alloc(0),
  epoch: { confVer: 1, version: 1 },
  peers: [
    { id: 1, storeId: 1 },
    { id: 2, storeId: 2 },
    { id: 3, storeId: 3 },
  ],
};

/** An engine that counts its non-empty writes. */
class CountingEngine implements Engine {
  writes = 0;
  readonly inner = new MemoryEngine();
  readonly backend = 'counting';
  readonly maxKeyBytes = this.inner.maxKeyBytes;
  get closed(): boolean {
    return this.inner.closed;
  }
  get(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    return this.inner.get(cf, key);
  }
  write(batch: WriteBatch): void {
    if (!batch.isEmpty()) this.writes++;
    this.inner.write(batch);
  }
  view(): ReadView {
    return this.inner.view();
  }
  close(): void {
    this.inner.close();
  }
}

function newEngines(): { raft: CountingEngine; kv: CountingEngine } {
  const engines = { raft: new CountingEngine(), kv: new CountingEngine() };
  bootstrapStore(engines, REGION);
  engines.raft.writes = 0;
  engines.kv.writes = 0;
  return engines;
}

function entries(first: number, last: number, term: number): Entry[] {
  return Array.from({ length: last - first + 1 }, (_, i) => createEntry({ index: first + i, term, data: Buffer.from(`e${first + i}`) }));
}

function ready(fields: Partial<Ready>): Ready {
  return { entries: [], committedEntries: [], messages: [], ...fields };
}

/** The raft library's view of the storage: a RawNode restarted over it. */
function raftOver(storage: PeerStorage): RawNode {
  return new RawNode({ id: 1, peers: [], electionTick: 10, heartbeatTick: 2, storage, applied: storage.appliedIndex(), rng: createRng(7) });
}

describe('[2B] peer storage', () => {
  test('[2B] a new peer has an empty log: first index 1, last index 0, term(0) = 0, and its members come from the region', () => {
    const storage = new PeerStorage(newEngines(), REGION, '[test]');
    expect(storage.firstIndex()).toBe(1);
    expect(storage.lastIndex()).toBe(0);
    expect(storage.term(0)).toBe(0);
    expect(storage.initialState().confState.nodes).toEqual([1, 2, 3]);
    expect(storage.appliedIndex()).toBe(0);
    const node = raftOver(storage);
    expect(node.raft.raftLog.lastIndex()).toBe(0);
    expect([...node.raft.prs.keys()].sort()).toEqual([1, 2, 3]);
  });

  test('[2B] saveReadyState writes entries and hard state in ONE raft-engine write, and a reopened peer storage reads them back', () => {
    const engines = newEngines();
    const storage = new PeerStorage(engines, REGION, '[test]');
    storage.saveReadyState(ready({ entries: entries(1, 3, 2), hardState: { term: 2, vote: 1, commit: 2 } }));
    expect(engines.raft.writes).toBe(1);
    expect(engines.kv.writes).toBe(0);
    const stored = decodeRaftLocalState(engines.raft.get(CF_DEFAULT, raftStateKey(1)) as Buffer);
    expect(stored).toEqual({ hardState: { term: 2, vote: 1, commit: 2 }, lastIndex: 3, lastTerm: 2 });
    const reopened = new PeerStorage(engines, REGION, '[test]');
    expect(reopened.lastIndex()).toBe(3);
    expect(reopened.term(3)).toBe(2);
    expect(reopened.entries(1, 4).map((entry) => entry.data.toString())).toEqual(['e1', 'e2', 'e3']);
    expect(reopened.initialState().hardState).toEqual({ term: 2, vote: 1, commit: 2 });
    const node = raftOver(reopened);
    expect(node.raft.term).toBe(2);
    expect(node.raft.vote).toBe(1);
    expect(node.raft.raftLog.lastIndex()).toBe(3);
    expect(node.raft.raftLog.committed).toBe(2);
  });

  test('[2B] append deletes persisted entries past the new last index: an overwritten tail never comes back after a restart', () => {
    const engines = newEngines();
    const storage = new PeerStorage(engines, REGION, '[test]');
    storage.saveReadyState(ready({ entries: entries(1, 5, 1), hardState: { term: 1, vote: 0, commit: 0 } }));
    storage.saveReadyState(ready({ entries: entries(3, 3, 2), hardState: { term: 2, vote: 0, commit: 0 } }));
    expect(storage.lastIndex()).toBe(3);
    expect(storage.term(3)).toBe(2);
    expect(engines.raft.get(CF_DEFAULT, raftLogKey(1, 4))).toBeUndefined();
    expect(engines.raft.get(CF_DEFAULT, raftLogKey(1, 5))).toBeUndefined();
    const reopened = new PeerStorage(engines, REGION, '[test]');
    expect(reopened.lastIndex()).toBe(3);
    expect(raftOver(reopened).raft.raftLog.lastIndex()).toBe(3);
  });

  test('[2B] append puts entries into the caller\'s batch and writes nothing itself', () => {
    const engines = newEngines();
    const storage = new PeerStorage(engines, REGION, '[test]');
    const batch = new WriteBatch();
    storage.append(entries(1, 2, 1), batch);
    expect(engines.raft.writes).toBe(0);
    expect(batch.length).toBeGreaterThanOrEqual(2);
    expect(storage.lastIndex()).toBe(2);
    engines.raft.write(batch);
    expect(storage.entries(1, 3).map((entry) => entry.data.toString())).toEqual(['e1', 'e2']);
    expect(raftOver(storage).raft.raftLog.lastIndex()).toBe(2);
  });

  test('[2B] entries and term refuse indexes past the last one with StorageError unavailable', () => {
    const engines = newEngines();
    const storage = new PeerStorage(engines, REGION, '[test]');
    storage.saveReadyState(ready({ entries: entries(1, 2, 1) }));
    expect(() => storage.entries(1, 4)).toThrow(expect.objectContaining({ kind: 'unavailable' }));
    let thrown: unknown;
    try {
      storage.term(3);
    } catch (error) {
      thrown = error;
    }
    expect(isStorageError(thrown, 'unavailable')).toBe(true);
    expect(() => storage.entries(0, 2)).toThrow(expect.objectContaining({ kind: 'compacted' }));
    expect(raftOver(storage).raft.raftLog.lastIndex()).toBe(2);
  });

  test('[2B] a Ready with no entries and no hard state writes nothing', () => {
    const engines = newEngines();
    const storage = new PeerStorage(engines, REGION, '[test]');
    storage.saveReadyState(ready({}));
    expect(engines.raft.writes).toBe(0);
    storage.saveReadyState(ready({ hardState: { term: 1, vote: 2, commit: 0 } }));
    expect(engines.raft.writes).toBe(1);
    expect(raftOver(new PeerStorage(engines, REGION, '[test]')).raft.vote).toBe(2);
  });
});
