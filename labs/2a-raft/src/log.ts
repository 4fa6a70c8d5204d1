/**
 * RaftLog: the log as one Raft node sees it — the stable prefix read from storage plus the
 * unstable tail not yet persisted — and the pointers that move along it. (Student file, 2AA–2AB;
 * snapshots come in 2C.) Each TODO names the first stage whose tests need it: a new leader's
 * no-op entry already travels through `append`, `entriesFrom`, `matchTerm` and `findConflict` in 2AA.
 *
 * @module
 */
import type { Entry } from '../../common/raft/entry';
import type { Snapshot } from '../../common/raft/snapshot';
import { NotImplementedError } from '../../common/not-implemented';
import type { Storage } from './storage';

const HANDOUT = 'labs/2a-raft/README.md#the-log-and-its-pointers';
const SNAPSHOTS = 'labs/2c-snapshot/README.md#the-raft-side';

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
  committed = 0;
  /** The highest index the owner has applied to its state machine. */
  applied = 0;
  /** The highest index persisted to storage; entries after it are unstable. */
  stabled = 0;
  /** Every entry not yet compacted, stable and unstable, in index order. */
  entries: Entry[] = [];
  /** A snapshot received and not yet handed to the owner (2C); undefined when none. */
  pendingSnapshot?: Snapshot;

  /**
   * Loads the log from storage: every stored entry is stable, the commit index comes from the
   * stored hard state, and applied starts just before the first entry.
   *
   * @param storage - the persisted log.
   */
  constructor(storage: Storage) {
    this.storage = storage;
    // TODO(2AA): read every entry in [storage.firstIndex(), storage.lastIndex() + 1) into
    // `entries`; stabled = storage.lastIndex(); committed = the stored hard state's commit;
    // applied = firstIndex - 1. Remember where entries[0] sits: index != array offset.
    throw new NotImplementedError('2AA', 'RaftLog constructor', HANDOUT);
  }

  /** The index of the first entry still in the log. */
  firstIndex(): number {
    // TODO(2AA): the index of entries[0] (snapshot index + 1), also when entries is empty.
    throw new NotImplementedError('2AA', 'RaftLog.firstIndex', HANDOUT);
  }

  /** The index of the last entry (firstIndex() - 1 when the log is empty). */
  lastIndex(): number {
    // TODO(2AA): do not use entries.length alone: indexes start at firstIndex(), not 0.
    throw new NotImplementedError('2AA', 'RaftLog.lastIndex', HANDOUT);
  }

  /** The term of the last entry (0 for an empty log). */
  lastTerm(): number {
    // TODO(2AA): term(lastIndex()).
    throw new NotImplementedError('2AA', 'RaftLog.lastTerm', HANDOUT);
  }

  /**
   * The term of the entry at `index`; `firstIndex() - 1` gives the snapshot's term.
   *
   * @throws StorageError `unavailable` past the last index, `compacted` before the snapshot.
   */
  term(index: number): number {
    // TODO(2AA): look in `entries` (offset by firstIndex()); for firstIndex() - 1 and below ask
    // the storage (index 0 of a fresh log has term 0); past the end throw StorageError('unavailable', ...).
    // TODO(2C): the index of a pendingSnapshot answers the snapshot's term (storage does not
    // have it until the owner applied it).
    throw new NotImplementedError('2AA', 'RaftLog.term', HANDOUT);
  }

  /** True when the log holds an entry at `index` with term `term` (false, not an error, when it does not). */
  matchTerm(index: number, term: number): boolean {
    // TODO(2AA): term(index) === term, turning a StorageError into false. Needed in 2AA: a
    // follower checks the new leader's no-op MsgAppend with it.
    throw new NotImplementedError('2AA', 'RaftLog.matchTerm', HANDOUT);
  }

  /**
   * True when a log ending at (`lastIndex`, `lastTerm`) is at least as up to date as this
   * one: a later last term wins; with equal last terms the longer log wins (Raft §5.4.1).
   */
  isUpToDate(lastIndex: number, lastTerm: number): boolean {
    // TODO(2AA): compare last terms first, lengths only when the last terms are equal.
    throw new NotImplementedError('2AA', 'RaftLog.isUpToDate', HANDOUT);
  }

  /** Every entry in the log, in order (a copy of the array). */
  allEntries(): Entry[] {
    // TODO(2AA): a copy of `entries`.
    throw new NotImplementedError('2AA', 'RaftLog.allEntries', HANDOUT);
  }

  /** The entries from index `lo` to the end (empty when `lo` is past the last index). */
  entriesFrom(lo: number): Entry[] {
    // TODO(2AA): slice `entries` from the offset of `lo`. Needed in 2AA: sendAppend reads the
    // entries to send with it, and a new leader sends its no-op entry.
    throw new NotImplementedError('2AA', 'RaftLog.entriesFrom', HANDOUT);
  }

  /** The entries not yet persisted: every entry after `stabled`. */
  unstableEntries(): Entry[] {
    // TODO(2AB): entries with index > stabled. The 2AB tests read it (a replaced tail must be
    // persisted again); in 2AC a Ready's `entries` come from it.
    throw new NotImplementedError('2AB', 'RaftLog.unstableEntries', HANDOUT);
  }

  /** The entries committed and not yet applied: indexes `applied + 1 .. committed`. */
  nextEnts(): Entry[] {
    // TODO(2AB): entries with applied < index <= committed. The 2AB tests read it (what a commit
    // made ready to apply); in 2AC a Ready's `committedEntries` come from it.
    throw new NotImplementedError('2AB', 'RaftLog.nextEnts', HANDOUT);
  }

  /**
   * The index of the first entry of `entries` that this log does not already hold with the
   * same term (a conflict, or an entry past the end), or 0 when it holds them all.
   */
  findConflict(entries: readonly Entry[]): number {
    // TODO(2AA): walk `entries` with matchTerm. Do not truncate when nothing conflicts: an old,
    // delayed MsgAppend must not cut off entries a newer one already added. Needed in 2AA:
    // handleAppendEntries uses it for the new leader's no-op.
    throw new NotImplementedError('2AA', 'RaftLog.findConflict', HANDOUT);
  }

  /**
   * Appends consecutive entries; if the first one's index is inside the log, the log is cut
   * just before it first (dropping a conflicting tail), and `stabled` moves back so the
   * replaced entries are persisted again.
   *
   * @throws RangeError when the entries would leave a gap or overwrite committed entries.
   */
  append(entries: readonly Entry[]): void {
    // TODO(2AA): cut `entries` at the first new index, concatenate, and set
    // stabled = min(stabled, first new index - 1) so the owner persists the replaced tail.
    // Needed in 2AA: becomeLeader appends its no-op entry with it.
    throw new NotImplementedError('2AA', 'RaftLog.append', HANDOUT);
  }

  /** Drops entries already compacted in storage (2C): the log keeps nothing storage no longer has. */
  maybeCompact(): void {
    // TODO(2C): when storage.firstIndex() is past your first index, drop the entries before it
    // (and remember the new first index). RawNode.advance calls this after every Ready.
    throw new NotImplementedError('2C', 'RaftLog.maybeCompact', SNAPSHOTS);
  }

  /**
   * Replaces the whole log by a snapshot (2C): every entry is dropped, the log now starts after
   * the snapshot's index, and committed, applied and stabled move to it. The snapshot waits in
   * `pendingSnapshot` until the owner has persisted and applied it (Ready / advance).
   *
   * @throws RangeError when the snapshot is not past the committed index (it would undo commits).
   */
  restore(snapshot: Snapshot): void {
    // TODO(2C): entries = []; first index = snapshot index + 1; committed = applied = stabled =
    // snapshot index; pendingSnapshot = snapshot. Then lastIndex() is the snapshot's index and
    // term(snapshot index) must answer the snapshot's term (storage does not have it yet).
    throw new NotImplementedError('2C', 'RaftLog.restore', SNAPSHOTS);
  }

  /**
   * The snapshot to send a follower that needs entries this log no longer holds (2C): the one
   * waiting to be applied, or storage's.
   *
   * @throws StorageError `snapshotTemporarilyUnavailable` while storage is still building one.
   */
  snapshot(): Snapshot {
    // TODO(2C): pendingSnapshot if there is one, otherwise storage.snapshot() (let its
    // snapshotTemporarilyUnavailable error reach the caller: the leader asks again later).
    throw new NotImplementedError('2C', 'RaftLog.snapshot', SNAPSHOTS);
  }
}
