/**
 * The mock scheduler of the 3B tests (TinyKV's `MockSchedulerClient`): it learns regions from
 * heartbeats, drives the operators a test sets (add peer, remove peer, transfer leader) through
 * heartbeat answers, and checks what the student's stores report.
 *
 * @module
 */
import { ConfChangeType } from '../../common/raft/conf-change';
import { describeRegion, findPeer, keyInRegion, rangesOverlap, type PeerMeta, type Region } from '../../common/raftstore/region';
import type { RegionHeartbeat, RegionHeartbeatResponse, StoreHeartbeat } from '../../common/scheduler/heartbeat';
import type { SplitIds } from '../../common/scheduler/scheduler-client';
import type { SchedulerService } from './scheduler-service';

/** One operator of the mock: a single step, repeated on every heartbeat until the region shows it done. */
export type MockOperator =
  | { readonly kind: 'add-peer'; readonly peer: PeerMeta }
  | { readonly kind: 'remove-peer'; readonly peer: PeerMeta }
  | { readonly kind: 'transfer-leader'; readonly peer: PeerMeta };

interface KnownRegion {
  region: Region;
  leader?: PeerMeta;
  pendingPeers: readonly PeerMeta[];
}

/** The most violations kept (the first ones are the interesting ones). */
const MAX_VIOLATIONS = 20;

/**
 * A scheduler for tests. Regions: a heartbeat replaces what is known of its region unless the
 * known epoch is newer (a stale report); a newer region removes older regions it overlaps (a
 * split seen from one side first). Operators: one per region, set by the test; every heartbeat
 * of the region's leader is answered with the operator's step until the reported region shows
 * it done (an added peer must also have caught up: it is no longer pending).
 *
 * It also checks the student, as TinyKV's does: a conf version that grew by one must come with
 * exactly one peer added or removed, and the peers may not change without the conf version
 * growing. Violations are kept in {@link violations}; the cluster reports them as correctness
 * failures.
 */
export class MockScheduler implements SchedulerService {
  private nextId = 1;
  private readonly known = new Map<number, KnownRegion>();
  private readonly operators = new Map<number, MockOperator>();
  private readonly found: string[] = [];

  /** What the mock saw go wrong in reports, each a sentence. */
  get violations(): readonly string[] {
    return this.found;
  }

  bootstrap(storeIds: readonly number[]): Region {
    const regionId = this.allocId();
    const peers: PeerMeta[] = storeIds.map((storeId) => ({ id: this.allocId(), storeId }));
    const region: Region = { id: regionId, startKey: Buffer.alloc(0), endKey: Buffer.alloc(0), epoch: { confVer: 1, version: 1 }, peers };
    this.known.set(regionId, { region, pendingPeers: [] });
    return region;
  }

  allocId(): number {
    return this.nextId++;
  }

  askSplit(region: Region): SplitIds {
    return { newRegionId: this.allocId(), newPeerIds: region.peers.map(() => this.allocId()) };
  }

  handleStoreHeartbeat(_heartbeat: StoreHeartbeat): void {
    // The mock needs nothing from store reports.
  }

  handleRegionHeartbeat(heartbeat: RegionHeartbeat): RegionHeartbeatResponse | undefined {
    const region = heartbeat.region;
    const previous = this.known.get(region.id);
    if (previous !== undefined && isOlder(region, previous.region)) return undefined;
    if (previous !== undefined) this.checkConfChange(previous.region, region, heartbeat.leader);
    for (const [id, other] of this.known) {
      if (id !== region.id && rangesOverlap(other.region, region) && other.region.epoch.version <= region.epoch.version) this.known.delete(id);
    }
    this.known.set(region.id, { region, leader: heartbeat.leader, pendingPeers: heartbeat.pendingPeers });
    return this.step(region.id, heartbeat);
  }

  regionByKey(key: Buffer): Region | undefined {
    for (const { region } of this.known.values()) if (keyInRegion(key, region)) return region;
    return undefined;
  }

  regionById(regionId: number): Region | undefined {
    return this.known.get(regionId)?.region;
  }

  regions(): Region[] {
    return [...this.known.values()].map((known) => known.region).sort((a, b) => Buffer.compare(a.startKey, b.startKey));
  }

  /** The leader the last heartbeat of `regionId` named, if any. */
  leaderOf(regionId: number): PeerMeta | undefined {
    return this.known.get(regionId)?.leader;
  }

  /** The peers the last heartbeat of `regionId` reported as behind. */
  pendingPeersOf(regionId: number): readonly PeerMeta[] {
    return this.known.get(regionId)?.pendingPeers ?? [];
  }

  /** Sets the operator of `regionId` (replacing any). */
  setOperator(regionId: number, operator: MockOperator): void {
    this.operators.set(regionId, operator);
  }

  /** The regions with an operator still running, and the operators. */
  runningOperators(): [number, MockOperator][] {
    return [...this.operators.entries()];
  }

  /** Drops every running operator (a test that stops churning). */
  clearOperators(): void {
    this.operators.clear();
  }

  /** The operator still running on `regionId`, if any. */
  operatorOf(regionId: number): MockOperator | undefined {
    return this.operators.get(regionId);
  }

  private step(regionId: number, heartbeat: RegionHeartbeat): RegionHeartbeatResponse | undefined {
    const operator = this.operators.get(regionId);
    if (operator === undefined) return undefined;
    const region = heartbeat.region;
    if (isDone(operator, heartbeat)) {
      this.operators.delete(regionId);
      return undefined;
    }
    const base = { regionId, regionEpoch: region.epoch };
    switch (operator.kind) {
      case 'add-peer':
        // Added but still catching up: nothing to do but wait.
        return findPeer(region, operator.peer.id) !== undefined ? undefined : { ...base, changePeer: { changeType: ConfChangeType.AddNode, peer: operator.peer } };
      case 'remove-peer':
        return { ...base, changePeer: { changeType: ConfChangeType.RemoveNode, peer: operator.peer } };
      case 'transfer-leader':
        return { ...base, transferLeader: { peer: operator.peer } };
    }
  }

  /** A conf version that grew by one with exactly one peer changed; never the peers without the conf version. */
  private checkConfChange(before: Region, after: Region, leader: PeerMeta): void {
    const added = after.peers.filter((peer) => findPeer(before, peer.id) === undefined);
    const removed = before.peers.filter((peer) => findPeer(after, peer.id) === undefined);
    const changed = added.length + removed.length;
    const grew = after.epoch.confVer - before.epoch.confVer;
    if (grew === 0 && changed > 0) {
      this.report(`the leader ${leader.id} (store ${leader.storeId}) reported ${describeRegion(after)}: its peers changed (${describeChange(added, removed)}) but its conf version did not grow; every applied conf change bumps it.`);
    } else if (grew === 1 && changed !== 1) {
      this.report(`the leader ${leader.id} (store ${leader.storeId}) reported ${describeRegion(after)}: its conf version grew by one from ${before.epoch.confVer} but ${changed === 0 ? 'no peer' : `${changed} peers`} changed (${describeChange(added, removed)}); one conf change moves exactly one peer.`);
    }
  }

  private report(violation: string): void {
    if (this.found.length < MAX_VIOLATIONS) this.found.push(`scheduler: ${violation}`);
  }
}

function describeChange(added: readonly PeerMeta[], removed: readonly PeerMeta[]): string {
  const parts = [...added.map((peer) => `+${peer.id}@${peer.storeId}`), ...removed.map((peer) => `-${peer.id}@${peer.storeId}`)];
  return parts.length > 0 ? parts.join(' ') : 'none';
}

/** True when `region`'s epoch is older than `known`'s in either counter. */
function isOlder(region: Region, known: Region): boolean {
  return region.epoch.version < known.epoch.version || region.epoch.confVer < known.epoch.confVer;
}

function isDone(operator: MockOperator, heartbeat: RegionHeartbeat): boolean {
  const region = heartbeat.region;
  switch (operator.kind) {
    case 'add-peer':
      return findPeer(region, operator.peer.id) !== undefined && !heartbeat.pendingPeers.some((peer) => peer.id === operator.peer.id);
    case 'remove-peer':
      return findPeer(region, operator.peer.id) === undefined;
    case 'transfer-leader':
      return heartbeat.leader.id === operator.peer.id;
  }
}
