/**
 * Stage 2AB — hidden model-based test of the Raft log.
 *
 * Goal: grade RaftLog on programs the student has not run. Method: the public model
 * (labs/2a-raft/test/raft-log-model.ts) under unseen fast-check seeds and more runs.
 */
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { checkRaftLog } from '../../../labs/2a-raft/test/raft-log-model';

/** Hidden seeds start here, away from the public 1..N. */
const HIDDEN_SEED_BASE = 7300;

describe('[2AB] hidden Raft log model', () => {
  test('[2AB] the Raft log matches the model on unseen programs', () => forEachSeed(3, (seed) => checkRaftLog(HIDDEN_SEED_BASE + seed, 100)));
});
