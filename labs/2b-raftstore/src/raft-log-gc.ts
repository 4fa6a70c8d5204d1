/**
 * Log compaction (provided, stage 2C): the tick that proposes `CompactLog`, and the worker that
 * deletes compacted entries from the raft engine.
 *
 * @module
 */
import { CF_DEFAULT, type Engine } from '../../common/engine/engine';
import { WriteBatch } from '../../common/engine/write-batch';
import { raftLogKey } from '../../common/raftstore/meta-keys';
import type { RaftCmdRequest } from '../../common/raftstore/raft-cmd';
import type { Runtime } from '../../common/runtime/runtime';
import type { Peer } from './peer';
import type { RaftstoreConfig } from './raftstore-config';

/**
 * The `CompactLog` command a leader should propose now, or undefined: when its applied index
 * is at least `raftLogGcCountLimit` entries past its first log index, compact everything up to
 * the applied index (TinyKV's `onRaftGCLogTick`). Only a leader proposes; every peer compacts
 * when it applies the command.
 *
 * @param peer - the peer to look at.
 * @param config - the limit.
 */
export function compactLogRequest(peer: Peer, config: Pick<RaftstoreConfig, 'raftLogGcCountLimit'>): RaftCmdRequest | undefined {
  if (!peer.isLeader() || !Number.isFinite(config.raftLogGcCountLimit)) return undefined;
  const storage = peer.peerStorage;
  const applied = storage.appliedIndex();
  if (applied < storage.firstIndex() || applied - storage.firstIndex() + 1 < config.raftLogGcCountLimit) return undefined;
  return {
    header: { regionId: peer.regionId, peer: peer.meta, regionEpoch: peer.region.epoch, term: 0 },
    requests: [],
    adminRequest: { cmdType: 'compactLog', compactIndex: applied, compactTerm: storage.term(applied) },
  };
}

/**
 * The raft-log GC worker of a store (TinyKV's raftlog-gc worker): after a peer applied
 * `CompactLog`, it deletes that region's log entries up to the truncated index from the raft
 * engine, `raftLogGcDelayMs` later, in one write. The truncated state (in the kv engine) is
 * what makes entries unreachable; this only frees the space, so a crash before it runs loses
 * nothing (the next compaction deletes what is left below its index).
 */
export class RaftLogGcWorker {
  /** Deletions done so far (tests, benchmarks). */
  deletions = 0;

  /**
   * @param runtime - the store incarnation's runtime: a crash cancels pending deletions.
   * @param raftEngine - the store's raft engine.
   * @param delayMs - how long after being asked the deletion happens.
   */
  constructor(
    private readonly runtime: Runtime,
    private readonly raftEngine: Engine,
    private readonly delayMs: number,
  ) {}

  /** Deletes every log entry of `regionId` with index `<= truncatedIndex`, a little later. */
  schedule(regionId: number, truncatedIndex: number): void {
    this.runtime.setTimer(
      this.delayMs,
      () => {
        this.raftEngine.write(new WriteBatch().deleteRange(CF_DEFAULT, raftLogKey(regionId, 0), raftLogKey(regionId, truncatedIndex + 1)));
        this.deletions++;
      },
      `raftlog-gc region-${regionId}`,
    );
  }
}
