/**
 * Peer storage: the raft `Storage` of one peer over its store's two engines, and the code
 * that persists a Ready. (Student file, 2B.)
 *
 * @module
 */
import type { WriteBatch } from '../../common/engine/write-batch';
import type { Entry } from '../../common/raft/entry';
import type { Snapshot } from '../../common/raft/snapshot';
import { NotImplementedError } from '../../common/not-implemented';
import type { RaftApplyState } from '../../common/raftstore/raft-apply-state';
import type { RaftLocalState } from '../../common/raftstore/raft-local-state';
import type { Region } from '../../common/raftstore/region';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import type { Ready } from '../../2a-raft/src/ready';
import type { InitialState, Storage } from '../../2a-raft/src/storage';
import { SnapshotGenerator } from './snapshot-generator';

const HANDOUT = 'labs/2b-raftstore/README.md#peer-storage';
const SNAPSHOTS = 'labs/2c-snapshot/README.md#the-raftstore-side';

/**
 * The persisted log of one peer. Raft reads it through the {@link Storage} methods; the
 * peer writes it through {@link PeerStorage.saveReadyState}. Log entries and the raft local
 * state live in the raft engine; the apply state lives in the kv engine (it must change in
 * the same batch as the data the applied entries wrote).
 */
export class PeerStorage implements Storage {
  /** The region this peer replicates. */
  region: Region;
  /** The raft local state as last persisted (hard state, last index and term). */
  raftState!: RaftLocalState;
  /** The apply state as last persisted (applied index, truncated state). */
  applyState!: RaftApplyState;
  /** `[region 1 peer 2]`, for messages. */
  readonly tag: string;
  private readonly engines: StoreEngines;
  /** Builds snapshots for Raft in the background (provided, 2C). */
  private readonly snapshots: SnapshotGenerator;

  /**
   * Loads the peer's raft local state and apply state from the engines; a peer that has
   * persisted nothing yet starts from the initial states.
   *
   * @param engines - the store's engines.
   * @param region - the region replicated.
   * @param tag - a label for messages.
   * @param snapshots - the snapshot builder (2C); by default none (the log is never compacted).
   */
  constructor(engines: StoreEngines, region: Region, tag: string, snapshots: SnapshotGenerator = SnapshotGenerator.none()) {
    this.engines = engines;
    this.region = region;
    this.tag = tag;
    this.snapshots = snapshots;
    // TODO(2B): read raftStateKey(region.id) from the raft engine and applyStateKey(region.id)
    // from the kv engine (decodeRaftLocalState / decodeApplyState); when a record is absent
    // start from initialRaftLocalState() / initialApplyState().
    // TODO(2C): recover from a crash between the two writes of applySnapshot: when the kv
    // engine says more was applied than the raft engine says was committed, the snapshot's kv
    // half landed and its raft half did not — the log now ends at the truncated state, and the
    // commit index is the applied index (see the handout's "Order of writes").
    throw new NotImplementedError('2B', 'PeerStorage constructor', HANDOUT);
  }

  initialState(): InitialState {
    // TODO(2B): the persisted hard state, and the region's peer ids as the conf state.
    throw new NotImplementedError('2B', 'PeerStorage.initialState', HANDOUT);
  }

  entries(lo: number, hi: number): Entry[] {
    // TODO(2B): read raftLogKey(regionId, i) for i in [lo, hi) from the raft engine. Throw
    // StorageError('compacted') when lo <= the truncated index, StorageError('unavailable')
    // when hi > lastIndex() + 1. Index i is the i-th entry, not array slot i.
    throw new NotImplementedError('2B', 'PeerStorage.entries', HANDOUT);
  }

  term(index: number): number {
    // TODO(2B): the truncated index has the truncated term (0/0 in 2B); below it 'compacted',
    // above lastIndex() 'unavailable'; otherwise the stored entry's term.
    throw new NotImplementedError('2B', 'PeerStorage.term', HANDOUT);
  }

  lastIndex(): number {
    // TODO(2B): from the raft local state, not from a scan of the engine.
    throw new NotImplementedError('2B', 'PeerStorage.lastIndex', HANDOUT);
  }

  firstIndex(): number {
    // TODO(2B): the truncated index + 1.
    throw new NotImplementedError('2B', 'PeerStorage.firstIndex', HANDOUT);
  }

  /**
   * The snapshot Raft sends a follower that needs compacted entries. Provided: the store's
   * snapshot worker builds it in the background; until it is ready this throws
   * `StorageError('snapshotTemporarilyUnavailable')` and Raft asks again later. While the log
   * was never compacted (2B) it is the empty snapshot.
   */
  snapshot(): Snapshot {
    return this.snapshots.snapshot({
      kv: this.engines.kv,
      regionId: this.region.id,
      truncatedIndex: this.applyState.truncatedState.index,
      term: (index) => this.term(index),
    });
  }

  /** The last index whose effects are in the kv engine. */
  appliedIndex(): number {
    // TODO(2B): the apply state's applied index.
    throw new NotImplementedError('2B', 'PeerStorage.appliedIndex', HANDOUT);
  }

  /**
   * Adds entries to the raft batch and updates the in-memory raft local state. Entries past
   * the new last index that were persisted before are deleted: they conflicted with the
   * leader's log and can never be committed.
   *
   * @param entries - consecutive entries, the first at most `lastIndex() + 1`.
   * @param raftBatch - the batch that will be written to the raft engine.
   */
  append(entries: readonly Entry[], raftBatch: WriteBatch): void {
    // TODO(2B): put every entry (encodeEntry) under raftLogKey; DELETE the old entries after
    // the new last index (a classic bug is to leave them: after a restart Raft reads a tail
    // that was overwritten); set raftState.lastIndex / lastTerm.
    throw new NotImplementedError('2B', 'PeerStorage.append', HANDOUT);
  }

  /**
   * Installs a snapshot received from the leader (2C). Writes its kv half at once, in ONE kv
   * batch: the region's old user data cleared, the snapshot's pairs, the apply state (applied
   * and truncated at the snapshot) and the region state. Puts its raft half into `raftBatch`,
   * which the caller writes next: the old log entries deleted and the raft local state's last
   * index and term moved to the snapshot. The constructor's recovery rule covers a crash
   * between the two writes.
   *
   * @param snapshot - a non-empty snapshot (its data: `encodeSnapshotData`).
   * @param raftBatch - the batch the caller will write to the raft engine.
   */
  applySnapshot(snapshot: Snapshot, raftBatch: WriteBatch): void {
    // TODO(2C): decodeSnapshotData(snapshot.data); one kv WriteBatch: deleteRange every column
    // family over the region's data keys (dataKey(startKey) .. dataEndKey(endKey)) — only when
    // this peer already holds data, see the handout —, put every pair under dataKey(pair.key),
    // put the new apply state { appliedIndex: index, truncatedState: { index, term } } and the
    // region state (regionStateKey, encodeRegion); write it. Then into raftBatch: delete the old
    // log entries; set raftState lastIndex/lastTerm to the snapshot's. Update this.applyState and
    // this.region.
    throw new NotImplementedError('2C', 'PeerStorage.applySnapshot', SNAPSHOTS);
  }

  /**
   * Persists a Ready's entries and hard state with ONE write to the raft engine, so that a
   * crash leaves either all of it or none of it. A Ready with a snapshot (2C) installs it first.
   *
   * @param ready - the Ready being handled.
   */
  saveReadyState(ready: Ready): void {
    // TODO(2B): one WriteBatch: append(ready.entries), the new hard state if any, and the raft
    // local state record; write it once. Write nothing when nothing changed.
    // TODO(2C): a non-empty ready.snapshot is installed first with applySnapshot(snapshot,
    // raftBatch), before append: the raft local state record is then always written.
    throw new NotImplementedError('2B', 'PeerStorage.saveReadyState', HANDOUT);
  }
}
