/**
 * How a log entry is stored in the raft engine.
 *
 * @module
 */
import { EntryType, type Entry } from '../raft/entry';
import { readU64, writeU64 } from './byte-layout';

/**
 * Serialises an entry. Byte layout: `type(u8: 0 normal, 1 conf change) | term(u64) |
 * index(u64) | data (the rest)`.
 */
export function encodeEntry(entry: Entry): Buffer {
  const bytes = Buffer.alloc(17 + entry.data.length);
  bytes[0] = entry.entryType === EntryType.EntryNormal ? 0 : 1;
  writeU64(bytes, 1, entry.term);
  writeU64(bytes, 9, entry.index);
  entry.data.copy(bytes, 17);
  return bytes;
}

/**
 * Reads back an entry written by {@link encodeEntry}.
 *
 * @throws RangeError when the record is shorter than its 17-byte header.
 */
export function decodeEntry(bytes: Buffer): Entry {
  if (bytes.length < 17) throw new RangeError(`A stored log entry has at least 17 bytes, this one has ${bytes.length}: the raft engine is corrupt.`);
  return {
    entryType: bytes[0] === 0 ? EntryType.EntryNormal : EntryType.EntryConfChange,
    term: readU64(bytes, 1),
    index: readU64(bytes, 9),
    data: Buffer.from(bytes.subarray(17)),
  };
}
