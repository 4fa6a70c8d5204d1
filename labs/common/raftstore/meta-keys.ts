/**
 * Where the raftstore keeps its records in the two engines of a store.
 *
 * | engine | key (bytes)                               | value                              |
 * |--------|-------------------------------------------|------------------------------------|
 * | raft   | `01 02` regionId(u64) `01` index(u64)      | a log entry (`encodeEntry`)        |
 * | raft   | `01 02` regionId(u64) `02`                  | raft local state (40 bytes)        |
 * | kv     | `01 02` regionId(u64) `03`                  | apply state (24 bytes)             |
 * | kv     | `01 03` regionId(u64) `01`                  | region state (JSON)                |
 * | kv     | `7a` ('z') + user key, in any column family | the user's value                   |
 *
 * Meta keys live in the `default` column family. User keys are prefixed with `z` so that a
 * scan of user data never meets a meta record (every meta key starts with 0x01 < 'z').
 *
 * @module
 */
import { readU64, writeU64 } from './byte-layout';

const LOCAL_PREFIX = 0x01;
const REGION_RAFT_PREFIX = 0x02;
const REGION_META_PREFIX = 0x03;
const RAFT_LOG_SUFFIX = 0x01;
const RAFT_STATE_SUFFIX = 0x02;
const APPLY_STATE_SUFFIX = 0x03;
const REGION_STATE_SUFFIX = 0x01;
/** The prefix of every user key in the kv engine. */
export const DATA_PREFIX = Buffer.from('z');

function regionKey(prefix: number, regionId: number, suffix: number, extraBytes: number): Buffer {
  const key = Buffer.alloc(2 + 8 + 1 + extraBytes);
  key[0] = LOCAL_PREFIX;
  key[1] = prefix;
  writeU64(key, 2, regionId);
  key[10] = suffix;
  return key;
}

/** The raft-engine key of the log entry at `index` of region `regionId`. */
export function raftLogKey(regionId: number, index: number): Buffer {
  const key = regionKey(REGION_RAFT_PREFIX, regionId, RAFT_LOG_SUFFIX, 8);
  writeU64(key, 11, index);
  return key;
}

/** The log index stored in a key made by {@link raftLogKey}. */
export function indexOfRaftLogKey(key: Buffer): number {
  return readU64(key, 11);
}

/** The raft-engine key of region `regionId`'s raft local state. */
export function raftStateKey(regionId: number): Buffer {
  return regionKey(REGION_RAFT_PREFIX, regionId, RAFT_STATE_SUFFIX, 0);
}

/** The kv-engine key of region `regionId`'s apply state. */
export function applyStateKey(regionId: number): Buffer {
  return regionKey(REGION_RAFT_PREFIX, regionId, APPLY_STATE_SUFFIX, 0);
}

/** The kv-engine key of region `regionId`'s region state. */
export function regionStateKey(regionId: number): Buffer {
  return regionKey(REGION_META_PREFIX, regionId, REGION_STATE_SUFFIX, 0);
}

/** The first key of the region-state records (for listing every region of a store). */
export const REGION_STATE_MIN_KEY = Buffer.from([LOCAL_PREFIX, REGION_META_PREFIX]);
/** The first key past the region-state records. */
export const REGION_STATE_MAX_KEY = Buffer.from([LOCAL_PREFIX, REGION_META_PREFIX + 1]);

/** The kv-engine key under which a user key is stored. */
export function dataKey(userKey: Buffer): Buffer {
  return Buffer.concat([DATA_PREFIX, userKey]);
}

/**
 * The user key of a kv-engine data key.
 *
 * @throws RangeError when `key` is not a data key.
 */
export function userKeyOf(key: Buffer): Buffer {
  if (key.length === 0 || key[0] !== DATA_PREFIX[0]) {
    throw new RangeError(`Key 0x${key.toString('hex')} is not a data key: data keys start with 'z'.`);
  }
  return key.subarray(1);
}

/** The first kv-engine key past every data key of a region ending at `userEndKey` (empty: no end). */
export function dataEndKey(userEndKey: Buffer): Buffer {
  return userEndKey.length === 0 ? Buffer.from([DATA_PREFIX[0] + 1]) : dataKey(userEndKey);
}
