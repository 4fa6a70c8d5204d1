/**
 * Transaction timestamps: a physical part (milliseconds of a clock the tests control) and a
 * logical counter, packed into one safe integer so that comparing two timestamps as numbers
 * compares them in time.
 *
 * Layout (as in TinyKV and TiKV's TSO): `ts = physical * 2^18 + logical`. TiKV stores the
 * result in a uint64; this kit keeps it in a JavaScript `number`, so a timestamp must be a safe
 * integer (at most 2^53 - 1), which leaves 35 bits of physical time — plenty, because the kit's
 * clocks start at zero rather than at the Unix epoch.
 *
 * @module
 */

/** How many low bits hold the logical counter. */
export const LOGICAL_BITS = 18;

/** One physical unit expressed as a timestamp difference (2^18). */
const PHYSICAL_UNIT = 2 ** LOGICAL_BITS;

/** The largest timestamp there is: reading at it sees every committed write. */
export const TS_MAX = Number.MAX_SAFE_INTEGER;

/** A transaction timestamp: a non-negative safe integer (see the module comment). */
export type Timestamp = number;

/**
 * Throws unless `ts` is a valid timestamp.
 *
 * @param ts - the value to check.
 * @param what - what the value is, for the message (e.g. `start ts`).
 * @throws RangeError when `ts` is not a non-negative safe integer.
 */
export function assertTimestamp(ts: unknown, what = 'timestamp'): asserts ts is Timestamp {
  if (typeof ts !== 'number' || !Number.isSafeInteger(ts) || ts < 0) {
    throw new RangeError(`The ${what} must be a non-negative safe integer, got ${String(ts)}.`);
  }
}

/**
 * Packs a physical time and a logical counter into a timestamp.
 *
 * @param physical - the physical part (non-negative integer, below 2^35).
 * @param logical - the logical counter (0 to 2^18 - 1).
 * @returns `physical * 2^18 + logical`.
 * @throws RangeError when a part is out of range.
 */
export function composeTs(physical: number, logical: number): Timestamp {
  if (!Number.isInteger(logical) || logical < 0 || logical >= PHYSICAL_UNIT) {
    throw new RangeError(`The logical part of a timestamp must be an integer in [0, ${PHYSICAL_UNIT - 1}], got ${logical}.`);
  }
  const ts = physical * PHYSICAL_UNIT + logical;
  if (!Number.isInteger(physical) || physical < 0 || !Number.isSafeInteger(ts)) {
    throw new RangeError(`The physical part of a timestamp must be a non-negative integer below 2^35, got ${physical}.`);
  }
  return ts;
}

/**
 * The physical part of a timestamp: what lock TTLs are measured against.
 *
 * @param ts - a timestamp.
 * @returns `floor(ts / 2^18)`.
 */
export function physicalOf(ts: Timestamp): number {
  return Math.floor(ts / PHYSICAL_UNIT);
}

/**
 * The logical part of a timestamp.
 *
 * @param ts - a timestamp.
 * @returns `ts mod 2^18`.
 */
export function logicalOf(ts: Timestamp): number {
  return ts % PHYSICAL_UNIT;
}
