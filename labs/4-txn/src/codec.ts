/**
 * Key encoding for the MVCC column families.
 *
 * `CF_DEFAULT` and `CF_WRITE` hold many versions of one user key, so their engine keys are
 * `encodeBytes(userKey) ++ u64be(~ts)`:
 * - `encodeBytes` is the memcomparable encoding: the key is cut into groups of 8 bytes, the
 *   last group padded with zero bytes, and each group is followed by one marker byte
 *   `0xFF - (number of padding bytes)`. Encoded keys compare bytewise exactly as the user keys
 *   do, and no encoded key is a prefix of another, so a timestamp can follow it safely.
 *   (Appending the timestamp to the raw key would not work: key `a` at some ts could sort
 *   after key `a\x00`.)
 * - `~ts` is the bitwise complement of the timestamp as an unsigned 64-bit integer, written
 *   big-endian, so that a newer version (bigger ts) sorts FIRST.
 *
 * Result: engine keys sort by user key ascending, then by timestamp descending, and seeking
 * to `encodeKey(key, ts)` lands on the newest version of `key` at or below `ts`.
 *
 * `CF_LOCK` holds at most one lock per key, stored under the raw user key (no encoding).
 *
 * @module
 */
import { assertTimestamp, type Timestamp } from './timestamp';

const GROUP_SIZE = 8;
const MARKER_FULL = 0xff;
const U64_MAX = (1n << 64n) - 1n;

/**
 * The memcomparable encoding of `key` (see the module comment).
 *
 * @param key - any bytes, possibly empty.
 * @returns a new buffer of `9 * (floor(key.length / 8) + 1)` bytes.
 */
export function encodeBytes(key: Buffer): Buffer {
  const groups = Math.floor(key.length / GROUP_SIZE) + 1;
  const out = Buffer.alloc(groups * (GROUP_SIZE + 1));
  for (let group = 0; group < groups; group++) {
    const start = group * GROUP_SIZE;
    const taken = Math.max(0, Math.min(GROUP_SIZE, key.length - start));
    key.copy(out, group * (GROUP_SIZE + 1), start, start + taken);
    out[group * (GROUP_SIZE + 1) + GROUP_SIZE] = MARKER_FULL - (GROUP_SIZE - taken);
  }
  return out;
}

/**
 * Decodes a memcomparable prefix of `encoded`.
 *
 * @param encoded - bytes starting with an {@link encodeBytes} output.
 * @returns the user key and how many bytes of `encoded` it used.
 * @throws Error when the bytes are not a valid encoding.
 */
export function decodeBytes(encoded: Buffer): { key: Buffer; bytesRead: number } {
  const parts: Buffer[] = [];
  for (let offset = 0; ; offset += GROUP_SIZE + 1) {
    if (offset + GROUP_SIZE + 1 > encoded.length) {
      throw new Error(`Cannot decode a memcomparable key: ${encoded.length} bytes end inside a group; was it made by encodeBytes?`);
    }
    const padding = MARKER_FULL - encoded[offset + GROUP_SIZE];
    if (padding < 0 || padding > GROUP_SIZE) {
      throw new Error(`Cannot decode a memcomparable key: marker byte 0x${encoded[offset + GROUP_SIZE].toString(16)} is invalid.`);
    }
    parts.push(encoded.subarray(offset, offset + GROUP_SIZE - padding));
    if (padding > 0) return { key: Buffer.concat(parts), bytesRead: offset + GROUP_SIZE + 1 };
  }
}

/**
 * The engine key of `key` at timestamp `ts` in `CF_DEFAULT` or `CF_WRITE`.
 *
 * @param key - the user key.
 * @param ts - the version's timestamp (start ts in `CF_DEFAULT`, commit ts in `CF_WRITE`).
 * @returns `encodeBytes(key) ++ u64be(~ts)`.
 * @throws RangeError when `ts` is not a valid timestamp.
 */
export function encodeKey(key: Buffer, ts: Timestamp): Buffer {
  assertTimestamp(ts);
  const suffix = Buffer.alloc(8);
  suffix.writeBigUInt64BE(U64_MAX - BigInt(ts));
  return Buffer.concat([encodeBytes(key), suffix]);
}

/**
 * The user key of an engine key made by {@link encodeKey}.
 *
 * @param encodedKey - an engine key of `CF_DEFAULT` or `CF_WRITE`.
 * @returns the user key.
 * @throws Error when the bytes were not made by `encodeKey`.
 */
export function decodeUserKey(encodedKey: Buffer): Buffer {
  const { key, bytesRead } = decodeBytes(encodedKey);
  if (encodedKey.length - bytesRead !== 8) {
    throw new Error(`Cannot decode an MVCC key: expected 8 timestamp bytes after the user key, found ${encodedKey.length - bytesRead}.`);
  }
  return key;
}

/**
 * The timestamp of an engine key made by {@link encodeKey}.
 *
 * @param encodedKey - an engine key of `CF_DEFAULT` or `CF_WRITE`.
 * @returns the timestamp.
 * @throws Error when the key is shorter than 8 bytes.
 */
export function decodeTimestamp(encodedKey: Buffer): Timestamp {
  if (encodedKey.length < 8) {
    throw new Error(`Cannot decode an MVCC key: ${encodedKey.length} bytes is too short to hold a timestamp.`);
  }
  return Number(U64_MAX - encodedKey.readBigUInt64BE(encodedKey.length - 8));
}
