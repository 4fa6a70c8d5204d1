/**
 * Building region snapshots for Raft, in the background (provided, stage 2C).
 *
 * @module
 */
import { CF_DEFAULT, type Engine } from '../../common/engine/engine';
import { emptySnapshot, type Snapshot } from '../../common/raft/snapshot';
import { applyStateKey, regionStateKey } from '../../common/raftstore/meta-keys';
import { decodeApplyState } from '../../common/raftstore/raft-apply-state';
import { decodeRegion, regionEpochEquals, type RegionEpoch } from '../../common/raftstore/region';
import { encodeSnapshotData, regionPairs } from '../../common/raftstore/snapshot-data';
import type { Runtime } from '../../common/runtime/runtime';
import { StorageError } from '../../2a-raft/src/storage';
import type { RaftstoreConfig } from './raftstore-config';

/** What the generator reads from a peer's storage when Raft asks for a snapshot. */
export interface SnapshotSource {
  /** The store's kv engine: the snapshot is a point-in-time view of it. */
  readonly kv: Engine;
  /** The region whose data the snapshot holds. */
  readonly regionId: number;
  /** The peer's truncated index now: a snapshot older than it is useless (entries after it are gone). */
  readonly truncatedIndex: number;
  /** The term of a log entry (the peer storage's `term`). */
  term(index: number): number;
}

/** What the generator has done, for tests and benchmarks. */
export interface SnapshotGeneratorStats {
  /** Snapshots started. */
  started: number;
  /** Snapshots finished and handed out at least once. */
  finished: number;
}

type GeneratorState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'building'; readonly snapshot: Snapshot; readonly epoch: RegionEpoch }
  | { readonly kind: 'ready'; readonly snapshot: Snapshot; readonly epoch: RegionEpoch };

/**
 * Builds the snapshots of one peer, as TinyKV's region worker does: asynchronously, so asking
 * for a snapshot is answered with `StorageError('snapshotTemporarilyUnavailable')` until one
 * is ready; Raft must ask again later (at the next heartbeat answer) rather than fail.
 *
 * A snapshot is taken at the peer's applied index from one consistent view of the kv engine
 * (the data, the apply state and the region state of the same instant). Building it takes
 * virtual time that grows with the region's size (`snapshotBaseMs` plus
 * `snapshotMsPerThousandKeys` per 1000 keys). A ready snapshot is handed out again to every
 * follower that needs one, until the log is compacted past it or the region changes (3B: a split
 * or a conf change); then the next request builds a new one. Every request is answered by a snapshot or by "try again": retries are bounded by
 * construction, since a new build always starts at the latest applied index.
 *
 * @example
 * ```ts
 * const generator = new SnapshotGenerator(runtime, config);
 * try {
 *   return generator.snapshot(source);
 * } catch (error) {
 *   // StorageError 'snapshotTemporarilyUnavailable': ask again later
 * }
 * ```
 */
export class SnapshotGenerator {
  /** What the generator has done. */
  readonly stats: SnapshotGeneratorStats = { started: 0, finished: 0 };
  private state: GeneratorState = { kind: 'idle' };

  /**
   * @param runtime - the store incarnation's runtime (the build's virtual time); undefined for
   *   a storage that never builds snapshots (a peer storage used alone in a unit test).
   * @param config - the cost of a build.
   */
  constructor(
    private readonly runtime: Runtime | undefined,
    private readonly config: Pick<RaftstoreConfig, 'snapshotBaseMs' | 'snapshotMsPerThousandKeys'>,
  ) {}

  /** A generator that never builds anything: the empty snapshot while the log was never compacted (stage 2B). */
  static none(): SnapshotGenerator {
    return new SnapshotGenerator(undefined, { snapshotBaseMs: 0, snapshotMsPerThousandKeys: 0 });
  }

  /**
   * The snapshot Raft should send.
   *
   * @returns the empty snapshot while the log was never compacted; otherwise a snapshot at
   *   least as new as the truncated index.
   * @throws StorageError `snapshotTemporarilyUnavailable` while it is being built (ask again later).
   */
  snapshot(source: SnapshotSource): Snapshot {
    if (source.truncatedIndex === 0) return emptySnapshot();
    const state = this.state;
    if (state.kind === 'ready' && state.snapshot.metadata.index >= source.truncatedIndex && this.epochStillCurrent(source, state.epoch)) return state.snapshot;
    if (state.kind !== 'building') this.startBuilding(source);
    throw new StorageError('snapshotTemporarilyUnavailable', `The snapshot of region ${source.regionId} is being built; ask again later.`);
  }

  /** True while the region's epoch is still the one the snapshot holds (3B: a split or conf change since makes it useless). */
  private epochStillCurrent(source: SnapshotSource, epoch: RegionEpoch): boolean {
    const bytes = source.kv.get(CF_DEFAULT, regionStateKey(source.regionId));
    return bytes !== undefined && regionEpochEquals(decodeRegion(bytes).epoch, epoch);
  }

  private startBuilding(source: SnapshotSource): void {
    if (this.runtime === undefined) {
      throw new StorageError('snapshotTemporarilyUnavailable', `This storage of region ${source.regionId} has no snapshot worker.`);
    }
    const view = source.kv.view();
    let snapshot: Snapshot;
    let keys: number;
    let epoch: RegionEpoch;
    try {
      const regionBytes = view.get(CF_DEFAULT, regionStateKey(source.regionId));
      const applyBytes = view.get(CF_DEFAULT, applyStateKey(source.regionId));
      if (regionBytes === undefined || applyBytes === undefined) {
        throw new Error(`Region ${source.regionId} has no region state or apply state in the kv engine: it cannot be snapshotted.`);
      }
      const region = decodeRegion(regionBytes);
      epoch = region.epoch;
      const index = decodeApplyState(applyBytes).appliedIndex;
      const pairs = regionPairs(view, region);
      keys = pairs.length;
      snapshot = {
        data: encodeSnapshotData({ region, pairs }),
        metadata: { index, term: source.term(index), confState: { nodes: region.peers.map((peer) => peer.id).sort((a, b) => a - b) } },
      };
    } finally {
      view.close();
    }
    this.stats.started++;
    this.state = { kind: 'building', snapshot, epoch };
    const buildMs = this.config.snapshotBaseMs + Math.ceil((keys * this.config.snapshotMsPerThousandKeys) / 1000);
    this.runtime.setTimer(
      buildMs,
      () => {
        this.stats.finished++;
        this.state = { kind: 'ready', snapshot, epoch };
      },
      `snapshot-worker region-${source.regionId}`,
    );
  }
}
