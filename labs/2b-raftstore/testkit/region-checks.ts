/**
 * The region invariants a multi-region cluster keeps (3B), checked after every round: the
 * regions cover the key space exactly once, no store holds two overlapping regions, and no
 * store keeps user data outside the regions it hosts (a removed peer leaves nothing behind).
 *
 * @module
 */
import { COLUMN_FAMILIES, type Engine } from '../../common/engine/engine';
import { DATA_PREFIX, dataEndKey, userKeyOf } from '../../common/raftstore/meta-keys';
import { describeRegion, keyInRegion, rangesOverlap, type Region } from '../../common/raftstore/region';
import { loadRegions } from '../src/bootstrap';

/**
 * What is wrong with a set of regions meant to cover every key exactly once, in sentences: gaps,
 * overlaps, a first region not starting at the first key, a last one not reaching the end.
 * Empty when they tile the key space.
 */
export function coverageProblems(regions: readonly Region[]): string[] {
  const sorted = [...regions].sort((a, b) => Buffer.compare(a.startKey, b.startKey));
  const problems: string[] = [];
  if (sorted.length === 0) return ['no region is known'];
  if (sorted[0].startKey.length !== 0) problems.push(`the first region starts at ${JSON.stringify(sorted[0].startKey.toString('latin1'))}, not at the first key: ${describeRegion(sorted[0])}`);
  for (let i = 0; i + 1 < sorted.length; i++) {
    const left = sorted[i];
    const right = sorted[i + 1];
    if (left.endKey.length === 0 || Buffer.compare(left.endKey, right.startKey) > 0) problems.push(`${describeRegion(left)} overlaps ${describeRegion(right)}`);
    else if (Buffer.compare(left.endKey, right.startKey) < 0) problems.push(`no region holds [${left.endKey.toString('latin1')}, ${right.startKey.toString('latin1')}): a gap between ${describeRegion(left)} and ${describeRegion(right)}`);
  }
  const last = sorted[sorted.length - 1];
  if (last.endKey.length !== 0) problems.push(`the last region ends at ${JSON.stringify(last.endKey.toString('latin1'))}, not at the end of the key space: ${describeRegion(last)}`);
  return problems;
}

/**
 * What is wrong with one store's kv engine: two initialised regions that overlap, or user data
 * that lies in none of its regions (data of a region it left, or of a split it got wrong).
 *
 * @param storeId - for the sentences.
 * @param kv - the store's durable kv engine.
 * @param limit - the most problems to list.
 */
export function storeProblems(storeId: number, kv: Engine, limit = 5): string[] {
  const regions = loadRegions(kv).filter((region) => region.peers.length > 0);
  const problems: string[] = [];
  for (let i = 0; i < regions.length; i++) {
    for (let j = i + 1; j < regions.length; j++) {
      if (rangesOverlap(regions[i], regions[j])) problems.push(`store ${storeId} holds two overlapping regions: ${describeRegion(regions[i])} and ${describeRegion(regions[j])}`);
    }
  }
  const view = kv.view();
  try {
    for (const cf of COLUMN_FAMILIES) {
      const iterator = view.iterator(cf);
      try {
        for (iterator.seek(DATA_PREFIX); iterator.valid() && problems.length < limit; iterator.next()) {
          const key = iterator.key();
          if (Buffer.compare(key, dataEndKey(Buffer.alloc(0))) >= 0) break;
          const userKey = userKeyOf(key);
          if (!regions.some((region) => keyInRegion(userKey, region))) {
            problems.push(`store ${storeId} keeps key ${JSON.stringify(userKey.toString('latin1'))} (column family ${cf}) that none of its regions holds: data of a region it left must be deleted`);
          }
        }
      } finally {
        iterator.close();
      }
    }
  } finally {
    view.close();
  }
  return problems.slice(0, limit);
}
