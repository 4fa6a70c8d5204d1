// Goal: the cluster kit's answer check (labs/2b-raftstore/testkit/answer-auditor.ts) reports a
// success answer that belongs to another entry — naming the store, peer, region, the proposal's
// index and term against the applied entry's, and who proposed that entry — and never fires on
// a correct answer, however the raftstore batches its applies.
// Method: real engines filled by hand the way a raftstore fills them (log entries in the raft
// engine, the apply state and region in the kv engine), proposals noted, answers checked.
import { CF_DEFAULT } from '../../labs/common/engine/engine';
import { MemoryEngine } from '../../labs/common/engine/memory-engine';
import { WriteBatch } from '../../labs/common/engine/write-batch';
import { EntryType } from '../../labs/common/raft/entry';
import { encodeEntry } from '../../labs/common/raftstore/entry-codec';
import { applyStateKey, raftLogKey, raftStateKey, regionStateKey } from '../../labs/common/raftstore/meta-keys';
import { encodeApplyState, initialApplyState } from '../../labs/common/raftstore/raft-apply-state';
import { encodeRaftLocalState } from '../../labs/common/raftstore/raft-local-state';
import { encodeRaftCmdRequest, type RaftCmdRequest, type RaftCmdResponse, type Request } from '../../labs/common/raftstore/raft-cmd';
import { encodeRegion, type Region } from '../../labs/common/raftstore/region';
import type { StoreEngines } from '../../labs/common/raftstore/store-engines';
import { ClusterAuditor } from '../../labs/common/testkit/cluster-auditor';
import { AnswerAuditor } from '../../labs/2b-raftstore/testkit/answer-auditor';

const region: Region = { id: 1, startKey: Buffer.alloc(0), endKey: Buffer.alloc(0), epoch: { confVer: 1, version: 1 }, peers: [2, 3, 4].map((id) => ({ id, storeId: id - 1 })) };
const key = Buffer.from('k1');

function command(requests: Request[]): RaftCmdRequest {
  return { header: { regionId: 1, peer: region.peers[1], regionEpoch: region.epoch, term: 0 }, requests };
}
const get = () => command([{ cmdType: 'get', cf: CF_DEFAULT, key }]);
const put = () => command([{ cmdType: 'put', cf: CF_DEFAULT, key, value: Buffer.from('c3.13') }]);
const answer = (...cmdTypes: ('get' | 'put')[]): RaftCmdResponse => ({ header: { currentTerm: 4 }, responses: cmdTypes.map((cmdType) => (cmdType === 'get' ? { cmdType, value: undefined } : { cmdType })) });

/**
 * A 3-store cluster's engines, its auditors, and `fill`, which gives store 2 (peer 3) a log
 * holding `entries`, applied up to `appliedIndex` in one apply-state write.
 */
function cluster() {
  const engines = new Map<number, StoreEngines>();
  for (const storeId of [1, 2, 3]) {
    const kv = new MemoryEngine();
    kv.write(new WriteBatch().put(CF_DEFAULT, regionStateKey(1), encodeRegion(region)).put(CF_DEFAULT, applyStateKey(1), encodeApplyState(initialApplyState())));
    engines.set(storeId, { kv, raft: new MemoryEngine() });
  }
  const auditor = new ClusterAuditor(engines);
  const answers = new AnswerAuditor((storeId) => engines.get(storeId) as StoreEngines, auditor);
  const fill = (entries: { index: number; term: number; request?: RaftCmdRequest }[], appliedIndex: number): void => {
    const own = engines.get(2) as StoreEngines;
    const raftBatch = new WriteBatch();
    for (const entry of entries) {
      const data = entry.request ? encodeRaftCmdRequest(entry.request) : Buffer.alloc(0);
      raftBatch.put(CF_DEFAULT, raftLogKey(1, entry.index), encodeEntry({ entryType: EntryType.EntryNormal, index: entry.index, term: entry.term, data }));
    }
    const last = entries[entries.length - 1];
    raftBatch.put(CF_DEFAULT, raftStateKey(1), encodeRaftLocalState({ hardState: { term: last.term, vote: 3, commit: appliedIndex }, lastIndex: last.index, lastTerm: last.term }));
    own.raft.write(raftBatch);
    const apply = new WriteBatch().put(CF_DEFAULT, applyStateKey(1), encodeApplyState({ ...initialApplyState(), appliedIndex }));
    auditor.checkKvWrite(2, apply);
    own.kv.write(apply);
  };
  return { answers, auditor, fill };
}

const at = (index: number, term: number) => ({ storeId: 2, peerId: 3, regionId: 1, index, term });

test('a get answered with the result of the entry a newer leader put at its index is reported as that', () => {
  const { answers, auditor, fill } = cluster();
  const theGet = answers.stamp(get(), 2);
  const thePut = answers.stamp(put(), 3);
  answers.noteProposed(theGet.header.requestId as number, at(12, 3));
  fill([{ index: 12, term: 4, request: thePut }], 12);
  const violation = answers.checkAnswer(2, theGet, answer('put'));
  expect(violation).toBe(
    'store 2 (peer 3, region 1) answered the get of "k1" from client 2 (proposed at index 12, term 3) with the result of the entry applied at index 12, term 4 (a put of "k1" proposed by client 3): ' +
      'a newer leader replaced the proposal, so it was never applied and must be answered with stale-command. Match proposals by index AND term.',
  );
  expect(auditor.violations).toEqual([violation]);
});

test("an answer to a proposal whose index now holds a new leader's empty entry says so", () => {
  const { answers, fill } = cluster();
  const theGet = answers.stamp(get(), 2);
  answers.noteProposed(theGet.header.requestId as number, at(12, 3));
  fill([{ index: 12, term: 4 }], 12);
  expect(answers.checkAnswer(2, theGet, answer())).toMatch(/index 12, term 4 \(a new leader's empty entry, no command\): a newer leader replaced the proposal/);
});

test("an answer with the wrong responses is another command's result, even when the proposal is not known", () => {
  const { answers, fill } = cluster();
  const theGet = answers.stamp(get(), 2);
  fill([{ index: 12, term: 4 }], 12);
  expect(answers.checkAnswer(2, theGet, answer())).toBe(
    'store 2 (peer 3, region 1) answered the get of "k1" from client 2 with no response for its 1 request(s) [get]: the answer belongs to another command (one response per request, in order). ' +
      "The store had just applied the entries at indexes 1..12 (index 12, term 4: a new leader's empty entry, no command).",
  );
  expect(answers.checkAnswer(2, theGet, answer('put'))).toMatch(/with 1 response\(s\) \[put\] for its 1 request\(s\) \[get\]/);
});

test('correct answers pass: own entry at the proposal index, answered after a batch of applies, errors, entries gone or not applied', () => {
  const { answers, auditor, fill } = cluster();
  const thePut = answers.stamp(put(), 3);
  const theGet = answers.stamp(get(), 2);
  answers.noteProposed(thePut.header.requestId as number, at(11, 3));
  answers.noteProposed(theGet.header.requestId as number, at(12, 3));
  fill(
    [
      { index: 11, term: 3, request: thePut },
      { index: 12, term: 3, request: theGet },
      { index: 13, term: 3 },
    ],
    13,
  );
  // Both answered after one apply-state write covering 1..13: fine.
  expect(answers.checkAnswer(2, thePut, answer('put'))).toBeUndefined();
  expect(answers.checkAnswer(2, theGet, answer('get'))).toBeUndefined();
  // Errors carry no result.
  expect(answers.checkAnswer(2, theGet, { header: { currentTerm: 4, error: { kind: 'stale-command' } as never }, responses: [] })).toBeUndefined();
  // A proposal whose entry is gone (compacted, 2C) or not applied yet is not judged by its index.
  answers.noteProposed(theGet.header.requestId as number, at(40, 3));
  expect(answers.checkAnswer(2, theGet, answer('get'))).toBeUndefined();
  expect(auditor.violations).toEqual([]);
});
