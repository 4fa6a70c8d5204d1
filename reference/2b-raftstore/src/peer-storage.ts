/**
 * Peer storage: the raft `Storage` of one peer over its store's two engines, and the code
 * that persists a Ready. (Student file, 2B.)
 *
 * @module
 */
import { CF_DEFAULT, COLUMN_FAMILIES } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import type { Entry } from '../../common/raft/entry';
import { isEmptySnapshot, type Snapshot } from '../../common/raft/snapshot';
import { decodeEntry, encodeEntry } from '../../common/raftstore/entry-codec';
import { applyStateKey, dataEndKey, dataKey, raftLogKey, raftStateKey, regionStateKey } from '../../common/raftstore/meta-keys';
import { decodeApplyState, encodeApplyState, initialApplyState, type RaftApplyState } from '../../common/raftstore/raft-apply-state';
import { decodeRaftLocalState, encodeRaftLocalState, initialRaftLocalState, type RaftLocalState } from '../../common/raftstore/raft-local-state';
import { encodeRegion, type Region } from '../../common/raftstore/region';
import { decodeSnapshotData } from '../../common/raftstore/snapshot-data';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import type { Ready } from '../../2a-raft/src/ready';
import { StorageError, type InitialState, type Storage } from '../../2a-raft/src/storage';
import { SnapshotGenerator } from './snapshot-generator';

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
  raftState: RaftLocalState;
  /** The apply state as last persisted (applied index, truncated state). */
  applyState: RaftApplyState;
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
    const raftBytes = engines.raft.get(CF_DEFAULT, raftStateKey(region.id));
    this.raftState = raftBytes === undefined ? initialRaftLocalState() : decodeRaftLocalState(raftBytes);
    const applyBytes = engines.kv.get(CF_DEFAULT, applyStateKey(region.id));
    this.applyState = applyBytes === undefined ? initialApplyState() : decodeApplyState(applyBytes);
    if (this.applyState.appliedIndex > this.raftState.hardState.commit) this.recoverSnapshotRaftHalf();
  }

  initialState(): InitialState {
    return { hardState: { ...this.raftState.hardState }, confState: { nodes: this.region.peers.map((peer) => peer.id) } };
  }

  entries(lo: number, hi: number): Entry[] {
    if (lo <= this.truncatedIndex()) throw new StorageError('compacted', `${this.tag} cannot read entries from ${lo}: the log was compacted up to ${this.truncatedIndex()}.`);
    if (hi > this.lastIndex() + 1) throw new StorageError('unavailable', `${this.tag} cannot read entries up to ${hi - 1}: the last index is ${this.lastIndex()}.`);
    const entries: Entry[] = [];
    for (let index = lo; index < hi; index++) entries.push(this.readEntry(index));
    return entries;
  }

  term(index: number): number {
    const truncated = this.applyState.truncatedState;
    if (index === truncated.index) return truncated.term;
    if (index < truncated.index) throw new StorageError('compacted', `${this.tag} cannot read the term of ${index}: the log was compacted up to ${truncated.index}.`);
    if (index > this.lastIndex()) throw new StorageError('unavailable', `${this.tag} cannot read the term of ${index}: the last index is ${this.lastIndex()}.`);
    if (index === this.raftState.lastIndex) return this.raftState.lastTerm;
    return this.readEntry(index).term;
  }

  lastIndex(): number {
    return this.raftState.lastIndex;
  }

  firstIndex(): number {
    return this.truncatedIndex() + 1;
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
    return this.applyState.appliedIndex;
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
    if (entries.length === 0) return;
    const previousLast = this.raftState.lastIndex;
    const last = entries[entries.length - 1];
    for (const entry of entries) raftBatch.put(CF_DEFAULT, raftLogKey(this.region.id, entry.index), encodeEntry(entry));
    for (let index = last.index + 1; index <= previousLast; index++) raftBatch.delete(CF_DEFAULT, raftLogKey(this.region.id, index));
    this.raftState = { ...this.raftState, lastIndex: last.index, lastTerm: last.term };
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
    const { index, term } = snapshot.metadata;
    const data = decodeSnapshotData(snapshot.data);
    const kvBatch = new WriteBatch();
    // An uninitialised peer (no peers yet: created by a message, 3B) has an empty range that
    // would mean "every key": clear nothing of its own, only the range the snapshot covers.
    if (this.region.peers.length > 0) clearRegionData(kvBatch, this.region);
    clearRegionData(kvBatch, data.region);
    for (const pair of data.pairs) kvBatch.put(pair.cf, dataKey(pair.key), pair.value);
    const applyState: RaftApplyState = { appliedIndex: index, truncatedState: { index, term } };
    kvBatch.put(CF_DEFAULT, applyStateKey(data.region.id), encodeApplyState(applyState));
    kvBatch.put(CF_DEFAULT, regionStateKey(data.region.id), encodeRegion(data.region));
    // The kv half first: the raft half can be rebuilt from it (see recoverSnapshotRaftHalf),
    // never the other way round.
    this.engines.kv.write(kvBatch);
    this.applyState = applyState;
    this.region = data.region;
    raftBatch.deleteRange(CF_DEFAULT, raftLogKey(data.region.id, 0), raftLogKey(data.region.id, Math.max(this.raftState.lastIndex, index) + 1));
    this.raftState = { ...this.raftState, lastIndex: index, lastTerm: term };
  }

  /**
   * Persists a Ready's entries and hard state with ONE write to the raft engine, so that a
   * crash leaves either all of it or none of it. A Ready with a snapshot (2C) installs it first.
   *
   * @param ready - the Ready being handled.
   */
  saveReadyState(ready: Ready): void {
    const raftBatch = new WriteBatch();
    const hasSnapshot = !isEmptySnapshot(ready.snapshot);
    if (hasSnapshot) this.applySnapshot(ready.snapshot as Snapshot, raftBatch);
    this.append(ready.entries, raftBatch);
    if (ready.hardState !== undefined) this.raftState = { ...this.raftState, hardState: { ...ready.hardState } };
    if (raftBatch.isEmpty() && ready.hardState === undefined && !hasSnapshot) return;
    raftBatch.put(CF_DEFAULT, raftStateKey(this.region.id), encodeRaftLocalState(this.raftState));
    this.engines.raft.write(raftBatch);
  }

  /**
   * A crash between the two writes of {@link applySnapshot}: the kv engine holds the snapshot
   * (applied and truncated at its index) while the raft engine still describes the old log,
   * committed only up to an older index. The snapshot's index is committed (a leader sent it),
   * so the log is the snapshot now: it ends at the truncated state, and the commit index is
   * the applied index. Nothing was sent for that Ready (messages go after both writes), so
   * forgetting its hard state promises nothing to anyone.
   */
  private recoverSnapshotRaftHalf(): void {
    const truncated = this.applyState.truncatedState;
    if (truncated.index !== this.applyState.appliedIndex) {
      throw new Error(`${this.tag} applied index ${this.applyState.appliedIndex} is past its commit index ${this.raftState.hardState.commit} and no snapshot explains it: the engines are inconsistent.`);
    }
    const hardState = this.raftState.hardState;
    const term = Math.max(hardState.term, truncated.term);
    this.raftState = {
      hardState: { term, vote: term === hardState.term ? hardState.vote : 0, commit: truncated.index },
      lastIndex: truncated.index,
      lastTerm: truncated.term,
    };
  }

  private truncatedIndex(): number {
    return this.applyState.truncatedState.index;
  }

  private readEntry(index: number): Entry {
    const bytes = this.engines.raft.get(CF_DEFAULT, raftLogKey(this.region.id, index));
    if (bytes === undefined) throw new Error(`${this.tag} has no entry ${index} in its raft engine although its last index is ${this.lastIndex()}: the raft engine is inconsistent.`);
    return decodeEntry(bytes);
  }
}

/** Deletes every user key of `region`, in every column family. */
function clearRegionData(kvBatch: WriteBatch, region: Region): void {
  for (const cf of COLUMN_FAMILIES) kvBatch.deleteRange(cf, dataKey(region.startKey), dataEndKey(region.endKey));
}
