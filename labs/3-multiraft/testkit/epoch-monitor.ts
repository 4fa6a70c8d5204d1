/**
 * Watches the scheduler's picture for the mark of an accepted stale report: a region whose
 * epoch goes backwards (3C).
 *
 * @module
 */
import { describeRegion, type Region, type RegionEpoch } from '../../common/raftstore/region';

/** The most regressions kept (the first ones explain the rest). */
const MAX_REGRESSIONS = 10;

function isOlder(epoch: RegionEpoch, than: RegionEpoch): boolean {
  return epoch.version < than.version || epoch.confVer < than.confVer;
}

/**
 * Remembers, for every region id, the newest epoch the scheduler has ever held, and reports
 * when the scheduler holds an older one later. Without merges (the kit's raftstore never
 * merges), a scheduler that rejects stale reports never goes backwards: a region's own counters
 * only grow, and a late report of a region that was replaced by a newer overlapping one is
 * rejected by the overlap check. So any step back is a stale report that was accepted.
 *
 * @example
 * ```ts
 * const monitor = new EpochMonitor();
 * monitor.observe(scheduler.regions(), 'after the heartbeat of region 7 at 1200 ms');
 * monitor.regressions; // sentences, empty when the scheduler never went back
 * ```
 */
export class EpochMonitor {
  private readonly newest = new Map<number, Region>();
  private readonly found: string[] = [];

  /** What went backwards, each a sentence naming the region, both epochs and when. */
  get regressions(): readonly string[] {
    return this.found;
  }

  /**
   * Compares the scheduler's current regions with the newest copies seen so far, then remembers
   * the new ones.
   *
   * @param regions - every region the scheduler holds now.
   * @param when - what just happened, for the sentence (`after a late heartbeat of ...`).
   */
  observe(regions: readonly Region[], when: string): void {
    for (const region of regions) {
      const newest = this.newest.get(region.id);
      if (newest !== undefined && isOlder(region.epoch, newest.epoch)) {
        if (this.found.length < MAX_REGRESSIONS) {
          this.found.push(`${when}, the scheduler holds ${describeRegion(region)}, older than the ${describeRegion(newest)} it held before: a stale report was accepted`);
        }
        continue;
      }
      this.newest.set(region.id, region);
    }
  }
}
