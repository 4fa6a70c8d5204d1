/**
 * Writing a fresh store's first region, and finding the regions of a store (provided).
 *
 * @module
 */
import { CF_DEFAULT, type Engine } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import { REGION_STATE_MAX_KEY, REGION_STATE_MIN_KEY, applyStateKey, raftStateKey, regionStateKey } from '../../common/raftstore/meta-keys';
import { encodeApplyState, initialApplyState } from '../../common/raftstore/raft-apply-state';
import { encodeRaftLocalState, initialRaftLocalState } from '../../common/raftstore/raft-local-state';
import { decodeRegion, encodeRegion, type Region } from '../../common/raftstore/region';
import type { StoreEngines } from '../../common/raftstore/store-engines';

/**
 * Records `region` on a store that has never run: its region state and the initial apply
 * state (kv engine), its initial raft local state (raft engine). What the cluster does to
 * every store before the first start (TinyKV's `BootstrapStore` + `PrepareBootstrap`).
 *
 * @throws Error when the store already holds this region.
 */
export function bootstrapStore(engines: StoreEngines, region: Region): void {
  if (engines.kv.get(CF_DEFAULT, regionStateKey(region.id)) !== undefined) {
    throw new Error(`The store already holds region ${region.id}; bootstrap only a store that never ran.`);
  }
  engines.raft.write(new WriteBatch().put(CF_DEFAULT, raftStateKey(region.id), encodeRaftLocalState(initialRaftLocalState())));
  const kvBatch = new WriteBatch();
  kvBatch.put(CF_DEFAULT, applyStateKey(region.id), encodeApplyState(initialApplyState()));
  kvBatch.put(CF_DEFAULT, regionStateKey(region.id), encodeRegion(region));
  engines.kv.write(kvBatch);
}

/** Every region recorded in a kv engine, in region-id order. */
export function loadRegions(kv: Engine): Region[] {
  const regions: Region[] = [];
  const view = kv.view();
  try {
    const iterator = view.iterator(CF_DEFAULT);
    for (iterator.seek(REGION_STATE_MIN_KEY); iterator.valid(); iterator.next()) {
      if (Buffer.compare(iterator.key(), REGION_STATE_MAX_KEY) >= 0) break;
      regions.push(decodeRegion(iterator.value()));
    }
    iterator.close();
  } finally {
    view.close();
  }
  return regions;
}
