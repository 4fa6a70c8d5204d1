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

const HANDOUT = 'labs/2b-raftstore/README.md#peer-storage';

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

  /**
   * Loads the peer's raft local state and apply state from the engines; a peer that has
   * persisted nothing yet starts from the initial states.
   *
   * @param engines - the store's engines.
   * @param region - the region replicated.
   * @param tag - a label for messages.
   */
  constructor(engines: StoreEngines, region: Region, tag: string) {
    this.engines = engines;
    this.region = region;
    this.tag = tag;
    // TODO(2B): read raftStateKey(region.id) from the raft engine and applyStateKey(region.id)
    // from the kv engine (decodeRaftLocalState / decodeApplyState); when a record is absent
    // start from initialRaftLocalState() / initialApplyState().
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

  snapshot(): Snapshot {
    // TODO(2B): return emptySnapshot() while the log was never truncated; snapshots are 2C.
    throw new NotImplementedError('2B', 'PeerStorage.snapshot', HANDOUT);
  }

  /** The last index whose effects are in the kv engine. */
  appliedIndex(): number {
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
   * Persists a Ready's entries and hard state with ONE write to the raft engine, so that a
   * crash leaves either all of it or none of it.
   *
   * @param ready - the Ready being handled.
   */
  saveReadyState(ready: Ready): void {
    // TODO(2B): one WriteBatch: append(ready.entries), the new hard state if any, and the raft
    // local state record; write it once. Write nothing when nothing changed.
    throw new NotImplementedError('2B', 'PeerStorage.saveReadyState', HANDOUT);
  }
}
