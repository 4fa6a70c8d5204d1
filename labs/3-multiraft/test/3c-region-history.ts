/**
 * Stage 3C test helper: a model of how regions evolve — splits, merges, conf changes and leader
 * changes — that records the report a leader would send after every change.
 *
 * The model follows the raftstore's rules, so its reports are what a real cluster could send:
 * a split bumps the version of both halves; a merge keeps the left region's id and conf version
 * and takes a version above both halves; a conf change adds or removes one peer and bumps the
 * conf version; a leader change bumps nothing. For any key, each region that takes it over
 * therefore has a larger version than the one before, and for any region id both counters only
 * grow.
 */
import type { Rng } from '../../common/runtime/rng';
import { describeRegion, type PeerMeta, type Region } from '../../common/raftstore/region';
import { RegionInfo } from '../src/region-info';

/** Boundaries are integers in [0, keySpace]; 0 and keySpace are the open ends (''). */
function boundaryKey(boundary: number, keySpace: number): Buffer {
  if (boundary <= 0 || boundary >= keySpace) return Buffer.alloc(0);
  return Buffer.from(`k${String(boundary).padStart(6, '0')}`, 'latin1');
}

/** The key at integer point `point` (any point in [0, keySpace)). */
export function keyAt(point: number): Buffer {
  return Buffer.from(`k${String(point).padStart(6, '0')}`, 'latin1');
}

interface ModelRegion {
  readonly id: number;
  readonly start: number;
  readonly end: number;
  readonly confVer: number;
  readonly version: number;
  readonly peers: readonly PeerMeta[];
}

/** One change the model can make. */
export type RegionChange =
  | { readonly kind: 'split'; readonly region: number; readonly point: number }
  | { readonly kind: 'merge'; readonly region: number }
  | { readonly kind: 'confChange'; readonly region: number; readonly store: number }
  | { readonly kind: 'leader'; readonly region: number; readonly peer: number };

/**
 * Regions covering the whole key space, changed one step at a time. Every change appends the
 * reports of the regions it changed to {@link RegionHistory.reports}.
 */
export class RegionHistory {
  private regions: ModelRegion[];
  private readonly latest = new Map<number, RegionInfo>();
  private nextId: number;
  /** Every report ever made, oldest first. */
  readonly reports: RegionInfo[] = [];

  /**
   * @param storeCount - stores 1..storeCount; a new region has a peer on stores 1..3.
   * @param keySpace - boundaries are integers in [0, keySpace].
   */
  constructor(
    readonly storeCount: number,
    readonly keySpace = 100_000,
  ) {
    const peers = [1, 2, 3].filter((s) => s <= storeCount).map((storeId) => ({ id: 10 + storeId, storeId }));
    this.nextId = 100;
    this.regions = [{ id: 1, start: 0, end: keySpace, confVer: 1, version: 1, peers }];
    this.record(this.regions[0], 0, 1);
  }

  /** The current regions, in key order, as their leaders last reported them. */
  current(): RegionInfo[] {
    return this.regions.map((model) => this.latest.get(model.id)!);
  }

  /** How many regions there are now. */
  get regionCount(): number {
    return this.regions.length;
  }

  /**
   * Applies one change; indexes are taken modulo what exists, so any numbers make a valid
   * change (handy for generated changes). A split of a region too small to split does nothing.
   */
  apply(change: RegionChange): void {
    const index = change.region % this.regions.length;
    const model = this.regions[index];
    switch (change.kind) {
      case 'split': {
        const width = model.end - model.start;
        if (width < 2) return;
        const at = model.start + 1 + (change.point % (width - 1));
        const left: ModelRegion = { ...model, end: at, version: model.version + 1 };
        const right: ModelRegion = { id: this.nextId++, start: at, end: model.end, confVer: model.confVer, version: model.version + 1, peers: model.peers.map((p) => ({ id: this.nextId++, storeId: p.storeId })) };
        this.regions.splice(index, 1, left, right);
        this.record(left, change.point, 1);
        this.record(right, change.point, 2);
        return;
      }
      case 'merge': {
        if (this.regions.length < 2) return;
        const leftIndex = Math.min(index, this.regions.length - 2);
        const [left, right] = this.regions.slice(leftIndex, leftIndex + 2);
        const merged: ModelRegion = { ...left, end: right.end, version: Math.max(left.version, right.version) + 1 };
        this.regions.splice(leftIndex, 2, merged);
        this.latest.delete(right.id);
        this.record(merged, change.region, 3);
        return;
      }
      case 'confChange': {
        const storeId = 1 + (change.store % this.storeCount);
        const holder = model.peers.find((p) => p.storeId === storeId);
        // Keep between 1 and storeCount peers; remove when the store holds one, else add.
        const peers =
          holder && model.peers.length > 1
            ? model.peers.filter((p) => p !== holder)
            : holder
              ? model.peers
              : [...model.peers, { id: this.nextId++, storeId }];
        if (peers === model.peers) return;
        const changed: ModelRegion = { ...model, peers, confVer: model.confVer + 1 };
        this.regions[index] = changed;
        this.record(changed, change.store, 4);
        return;
      }
      case 'leader':
        this.record(model, change.peer, 5);
        return;
    }
  }

  /** A random change drawn from `rng`. */
  randomChange(rng: Rng): RegionChange {
    const region = rng.int(0, 1_000_000);
    switch (rng.int(0, 3)) {
      case 0:
        return { kind: 'split', region, point: rng.int(0, 1_000_000) };
      case 1:
        return { kind: 'merge', region };
      case 2:
        return { kind: 'confChange', region, store: rng.int(0, 1_000) };
      default:
        return { kind: 'leader', region, peer: rng.int(0, 1_000) };
    }
  }

  private record(model: ModelRegion, salt: number, tag: number): void {
    const region: Region = {
      id: model.id,
      startKey: boundaryKey(model.start, this.keySpace),
      endKey: boundaryKey(model.end, this.keySpace),
      epoch: { confVer: model.confVer, version: model.version },
      peers: model.peers,
    };
    // Leader, pending peers and size vary with the change, deterministically.
    const mix = (salt * 31 + tag * 7 + this.reports.length) >>> 0;
    const leader = model.peers[mix % model.peers.length];
    const pending = model.peers.filter((p, i) => p.id !== leader.id && (mix >> i) % 3 === 0);
    const info = new RegionInfo(region, leader, pending, 1 + (mix % 97));
    this.latest.set(model.id, info);
    this.reports.push(info);
  }
}

/** The region part of a report (range, epoch, peers), for comparisons that ignore leader and size. */
export function regionPart(info: RegionInfo | undefined): string | undefined {
  return info && describeRegion(info.region);
}
