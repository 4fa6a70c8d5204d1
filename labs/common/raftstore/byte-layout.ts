/**
 * Fixed-width big-endian integers, the building block of every key and record layout of the
 * raftstore.
 *
 * @module
 */

/** The largest integer a u64 field holds here: 2^53 - 1 (JavaScript's safe integers). */
export const MAX_U64_FIELD = Number.MAX_SAFE_INTEGER;

/**
 * Writes `value` as 8 bytes, big-endian, so that byte order equals numeric order.
 *
 * @throws RangeError when `value` is not a non-negative safe integer.
 */
export function writeU64(buffer: Buffer, offset: number, value: number): void {
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new RangeError(`Cannot encode ${value} as a u64 field: pass a non-negative safe integer.`);
  }
  buffer.writeUInt32BE(Math.floor(value / 0x1_0000_0000), offset);
  buffer.writeUInt32BE(value % 0x1_0000_0000, offset + 4);
}

/** Reads 8 big-endian bytes written by {@link writeU64}. */
export function readU64(buffer: Buffer, offset: number): number {
  return buffer.readUInt32BE(offset) * 0x1_0000_0000 + buffer.readUInt32BE(offset + 4);
}
