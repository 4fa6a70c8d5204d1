/**
 * Peer storage: the raft `Storage` of one peer over its store's two engines, and the code
 * that persists a Ready. (Student file, 2B.)
 *
 * @module
 */
import { CF_DEFAULT } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import type { Entry } from '../../common/raft/entry';
import { emptySnapshot, type Snapshot } from '../../common/raft/snapshot';
import { decodeEntry, encodeEntry } from '../../common/raftstore/entry-codec';
import { applyStateKey, raftLogKey, raftStateKey } from '../../common/raftstore/meta-keys';
import { decodeApplyState, initialApplyState, type RaftApplyState } from '../../common/raftstore/raft-apply-state';
import { decodeRaftLocalState, encodeRaftLocalState, initialRaftLocalState, type RaftLocalState } from '../../common/raftstore/raft-local-state';
import type { Region } from '../../common/raftstore/region';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import type { Ready } from '../../2a-raft/src/ready';
import { StorageError, type InitialState, type Storage } from '../../2a-raft/src/storage';

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
    const raftBytes = engines.raft.get(CF_DEFAULT, raftStateKey(region.id));
    this.raftState = raftBytes === undefined ? initialRaftLocalState() : decodeRaftLocalState(raftBytes);
    const applyBytes = engines.kv.get(CF_DEFAULT, applyStateKey(region.id));
    this.applyState = applyBytes === undefined ? initialApplyState() : decodeApplyState(applyBytes);
    if (this.applyState.appliedIndex > this.raftState.hardState.commit) {
      throw new Error(`${tag} applied index ${this.applyState.appliedIndex} is past its commit index ${this.raftState.hardState.commit}: the engines are inconsistent.`);
    }
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

  snapshot(): Snapshot {
    // Snapshots arrive in 2C; in 2B the log is never compacted, so Raft never asks.
    if (this.truncatedIndex() === 0) return emptySnapshot();
    throw new StorageError('snapshotTemporarilyUnavailable', `${this.tag} cannot build snapshots before stage 2C.`);
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
   * Persists a Ready's entries and hard state with ONE write to the raft engine, so that a
   * crash leaves either all of it or none of it.
   *
   * @param ready - the Ready being handled.
   */
  saveReadyState(ready: Ready): void {
    const raftBatch = new WriteBatch();
    this.append(ready.entries, raftBatch);
    if (ready.hardState !== undefined) this.raftState = { ...this.raftState, hardState: { ...ready.hardState } };
    if (raftBatch.isEmpty() && ready.hardState === undefined) return;
    raftBatch.put(CF_DEFAULT, raftStateKey(this.region.id), encodeRaftLocalState(this.raftState));
    this.engines.raft.write(raftBatch);
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
