/**
 * Stage 3C public tests: splits and merges seen through heartbeats
 * (labs/3-multiraft/src/process-region-heartbeat.ts).
 *
 * Goal: whatever order the halves of a split or merge are reported in, lookups by key find the
 * newest region or nothing (a gap, until the missing half reports) — never an older region that
 * was already superseded; and once every region's newest report has arrived, the scheduler holds
 * exactly the newest regions. Method: hand-built splits reported in both orders; rounds of
 * splits and merges checked key by key; the TinyKV trap of a late report of a known region
 * after a merge and a split; and a fast-check property over random histories of splits, merges,
 * conf changes and leader changes whose reports arrive in a random order.
 */
import fc from 'fast-check';
import { createRng } from '../../common/runtime/rng';
import { forEachSeed } from '../../common/testkit/seeds';
import type { RegionInfo } from '../src/region-info';
import { RegionHistory, keyAt, regionPart } from './3c-region-history';
import { HEARTBEAT_HANDOUT, SchedulerFixture, key, makeRegion, report, same } from './3c-scheduler-fixture';

const STORES = [1, 2, 3];
const whole = makeRegion({ id: 1, start: '', end: '', peers: [[11, 1], [12, 2], [13, 3]] });
/** Region 1 split at `m`: the left half keeps id 1, the right half is region 2. */
const left = makeRegion({ id: 1, start: '', end: 'm', peers: [[11, 1], [12, 2], [13, 3]], epoch: { confVer: 1, version: 2 } });
const right = makeRegion({ id: 2, start: 'm', end: '', peers: [[21, 1], [22, 2], [23, 3]], epoch: { confVer: 1, version: 2 } });

function lookup(fixture: SchedulerFixture, text: string): number | undefined {
  return fixture.cluster.getRegionByKey(key(text))?.id;
}

describe('[3C] splits and merges', () => {
  test('[3C] a split reported new region first: the old range is a gap until the parent reports', () => {
    const fixture = new SchedulerFixture(STORES);
    fixture.accept(report(whole));
    fixture.accept(report(right));
    same(lookup(fixture, 'z'), 2, 'Key z is in the new region 2 [m, ).');
    same(lookup(fixture, 'a'), undefined, 'Key a was in the old region 1 [, ), which region 2 replaced: it is a gap until region 1 [, m) reports.');
    fixture.accept(report(left));
    same(lookup(fixture, 'a'), 1, 'Key a is in region 1 [, m) once it reports.');
    fixture.expectRegions([report(left), report(right)]);
  });

  test('[3C] a split reported parent first: the new range is a gap until the new region reports', () => {
    const fixture = new SchedulerFixture(STORES);
    fixture.accept(report(whole));
    fixture.accept(report(left));
    same(lookup(fixture, 'a'), 1, 'Key a is in region 1 [, m).');
    same(lookup(fixture, 'z'), undefined, 'Key z left region 1 with the split; region 2 has not reported yet.');
    fixture.accept(report(right));
    same(lookup(fixture, 'z'), 2, 'Key z is in region 2 [m, ).');
    fixture.expectRegions([report(left), report(right)]);
  });

  test('[3C] a late report of the region before the split is rejected once a half is known', () => {
    const fixture = new SchedulerFixture(STORES);
    fixture.accept(report(right));
    fixture.reject(report(whole)); // unknown id 1, overlapping the newer region 2
    fixture.accept(report(left));
    fixture.reject(report(whole)); // known id 1, older than what is known
    fixture.expectRegions([report(left), report(right)]);
  });

  test('[3C] rounds of splits, then merges, then both, each reported in full, keep every lookup right', () =>
    forEachSeed(3, (seed) => {
      const rng = createRng(seed);
      const history = new RegionHistory(3, 1 << 12);
      const fixture = new SchedulerFixture(STORES);
      let delivered = 0;
      const round = (change: (index: number) => void) => {
        for (let index = history.regionCount - 1; index >= 0; index--) change(index);
        // Deliver this round's reports in a random order; every region reports at least once.
        for (const info of rng.shuffle(history.reports.slice(delivered))) fixture.offer(info);
        delivered = history.reports.length;
        const current = history.current();
        for (const info of current) {
          for (const text of [info.region.startKey, ...probeKeys(info)]) {
            same(regionPart(fixture.cluster.getRegionByKey(text)), regionPart(info), `Key ${JSON.stringify(text.toString('latin1'))} should be found in ${regionPart(info)} (seed ${seed}; see ${HEARTBEAT_HANDOUT}).`);
          }
        }
        same(fixture.cluster.regionCount, current.length, `The scheduler should hold exactly the ${current.length} current regions (seed ${seed}).`);
      };
      for (let r = 0; r < 7; r++) round((index) => history.apply({ kind: 'split', region: index, point: rng.int(0, 1 << 20) }));
      for (let r = 0; r < 7; r++) round((index) => index % 2 === 0 && history.apply({ kind: 'merge', region: index }));
      for (let r = 0; r < 14; r++) round((index) => history.apply(rng.chance(0.5) ? { kind: 'split', region: index, point: rng.int(0, 1 << 20) } : { kind: 'merge', region: index }));
    }));

  test('[3C] after a merge and a split, a late report of a known region cannot erase its newer neighbour', () => {
    const fixture = new SchedulerFixture(STORES);
    // Region 1 [, m) and region 2 [m, ) merge into region 1 [, ) v3, which splits again into
    // region 1 [, m) v4 and region 3 [m, ) v4. The merged report (v3) is delivered last.
    const merged = makeRegion({ id: 1, start: '', end: '', peers: [[11, 1], [12, 2], [13, 3]], epoch: { confVer: 1, version: 3 } });
    const leftAgain = makeRegion({ id: 1, start: '', end: 'm', peers: [[11, 1], [12, 2], [13, 3]], epoch: { confVer: 1, version: 4 } });
    const newRight = makeRegion({ id: 3, start: 'm', end: '', peers: [[31, 1], [32, 2], [33, 3]], epoch: { confVer: 1, version: 4 } });
    fixture.accept(report(left));
    fixture.accept(report(right));
    fixture.accept(report(newRight));
    // Region 1 is known at version 2, so v3 is newer than its own copy — but it overlaps
    // region 3 at version 4: accepting it would erase region 3, which may never report again.
    fixture.reject(report(merged));
    fixture.accept(report(leftAgain));
    fixture.expectRegions([report(leftAgain), report(newRight)]);
  });

  test('[3C] conf versions of different regions are not compared: a merge absorbing a busier neighbour is accepted', () => {
    const fixture = new SchedulerFixture(STORES);
    const busyRight = makeRegion({ id: 2, start: 'm', end: '', peers: [[21, 1], [22, 2], [23, 3]], epoch: { confVer: 9, version: 2 } });
    const merged = makeRegion({ id: 1, start: '', end: '', peers: [[11, 1], [12, 2], [13, 3]], epoch: { confVer: 1, version: 3 } });
    fixture.accept(report(left));
    fixture.accept(report(busyRight));
    fixture.accept(report(merged));
    fixture.expectRegions([report(merged)]);
  });

  test('[3C] property: reports of random splits and merges in a random order end with exactly the newest regions', () =>
    forEachSeed(3, (seed) => {
      const change = fc.oneof(
        fc.record({ kind: fc.constant('split' as const), region: fc.nat(), point: fc.nat() }),
        fc.record({ kind: fc.constant('merge' as const), region: fc.nat() }),
        fc.record({ kind: fc.constant('confChange' as const), region: fc.nat(), store: fc.nat() }),
        fc.record({ kind: fc.constant('leader' as const), region: fc.nat(), peer: fc.nat() }),
      );
      const property = fc.property(fc.array(change, { minLength: 1, maxLength: 40 }), fc.array(fc.nat({ max: 1_000 }), { maxLength: 120 }), (changes, priorities) => {
        const history = new RegionHistory(5, 1 << 16);
        for (const step of changes) history.apply(step);
        const newest = new Map(history.current().map((info) => [info.id, info]));
        const order = history.reports.map((info, index) => ({ info, rank: priorities[index] ?? 0, index })).sort((a, b) => a.rank - b.rank || a.index - b.index);
        const fixture = new SchedulerFixture([1, 2, 3, 4, 5]);
        const reported = new Set<RegionInfo>();
        for (const { info } of order) {
          fixture.offer(info);
          const newestOfThis = newest.get(info.id);
          if (newestOfThis && regionPart(newestOfThis) === regionPart(info)) reported.add(newestOfThis);
          // Once a region's newest state has been reported, the scheduler holds it from then on.
          for (const final of reported) {
            if (regionPart(fixture.cluster.getRegion(final.id)) !== regionPart(final)) {
              throw new Error(`After reporting ${info.describe()}, the scheduler lost the newest ${regionPart(final)}: it holds ${regionPart(fixture.cluster.getRegion(final.id)) ?? 'nothing'} for region ${final.id} (see ${HEARTBEAT_HANDOUT}).`);
            }
          }
        }
        same(
          fixture.cluster.getRegions().map(regionPart),
          history.current().map(regionPart),
          'Once every report has arrived, the scheduler must hold exactly the newest regions.',
        );
        // A periodic round of heartbeats settles leaders, pending peers and sizes too.
        for (const info of history.current()) fixture.accept(info);
        fixture.expectRegions(history.current());
      });
      fc.assert(property, { seed, numRuns: 150 });
    }));
});

/** A few keys inside the region: its start, just before its end, and the middle. */
function probeKeys(info: RegionInfo): Buffer[] {
  const start = info.region.startKey.length === 0 ? 0 : Number(info.region.startKey.toString('latin1').slice(1));
  const end = info.region.endKey.length === 0 ? 1 << 12 : Number(info.region.endKey.toString('latin1').slice(1));
  return [keyAt(start), keyAt(Math.floor((start + end) / 2)), keyAt(end - 1)];
}
