/**
 * Watches the scheduler's picture for the mark of an accepted stale report: a region older than
 * one the scheduler already held for the same keys (3C).
 *
 * @module
 */
import { describeRegion, rangesOverlap, type Region } from '../../common/raftstore/region';

/** The most regressions kept (the first ones explain the rest). */
const MAX_REGRESSIONS = 10;

/**
 * True when holding `region` after `before` goes back in time: the same region with a smaller
 * version or conf version, or another region with a larger version over some of the same keys.
 */
function goesBack(region: Region, before: Region): boolean {
  if (region.id === before.id) return region.epoch.version < before.epoch.version || region.epoch.confVer < before.epoch.confVer;
  return before.epoch.version > region.epoch.version && rangesOverlap(before, region);
}

/**
 * Remembers every region the scheduler has held and reports when it takes in one that is older
 * (the heartbeat tests' property, checked on a live cluster): the same region with a smaller
 * version or conf version, or a region with a smaller version than one it held over some of the
 * same keys. The kit's raftstore never merges, so the regions that ever hold a key have
 * growing versions, and a scheduler that rejects stale reports never goes back; any step back is
 * a stale report that was accepted, and usually a newer region erased with it. Gaps (keys no
 * region holds for a moment) are normal and not reported.
 *
 * @example
 * ```ts
 * const monitor = new EpochMonitor();
 * monitor.observe(scheduler.regions(), 'after the heartbeat of region 7 at 1200 ms');
 * monitor.regressions; // sentences, empty when the scheduler never went back
 * ```
 */
export class EpochMonitor {
  /** Every distinct (region, epoch) held so far. */
  private readonly held: Region[] = [];
  /** The region objects of the last look: unchanged ones need no second check. */
  private lastView = new Set<Region>();
  private readonly found: string[] = [];

  /** What went backwards, each a sentence naming both regions and when. */
  get regressions(): readonly string[] {
    return this.found;
  }

  /**
   * Checks the regions that changed since the last look against every region held before, then
   * remembers them.
   *
   * @param regions - every region the scheduler holds now.
   * @param when - what just happened, for the sentence (`after a heartbeat delivered late ...`).
   */
  observe(regions: readonly Region[], when: string): void {
    for (const region of regions) {
      if (this.lastView.has(region)) continue;
      const newer = this.held.find((before) => goesBack(region, before));
      if (newer !== undefined) {
        if (this.found.length < MAX_REGRESSIONS) this.found.push(`${when}, the scheduler holds ${describeRegion(region)}, older than the ${describeRegion(newer)} it held before`);
        continue;
      }
      if (!this.held.some((before) => before.id === region.id && before.epoch.version === region.epoch.version && before.epoch.confVer === region.epoch.confVer)) this.held.push(region);
    }
    this.lastView = new Set(regions);
  }
}
