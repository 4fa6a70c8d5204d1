/**
 * Where a Raft node reads its persisted log (provided): the `Storage` interface and
 * `MemoryStorage`, an in-memory implementation used by the tests and, in 2B, as a model.
 *
 * @module
 */
import { createEntry, type Entry } from '../../common/raft/entry';
import { emptyHardState, type HardState } from '../../common/raft/hard-state';
import { emptySnapshot, type ConfState, type Snapshot } from '../../common/raft/snapshot';

/** Why a storage read failed; each kind is an expected outcome the caller must handle. */
export type StorageErrorKind =
  /** The requested index is at or below the first index: it was compacted into a snapshot. */
  | 'compacted'
  /** The requested index is past the last index. */
  | 'unavailable'
  /** The snapshot being applied is older than the one already there. */
  | 'snapshotOutOfDate'
  /** The snapshot is being generated; ask again later (2C). */
  | 'snapshotTemporarilyUnavailable';

/** A storage read or write that failed in an expected way; `kind` says which. */
export class StorageError extends Error {
  /** @param kind - which expected failure. @param message - a sentence saying what was asked. */
  constructor(
    readonly kind: StorageErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'StorageError';
  }
}

/** True when `error` is a {@link StorageError} of the given kind. */
export function isStorageError(error: unknown, kind: StorageErrorKind): error is StorageError {
  return error instanceof StorageError && error.kind === kind;
}

/** What a node restarts from: its hard state and membership. */
export interface InitialState {
  hardState: HardState;
  confState: ConfState;
}

/**
 * The persisted part of a Raft log, as the Raft library reads it. The owner (tests, the
 * raftstore) writes it; Raft only reads. Returned arrays belong to the caller only if the
 * method says so: do not modify entries you get back.
 */
export interface Storage {
  /** The persisted hard state and membership. */
  initialState(): InitialState;
  /**
   * The entries in `[lo, hi)`.
   * @throws StorageError `compacted` when lo <= the snapshot index; `unavailable` when hi > lastIndex + 1.
   */
  entries(lo: number, hi: number): Entry[];
  /**
   * The term of the entry at `index`; the snapshot's index is allowed and gives the snapshot's term.
   * @throws StorageError `compacted` below the snapshot index; `unavailable` past the last index.
   */
  term(index: number): number;
  /** The index of the last entry (the snapshot index when there are no entries). */
  lastIndex(): number;
  /** The index of the first entry still available (snapshot index + 1). */
  firstIndex(): number;
  /** The latest snapshot (2C). @throws StorageError `snapshotTemporarilyUnavailable` while one is being built. */
  snapshot(): Snapshot;
}

/**
 * A {@link Storage} kept in memory. Element 0 of its array is a dummy entry standing for the
 * snapshot (its index and term), so `entries[i]` has index `snapshotIndex + i`.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = emptyHardState();
  private currentSnapshot: Snapshot = emptySnapshot();
  /** entries[0] is the dummy entry at the snapshot's index and term. */
  private entryArray: Entry[] = [createEntry({ term: 0, index: 0 })];

  /**
   * Creates an empty storage, or one whose log already holds `entries` (a test convenience:
   * the entries must be consecutive and start at index 1).
   */
  constructor(entries: readonly Entry[] = []) {
    if (entries.length > 0) this.append(entries);
  }

  /** A storage whose membership is `peers` (as if a snapshot at index 0 had recorded them). */
  static withPeers(peers: readonly number[], entries: readonly Entry[] = []): MemoryStorage {
    const storage = new MemoryStorage(entries);
    storage.currentSnapshot.metadata.confState = { nodes: [...peers] };
    return storage;
  }

  initialState(): InitialState {
    return { hardState: { ...this.hardState }, confState: { nodes: [...this.currentSnapshot.metadata.confState.nodes] } };
  }

  /** Persists the hard state. */
  setHardState(state: HardState): void {
    this.hardState = { ...state };
  }

  entries(lo: number, hi: number): Entry[] {
    const offset = this.entryArray[0].index;
    if (lo <= offset) throw new StorageError('compacted', `Cannot read entries from ${lo}: the log was compacted up to ${offset}.`);
    if (hi > this.lastIndex() + 1) {
      throw new StorageError('unavailable', `Cannot read entries up to ${hi - 1}: the last index is ${this.lastIndex()}.`);
    }
    return this.entryArray.slice(lo - offset, hi - offset);
  }

  term(index: number): number {
    const offset = this.entryArray[0].index;
    if (index < offset) throw new StorageError('compacted', `Cannot read the term of ${index}: the log was compacted up to ${offset}.`);
    if (index - offset >= this.entryArray.length) {
      throw new StorageError('unavailable', `Cannot read the term of ${index}: the last index is ${this.lastIndex()}.`);
    }
    return this.entryArray[index - offset].term;
  }

  lastIndex(): number {
    return this.entryArray[0].index + this.entryArray.length - 1;
  }

  firstIndex(): number {
    return this.entryArray[0].index + 1;
  }

  snapshot(): Snapshot {
    return this.currentSnapshot;
  }

  /**
   * Replaces the whole contents with a snapshot (2C).
   * @throws StorageError `snapshotOutOfDate` when the snapshot is older than the current one.
   */
  applySnapshot(snapshot: Snapshot): void {
    if (snapshot.metadata.index < this.currentSnapshot.metadata.index) {
      throw new StorageError(
        'snapshotOutOfDate',
        `Cannot apply the snapshot at ${snapshot.metadata.index}: the storage already holds one at ${this.currentSnapshot.metadata.index}.`,
      );
    }
    this.currentSnapshot = snapshot;
    this.entryArray = [createEntry({ term: snapshot.metadata.term, index: snapshot.metadata.index })];
  }

  /**
   * Records a snapshot of the state machine at `index` (which must be applied and present) (2C).
   * @throws StorageError `snapshotOutOfDate` when `index` is at or below the current snapshot.
   */
  createSnapshot(index: number, confState: ConfState | undefined, data: Buffer): Snapshot {
    const offset = this.entryArray[0].index;
    if (index <= this.currentSnapshot.metadata.index) {
      throw new StorageError('snapshotOutOfDate', `Cannot snapshot at ${index}: a snapshot at ${this.currentSnapshot.metadata.index} exists.`);
    }
    if (index > this.lastIndex()) {
      throw new RangeError(`Cannot snapshot at ${index}: it is past the last index ${this.lastIndex()}.`);
    }
    const confStateToKeep = confState ?? this.currentSnapshot.metadata.confState;
    this.currentSnapshot = { data, metadata: { index, term: this.entryArray[index - offset].term, confState: confStateToKeep } };
    return this.currentSnapshot;
  }

  /**
   * Discards every entry up to and including `compactIndex` (2C).
   * @throws StorageError `compacted` when already compacted past it; RangeError past the last index.
   */
  compact(compactIndex: number): void {
    const offset = this.entryArray[0].index;
    if (compactIndex <= offset) throw new StorageError('compacted', `Cannot compact to ${compactIndex}: already compacted to ${offset}.`);
    if (compactIndex > this.lastIndex()) {
      throw new RangeError(`Cannot compact to ${compactIndex}: it is past the last index ${this.lastIndex()}.`);
    }
    const kept = this.entryArray.slice(compactIndex - offset);
    kept[0] = createEntry({ term: kept[0].term, index: kept[0].index });
    this.entryArray = kept;
  }

  /**
   * Persists entries: they must follow on from the log (or overlap it); entries already
   * compacted are skipped and a conflicting tail is replaced.
   * @throws RangeError when the entries leave a gap after the last index.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    const lastNew = entries[0].index + entries.length - 1;
    if (lastNew < first) return;
    const toAppend = first > entries[0].index ? entries.slice(first - entries[0].index) : entries.slice();
    const offset = toAppend[0].index - this.entryArray[0].index;
    if (offset > this.entryArray.length) {
      throw new RangeError(
        `Cannot append entries starting at ${toAppend[0].index}: the log ends at ${this.lastIndex()}, which would leave a gap.`,
      );
    }
    this.entryArray = this.entryArray.slice(0, offset).concat(toAppend);
  }
}
