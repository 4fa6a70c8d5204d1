// Goal: the safety auditor's report names the store, its peer and the region, explains the ids,
// prints at most five violations with a count of the rest, tells the cluster about each
// violation as it happens (for the trace), and knows which entries the last apply covered.
// Method: real engines holding a bootstrapped region, rule-breaking calls made by hand.
import { CF_DEFAULT } from '../../engine/engine';
import { MemoryEngine } from '../../engine/memory-engine';
import { WriteBatch } from '../../engine/write-batch';
import { applyStateKey, regionStateKey } from '../../raftstore/meta-keys';
import { encodeApplyState, initialApplyState } from '../../raftstore/raft-apply-state';
import { encodeRegion, type Region } from '../../raftstore/region';
import type { StoreEngines } from '../../raftstore/store-engines';
import { ClusterAuditor, ID_NOTATION, type AuditorViolation } from '../cluster-auditor';

const region: Region = { id: 1, startKey: Buffer.alloc(0), endKey: Buffer.alloc(0), epoch: { confVer: 1, version: 1 }, peers: [2, 3, 4].map((id) => ({ id, storeId: id - 1 })) };

function cluster(): { engines: Map<number, StoreEngines>; auditor: ClusterAuditor; seen: AuditorViolation[] } {
  const engines = new Map<number, StoreEngines>();
  for (const storeId of [1, 2, 3]) {
    const kv = new MemoryEngine();
    kv.write(new WriteBatch().put(CF_DEFAULT, regionStateKey(region.id), encodeRegion(region)).put(CF_DEFAULT, applyStateKey(region.id), encodeApplyState(initialApplyState())));
    engines.set(storeId, { kv, raft: new MemoryEngine() });
  }
  const seen: AuditorViolation[] = [];
  return { engines, auditor: new ClusterAuditor(engines, { onViolation: (violation) => seen.push(violation) }), seen };
}

test('two leaders in one term: the sentence names both stores with their peers, and the listener hears it', () => {
  const { auditor, seen } = cluster();
  auditor.checkRole(1, 1, 'Leader', 3);
  auditor.checkRole(2, 1, 'Leader', 3);
  expect(auditor.violations).toEqual(['store 1 (peer 2, region 1) and store 2 (peer 3, region 1) were both leader in term 3: a term has at most one leader.']);
  expect(seen).toEqual([{ storeId: 2, regionId: 1, text: auditor.violations[0] }]);
});

test('a report prints the first five violations, counts the rest and explains the ids', () => {
  const { auditor } = cluster();
  for (let term = 1; term <= 8; term++) {
    auditor.checkRole(1, 1, 'Leader', term);
    auditor.checkRole(2, 1, 'Leader', term);
  }
  const report = auditor.formatViolations().split('\n');
  expect(report[0]).toBe('The safety auditor found 8 violation(s):');
  expect(report.slice(1, 6).every((line) => line.startsWith('  store 1 (peer 2, region 1) and store 2'))).toBe(true);
  expect(report[6]).toBe('  ... and 3 more');
  expect(report[7]).toBe(ID_NOTATION);
  expect(ID_NOTATION).toContain('"r1 3->2" means region 1, from peer 3 to peer 2');
});

test('no violation, no report', () => {
  expect(cluster().auditor.formatViolations()).toBe('');
});

test('the last apply-state write of a store tells which entries it covered', () => {
  const { engines, auditor } = cluster();
  const write = (appliedIndex: number) => {
    const batch = new WriteBatch().put(CF_DEFAULT, applyStateKey(1), encodeApplyState({ ...initialApplyState(), appliedIndex }));
    auditor.checkKvWrite(1, batch);
    engines.get(1)?.kv.write(batch);
  };
  expect(auditor.lastAppliedRange(1, 1)).toBeUndefined();
  write(3);
  expect(auditor.lastAppliedRange(1, 1)).toEqual({ from: 1, to: 3 });
  write(4);
  expect(auditor.lastAppliedRange(1, 1)).toEqual({ from: 4, to: 4 });
});
