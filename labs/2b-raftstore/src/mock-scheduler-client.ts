/**
 * The scheduler as 2B needs it: one region covering every key, ids from a counter (provided).
 *
 * @module
 */
import type { PeerMeta, Region } from '../../common/raftstore/region';

/**
 * A stand-in for TinyKV's scheduler (placement driver): allocates ids and knows where the
 * region is. Stage 3C replaces it with a real one.
 */
export class MockSchedulerClient {
  private nextId = 1;
  private readonly regions = new Map<number, Region>();

  /** A new unique id (for regions and peers). */
  allocId(): number {
    return this.nextId++;
  }

  /**
   * Creates the first region: every key, one peer per store, epoch 1/1.
   *
   * @param storeIds - the stores that will hold a replica.
   * @returns the region, also remembered for {@link getRegion}.
   */
  bootstrapRegion(storeIds: readonly number[]): Region {
    const regionId = this.allocId();
    const peers: PeerMeta[] = storeIds.map((storeId) => ({ id: this.allocId(), storeId }));
    const region: Region = { id: regionId, startKey: Buffer.alloc(0), endKey: Buffer.alloc(0), epoch: { confVer: 1, version: 1 }, peers };
    this.regions.set(regionId, region);
    return region;
  }

  /**
   * The region holding `key`.
   *
   * @throws Error when no region was bootstrapped.
   */
  getRegion(key: Buffer): Region {
    for (const region of this.regions.values()) {
      const afterStart = Buffer.compare(key, region.startKey) >= 0;
      const beforeEnd = region.endKey.length === 0 || Buffer.compare(key, region.endKey) < 0;
      if (afterStart && beforeEnd) return region;
    }
    throw new Error(`The scheduler knows no region holding key ${JSON.stringify(key.toString('latin1'))}; bootstrap the cluster first.`);
  }
}
