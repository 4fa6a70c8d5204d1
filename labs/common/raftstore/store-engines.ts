/**
 * The two engines of a store.
 *
 * @module
 */
import type { Engine } from '../engine/engine';

/**
 * A store's engines, as in TinyKV: `raft` holds every region's log entries and raft local
 * state; `kv` holds user data, every region's apply state and region state. They are written
 * separately, so the raftstore must order its writes with crashes in mind (see the 2B handout).
 */
export interface StoreEngines {
  /** Log entries and raft local state. */
  readonly raft: Engine;
  /** User data, apply state, region state. */
  readonly kv: Engine;
}
