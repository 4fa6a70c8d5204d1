/**
 * What the scheduler knows about one region (provided; TinyKV's `core.RegionInfo`).
 *
 * @module
 */
import type { RegionHeartbeat } from '../../common/scheduler/heartbeat';
import { describeRegion, type PeerMeta, type Region, type RegionEpoch } from '../../common/raftstore/region';

/**
 * A region as last reported by its leader: range, epoch and peers, plus who leads, which peers
 * lag behind, and how big it is. Immutable: a newer report makes a new `RegionInfo`.
 *
 * @example
 * ```ts
 * const info = RegionInfo.fromHeartbeat(heartbeat);
 * info.storeIds();          // Set { 1, 2, 3 }
 * info.followers();         // the peers that are not the leader
 * info.isPendingOn(3);      // true when the peer on store 3 is behind
 * ```
 */
export class RegionInfo {
  /**
   * @param region - range, epoch and peers.
   * @param leader - the leader's peer, or undefined before any leader reported (a bootstrapped region).
   * @param pendingPeers - peers the leader sees as behind.
   * @param approximateSizeBytes - the region's approximate size.
   * @throws Error when the leader or a pending peer is not one of the region's peers.
   */
  constructor(
    readonly region: Region,
    readonly leader: PeerMeta | undefined,
    readonly pendingPeers: readonly PeerMeta[],
    readonly approximateSizeBytes: number,
  ) {
    // Checked where the report enters the scheduler, so every later lookup may trust it.
    for (const peer of leader ? [leader, ...pendingPeers] : pendingPeers) {
      if (!region.peers.some((member) => member.id === peer.id && member.storeId === peer.storeId)) {
        throw new Error(`A report of ${describeRegion(region)} names peer ${peer.id}@${peer.storeId}, which is not one of its peers.`);
      }
    }
  }

  /** The region info a leader's heartbeat describes. @throws Error as the constructor does. */
  static fromHeartbeat(heartbeat: RegionHeartbeat): RegionInfo {
    return new RegionInfo(heartbeat.region, heartbeat.leader, heartbeat.pendingPeers, heartbeat.approximateSizeBytes);
  }

  /** The region's id. */
  get id(): number {
    return this.region.id;
  }

  /** The region's epoch. */
  get epoch(): RegionEpoch {
    return this.region.epoch;
  }

  /** The stores that hold a replica of the region. */
  storeIds(): Set<number> {
    return new Set(this.region.peers.map((peer) => peer.storeId));
  }

  /** The region's replica on `storeId`, or undefined. */
  peerOnStore(storeId: number): PeerMeta | undefined {
    return this.region.peers.find((peer) => peer.storeId === storeId);
  }

  /** Every peer except the leader (every peer when no leader is known). */
  followers(): PeerMeta[] {
    return this.region.peers.filter((peer) => peer.id !== this.leader?.id);
  }

  /** True when the leader is the replica on `storeId`. */
  isLeaderOn(storeId: number): boolean {
    return this.leader?.storeId === storeId;
  }

  /** True when the replica on `storeId` is a pending peer. */
  isPendingOn(storeId: number): boolean {
    return this.pendingPeers.some((peer) => peer.storeId === storeId);
  }

  /** True when `peerId` is a pending peer. */
  isPendingPeer(peerId: number): boolean {
    return this.pendingPeers.some((peer) => peer.id === peerId);
  }

  /** One line for messages: the region, its leader, pending peers and size. */
  describe(): string {
    const leader = this.leader ? `${this.leader.id}@${this.leader.storeId}` : 'none';
    const pending = this.pendingPeers.map((peer) => `${peer.id}@${peer.storeId}`).join(',') || 'none';
    return `${describeRegion(this.region)} leader ${leader} pending ${pending} size ${this.approximateSizeBytes}`;
  }
}
