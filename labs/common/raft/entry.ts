/**
 * Log entries: the unit Raft replicates (TinyKV's `eraftpb.Entry`).
 *
 * @module
 */

/** What an entry carries: an ordinary command, or a membership change (stage 3A). */
export const EntryType = {
  /** A command for the state machine (or, with empty data, a new leader's no-op). */
  EntryNormal: 'EntryNormal',
  /** A serialised `ConfChange` (stage 3A). */
  EntryConfChange: 'EntryConfChange',
} as const;

/** One of the {@link EntryType} values. */
export type EntryType = (typeof EntryType)[keyof typeof EntryType];

/**
 * One entry of the replicated log.
 *
 * Indexes start at 1: index 0 is "before the first entry" and never holds a real entry.
 * An entry's position is (index, term); two logs that hold an entry with the same index and
 * term are identical up to that index (the Log Matching property).
 */
export interface Entry {
  /** {@link EntryType.EntryNormal} unless it is a membership change. */
  entryType: EntryType;
  /** The leader's term when the entry was created. */
  term: number;
  /** The entry's position in the log, starting at 1. */
  index: number;
  /** The command; empty for a new leader's no-op entry. */
  data: Buffer;
}

/**
 * Builds an entry; `data` defaults to empty and `entryType` to {@link EntryType.EntryNormal}.
 *
 * @param fields - at least the term and the index.
 * @returns a new entry object (never shared).
 */
export function createEntry(fields: Partial<Entry> & Pick<Entry, 'term' | 'index'>): Entry {
  return {
    entryType: fields.entryType ?? EntryType.EntryNormal,
    term: fields.term,
    index: fields.index,
    data: fields.data ?? Buffer.alloc(0),
  };
}

/** Describes an entry in one short line for failure messages: `3/2` (index/term) plus its data if any. */
export function describeEntry(entry: Entry): string {
  const data = entry.data.length > 0 ? ` "${entry.data.toString('latin1')}"` : '';
  const kind = entry.entryType === EntryType.EntryNormal ? '' : ` ${entry.entryType}`;
  return `${entry.index}/${entry.term}${kind}${data}`;
}
