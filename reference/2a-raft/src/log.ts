/**
 * RaftLog: the log as one Raft node sees it — the stable prefix read from storage plus the
 * unstable tail not yet persisted — and the pointers that move along it.
 *
 * @module
 */
import type { Entry } from '../../common/raft/entry';
import type { Snapshot } from '../../common/raft/snapshot';
import { StorageError, type Storage } from './storage';

/**
 * The log of one node.
 *
 * Invariant: `firstIndex() - 1 <= applied <= committed` and `committed <= lastIndex()`;
 * `stabled <= lastIndex()`. `entries[i]` has index `firstIndex() + i` (the classic trap: an
 * entry's index is not its array offset).
 */
export class RaftLog {
  /** The persisted log this log was loaded from; read-only for Raft. */
  readonly storage: Storage;
  /** The highest index known to be committed (stored on a quorum). */
  committed: number;
  /** The highest index the owner has applied to its state machine. */
  applied: number;
  /** The highest index persisted to storage; entries after it are unstable. */
  stabled: number;
  /** Every entry not yet compacted, stable and unstable, in index order. */
  entries: Entry[];
  /** A snapshot received and not yet handed to the owner (2C); undefined when none. */
  pendingSnapshot?: Snapshot;
  /** The index the first element of `entries` has (snapshot index + 1). */
  private firstEntryIndex: number;

  /**
   * Loads the log from storage: every stored entry is stable, the commit index comes from the
   * stored hard state, and applied starts just before the first entry.
   *
   * @param storage - the persisted log.
   */
  constructor(storage: Storage) {
    this.storage = storage;
    this.firstEntryIndex = storage.firstIndex();
    const lastIndex = storage.lastIndex();
    this.entries = storage.entries(this.firstEntryIndex, lastIndex + 1);
    this.stabled = lastIndex;
    this.committed = storage.initialState().hardState.commit;
    this.applied = this.firstEntryIndex - 1;
  }

  /** The index of the first entry still in the log. */
  firstIndex(): number {
    return this.firstEntryIndex;
  }

  /** The index of the last entry (firstIndex() - 1 when the log is empty). */
  lastIndex(): number {
    return this.firstEntryIndex + this.entries.length - 1;
  }

  /** The term of the last entry (0 for an empty log). */
  lastTerm(): number {
    return this.term(this.lastIndex());
  }

  /**
   * The term of the entry at `index`; `firstIndex() - 1` gives the snapshot's term.
   *
   * @throws StorageError `unavailable` past the last index, `compacted` before the snapshot.
   */
  term(index: number): number {
    if (index > this.lastIndex()) {
      throw new StorageError('unavailable', `Cannot read the term of ${index}: the last index is ${this.lastIndex()}.`);
    }
    if (index >= this.firstEntryIndex) return this.entries[index - this.firstEntryIndex].term;
    // A snapshot received but not yet applied to storage stands for everything up to its index.
    const pending = this.pendingSnapshot?.metadata;
    if (pending !== undefined && index === pending.index) return pending.term;
    return this.storage.term(index);
  }

  /** True when the log holds an entry at `index` with term `term` (false, not an error, when it does not). */
  matchTerm(index: number, term: number): boolean {
    // Past the end is the common miss (a follower behind the leader): answer it without an exception.
    if (index > this.lastIndex()) return false;
    try {
      return this.term(index) === term;
    } catch (error) {
      if (error instanceof StorageError) return false;
      throw error;
    }
  }

  /**
   * True when a log ending at (`lastIndex`, `lastTerm`) is at least as up to date as this
   * one: a later last term wins; with equal last terms the longer log wins (Raft §5.4.1).
   */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    const myLastTerm = this.lastTerm();
    return lastTerm > myLastTerm || (lastTerm === myLastTerm && lastIndex >= this.lastIndex());
  }

  /** Every entry in the log, in order (a copy of the array). */
  allEntries(): Entry[] {
    return this.entries.slice();
  }

  /** The entries from index `lo` to the end (empty when `lo` is past the last index). */
  entriesFrom(lo: number): Entry[] {
    return this.entries.slice(Math.max(0, lo - this.firstEntryIndex));
  }

  /** The entries not yet persisted: every entry after `stabled`. */
  unstableEntries(): Entry[] {
    return this.entries.slice(this.stabled + 1 - this.firstEntryIndex);
  }

  /** The entries committed and not yet applied: indexes `applied + 1 .. committed`. */
  nextEnts(): Entry[] {
    return this.entries.slice(this.applied + 1 - this.firstEntryIndex, this.committed + 1 - this.firstEntryIndex);
  }

  /**
   * The index of the first entry of `entries` that this log does not already hold with the
   * same term (a conflict, or an entry past the end), or 0 when it holds them all.
   */
  findConflict(entries: readonly Entry[]): number {
    for (const entry of entries) {
      if (!this.matchTerm(entry.index, entry.term)) return entry.index;
    }
    return 0;
  }

  /**
   * Appends consecutive entries; if the first one's index is inside the log, the log is cut
   * just before it first (dropping a conflicting tail), and `stabled` moves back so the
   * replaced entries are persisted again.
   *
   * @throws RangeError when the entries would leave a gap or overwrite committed entries.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = entries[0].index;
    if (first > this.lastIndex() + 1) {
      throw new RangeError(`Cannot append entries starting at ${first}: the log ends at ${this.lastIndex()}.`);
    }
    if (first <= this.committed) {
      throw new RangeError(`Cannot overwrite entry ${first}: entries up to ${this.committed} are committed.`);
    }
    this.entries = this.entries.slice(0, first - this.firstEntryIndex).concat(entries);
    this.stabled = Math.min(this.stabled, first - 1);
  }

  /** Drops entries already compacted in storage (2C): the log keeps nothing storage no longer has. */
  maybeCompact(): void {
    const storageFirst = this.storage.firstIndex();
    if (storageFirst <= this.firstEntryIndex) return;
    // Never drop past the end of the log: every entry up to the new first index is gone from storage too.
    this.entries = this.entries.slice(Math.min(storageFirst - this.firstEntryIndex, this.entries.length));
    this.firstEntryIndex = storageFirst;
  }

  /**
   * Replaces the whole log by a snapshot (2C): every entry is dropped, the log now starts after
   * the snapshot's index, and committed, applied and stabled move to it. The snapshot waits in
   * `pendingSnapshot` until the owner has persisted and applied it (Ready / advance).
   *
   * @throws RangeError when the snapshot is not past the committed index (it would undo commits).
   */
  restore(snapshot: Snapshot): void {
    const index = snapshot.metadata.index;
    if (index <= this.committed) {
      throw new RangeError(`Cannot restore a snapshot at ${index}: entries up to ${this.committed} are already committed.`);
    }
    this.entries = [];
    this.firstEntryIndex = index + 1;
    this.committed = index;
    this.applied = index;
    this.stabled = index;
    this.pendingSnapshot = snapshot;
  }

  /**
   * The snapshot to send a follower that needs entries this log no longer holds (2C): the one
   * waiting to be applied, or storage's.
   *
   * @throws StorageError `snapshotTemporarilyUnavailable` while storage is still building one.
   */
  snapshot(): Snapshot {
    if (this.pendingSnapshot !== undefined) return this.pendingSnapshot;
    return this.storage.snapshot();
  }
}
