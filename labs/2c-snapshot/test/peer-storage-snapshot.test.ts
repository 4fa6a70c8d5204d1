// Goal: PeerStorage installs a snapshot the way the 2C handout says — the kv half (old data
// cleared, the snapshot's pairs, apply state, region state) in ONE kv write, before the raft half
// (old log deleted, raft local state moved to the snapshot) — and a storage reopened after a
// crash between the two writes rebuilds a consistent raft state. Method: hand-made Readies over
// memory engines that record the order of writes, then a reopened PeerStorage and a RawNode over it.
import { CF_DEFAULT, CF_LOCK, type ColumnFamily, type Engine, type ReadView } from '../../common/engine/engine';
import { MemoryEngine } from '../../common/engine/memory-engine';
import { WriteBatch } from '../../common/engine/write-batch';
import { createEntry, type Entry } from '../../common/raft/entry';
import type { Snapshot } from '../../common/raft/snapshot';
import { applyStateKey, dataKey, raftLogKey, raftStateKey, regionStateKey } from '../../common/raftstore/meta-keys';
import { decodeApplyState, encodeApplyState } from '../../common/raftstore/raft-apply-state';
import { decodeRaftLocalState } from '../../common/raftstore/raft-local-state';
import { decodeRegion, type Region } from '../../common/raftstore/region';
import { encodeSnapshotData, type SnapshotPair } from '../../common/raftstore/snapshot-data';
import type { Ready } from '../../2a-raft/src/ready';
import { bootstrapStore } from '../../2b-raftstore/src/bootstrap';
import { PeerStorage } from '../../2b-raftstore/src/peer-storage';

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

/** An engine that logs its non-empty writes, in order, into a shared journal. */
class JournalEngine implements Engine {
  readonly inner = new MemoryEngine();
  readonly backend = 'journal';
  readonly maxKeyBytes = this.inner.maxKeyBytes;
  /** When set, the next write is lost (a crash) and throws. */
  failNextWrite = false;
  constructor(
    private readonly name: string,
    private readonly journal: string[],
  ) {}
  get closed(): boolean {
    return this.inner.closed;
  }
  get(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    return this.inner.get(cf, key);
  }
  write(batch: WriteBatch): void {
    if (batch.isEmpty()) return;
    if (this.failNextWrite) {
      this.failNextWrite = false;
      throw new Error(`crash: the ${this.name} write was lost`);
    }
    this.journal.push(this.name);
    this.inner.write(batch);
  }
  view(): ReadView {
    return this.inner.view();
  }
  close(): void {
    this.inner.close();
  }
}

function newEngines(): { raft: JournalEngine; kv: JournalEngine; journal: string[] } {
  const journal: string[] = [];
  const engines = { raft: new JournalEngine('raft', journal), kv: new JournalEngine('kv', journal), journal };
  bootstrapStore(engines, REGION);
  journal.length = 0;
  return engines;
}

function entries(first: number, last: number, term: number): Entry[] {
  return Array.from({ length: last - first + 1 }, (_, i) => createEntry({ index: first + i, term, data: Buffer.from(`e${first + i}`) }));
}

function ready(fields: Partial<Ready>): Ready {
  return { entries: [], committedEntries: [], messages: [], ...fields };
}

/** A snapshot of REGION at (index, term) holding `pairs` (user keys). */
function regionSnapshot(index: number, term: number, pairs: Record<string, string>, lockPairs: Record<string, string> = {}): Snapshot {
  const data = encodeSnapshotData({
    region: { ...REGION, epoch: { confVer: 1, version: 1 } },
    pairs: [
      ...Object.entries(pairs).map(([key, value]): SnapshotPair => ({ cf: CF_DEFAULT, key: Buffer.from(key), value: Buffer.from(value) })),
      ...Object.entries(lockPairs).map(([key, value]): SnapshotPair => ({ cf: CF_LOCK, key: Buffer.from(key), value: Buffer.from(value) })),
    ],
  });
  return { data, metadata: { index, term, confState: { nodes: [1, 2, 3] } } };
}

/** A storage with entries 1..5 (term 1) persisted and the first 2 applied, plus some old user data. */
function storageWithOldLog(engines: ReturnType<typeof newEngines>): PeerStorage {
  const storage = new PeerStorage(engines, REGION, '[region 1 peer 1]');
  storage.saveReadyState(ready({ entries: entries(1, 5, 1), hardState: { term: 1, vote: 1, commit: 2 } }));
  const applied = encodeApplyState({ appliedIndex: 2, truncatedState: { index: 0, term: 0 } });
  engines.kv.write(new WriteBatch().put(CF_DEFAULT, dataKey(Buffer.from('old')), Buffer.from('gone')).put(CF_DEFAULT, applyStateKey(1), applied));
  engines.journal.length = 0;
  return new PeerStorage(engines, REGION, '[region 1 peer 1]');
}

function userValue(engines: ReturnType<typeof newEngines>, key: string, cf: ColumnFamily = CF_DEFAULT): string | undefined {
  return engines.kv.get(cf, dataKey(Buffer.from(key)))?.toString();
}

describe('[2C] installing a snapshot in the peer storage', () => {
  test('[2C] saveReadyState with a snapshot writes the kv half first, in one write, then the raft half in one write', () => {
    const engines = newEngines();
    const storage = storageWithOldLog(engines);
    storage.saveReadyState(ready({ snapshot: regionSnapshot(10, 2, { a: '1', b: '2' }, { a: 'lock' }), hardState: { term: 2, vote: 0, commit: 10 } }));
    expect(engines.journal).toEqual(['kv', 'raft']);
    expect({ a: userValue(engines, 'a'), b: userValue(engines, 'b'), lockA: userValue(engines, 'a', CF_LOCK), old: userValue(engines, 'old') }).toEqual({ a: '1', b: '2', lockA: 'lock', old: undefined });
    const apply = decodeApplyState(engines.kv.get(CF_DEFAULT, applyStateKey(1)) as Buffer);
    expect(apply).toEqual({ appliedIndex: 10, truncatedState: { index: 10, term: 2 } });
    expect(decodeRegion(engines.kv.get(CF_DEFAULT, regionStateKey(1)) as Buffer).id).toBe(1);
    const raftState = decodeRaftLocalState(engines.raft.get(CF_DEFAULT, raftStateKey(1)) as Buffer);
    expect(raftState).toEqual({ hardState: { term: 2, vote: 0, commit: 10 }, lastIndex: 10, lastTerm: 2 });
    const oldEntries = [1, 3, 5].filter((index) => engines.raft.get(CF_DEFAULT, raftLogKey(1, index)) !== undefined);
    expect({ oldEntriesLeft: oldEntries }).toEqual({ oldEntriesLeft: [] });
  });

  test('[2C] after a snapshot the storage answers as a log that starts after it, also once reopened', () => {
    const engines = newEngines();
    const storage = storageWithOldLog(engines);
    storage.saveReadyState(ready({ snapshot: regionSnapshot(10, 2, { a: '1' }), entries: entries(11, 12, 2), hardState: { term: 2, vote: 0, commit: 10 } }));
    for (const view of [storage, new PeerStorage(engines, REGION, '[region 1 peer 1] reopened')]) {
      expect({ first: view.firstIndex(), last: view.lastIndex(), termOf10: view.term(10), termOf12: view.term(12), applied: view.appliedIndex() }).toEqual({
        first: 11,
        last: 12,
        termOf10: 2,
        termOf12: 2,
        applied: 10,
      });
      expect(() => view.entries(10, 12)).toThrow(expect.objectContaining({ kind: 'compacted' }));
      expect(view.entries(11, 13).map((entry) => entry.index)).toEqual([11, 12]);
    }
  });

  test('[2C] a storage reopened after a crash between the kv and the raft write of an install rebuilds its log from the snapshot', () => {
    const engines = newEngines();
    const storage = storageWithOldLog(engines);
    engines.raft.failNextWrite = true;
    expect(() => storage.saveReadyState(ready({ snapshot: regionSnapshot(10, 2, { a: '1' }), hardState: { term: 2, vote: 0, commit: 10 } }))).toThrow('crash');
    expect(engines.journal).toEqual(['kv']);
    const reopened = new PeerStorage(engines, REGION, '[region 1 peer 1] after the crash');
    expect({
      first: reopened.firstIndex(),
      last: reopened.lastIndex(),
      termOfLast: reopened.term(reopened.lastIndex()),
      applied: reopened.appliedIndex(),
      commit: reopened.initialState().hardState.commit,
    }).toEqual({ first: 11, last: 10, termOfLast: 2, applied: 10, commit: 10 });
    expect(userValue(engines, 'a')).toBe('1');
  });
});
