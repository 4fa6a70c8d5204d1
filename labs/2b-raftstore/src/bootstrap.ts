/**
 * Writing a fresh store's first region, and finding the regions of a store (provided).
 *
 * @module
 */
import { CF_DEFAULT, type Engine } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import { REGION_STATE_MAX_KEY, REGION_STATE_MIN_KEY, applyStateKey, raftStateKey, regionStateKey } from '../../common/raftstore/meta-keys';
import { encodeApplyState, initialApplyState, type RaftApplyState } from '../../common/raftstore/raft-apply-state';
import { encodeRaftLocalState, initialRaftLocalState, type RaftLocalState } from '../../common/raftstore/raft-local-state';
import { decodeRegion, encodeRegion, isTombstoneRecord, type Region } from '../../common/raftstore/region';
import type { StoreEngines } from '../../common/raftstore/store-engines';

/**
 * 3B: where the log of a region starts (TinyKV's `RaftInitLogIndex`): a region bootstrapped for
 * 3B, or created by a split, starts as if entries 1..5 were applied and compacted (a split's
 * data is already there: it was the parent's). A peer created by a message instead starts empty
 * at 0, so the leader sees it behind its first index and sends it a snapshot — entries alone
 * would be refused by every epoch check of an uninitialised peer, and its data would never come.
 */
export const REGION_INITIAL_INDEX = 5;

/** The apply state of a region that starts at {@link REGION_INITIAL_INDEX}: applied and truncated at (5, 5). */
export function regionInitialApplyState(): RaftApplyState {
  return { appliedIndex: REGION_INITIAL_INDEX, truncatedState: { index: REGION_INITIAL_INDEX, term: REGION_INITIAL_INDEX } };
}

/**
 * The raft local state of a region that starts at {@link REGION_INITIAL_INDEX}: the log ends at
 * (5, 5), committed. A peer of it that already existed uninitialised (a split's new region)
 * keeps its term and vote when they are newer (it may have voted: forgetting that would let it
 * vote twice in a term).
 */
export function regionInitialRaftState(existing?: RaftLocalState): RaftLocalState {
  const keepsVote = existing !== undefined && existing.hardState.term > REGION_INITIAL_INDEX;
  return {
    hardState: { term: keepsVote ? existing.hardState.term : REGION_INITIAL_INDEX, vote: keepsVote ? existing.hardState.vote : 0, commit: REGION_INITIAL_INDEX },
    lastIndex: REGION_INITIAL_INDEX,
    lastTerm: REGION_INITIAL_INDEX,
  };
}

/**
 * Records `region` on a store that has never run: its region state and the initial apply
 * state (kv engine), its initial raft local state (raft engine). What the cluster does to
 * every store before the first start (TinyKV's `BootstrapStore` + `PrepareBootstrap`).
 *
 * @param startsAtInitialIndex - 3B: the log starts at {@link REGION_INITIAL_INDEX}, so a peer
 *   added later is sent a snapshot (2B and 2C start at 0).
 * @throws Error when the store already holds this region.
 */
export function bootstrapStore(engines: StoreEngines, region: Region, startsAtInitialIndex = false): void {
  if (engines.kv.get(CF_DEFAULT, regionStateKey(region.id)) !== undefined) {
    throw new Error(`The store already holds region ${region.id}; bootstrap only a store that never ran.`);
  }
  const raftState = startsAtInitialIndex ? regionInitialRaftState() : initialRaftLocalState();
  engines.raft.write(new WriteBatch().put(CF_DEFAULT, raftStateKey(region.id), encodeRaftLocalState(raftState)));
  const kvBatch = new WriteBatch();
  kvBatch.put(CF_DEFAULT, applyStateKey(region.id), encodeApplyState(startsAtInitialIndex ? regionInitialApplyState() : initialApplyState()));
  kvBatch.put(CF_DEFAULT, regionStateKey(region.id), encodeRegion(region));
  engines.kv.write(kvBatch);
}

/** Every region recorded in a kv engine, in region-id order; tombstones (regions this store left, 3B) are skipped. */
export function loadRegions(kv: Engine): Region[] {
  const regions: Region[] = [];
  const view = kv.view();
  try {
    const iterator = view.iterator(CF_DEFAULT);
    for (iterator.seek(REGION_STATE_MIN_KEY); iterator.valid(); iterator.next()) {
      if (Buffer.compare(iterator.key(), REGION_STATE_MAX_KEY) >= 0) break;
      if (!isTombstoneRecord(iterator.value())) regions.push(decodeRegion(iterator.value()));
    }
    iterator.close();
  } finally {
    view.close();
  }
  return regions;
}
