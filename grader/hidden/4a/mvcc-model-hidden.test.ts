/**
 * Stage 4A — hidden model-based test of the MVCC layer.
 *
 * Goal: grade the MVCC reads on programs the student has not run. Method: the public model
 * (labs/4-txn/test/mvcc-model.ts) under unseen fast-check seeds and more runs.
 */
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { checkMvccAgainstModel } from '../../../labs/4-txn/test/mvcc-model';

/** Hidden seeds start here, away from the public 1..N. */
const HIDDEN_SEED_BASE = 7400;

describe('[4A] hidden MVCC model', () => {
  test('[4A] every MVCC read matches the model on unseen programs', () => forEachSeed(3, (seed) => checkMvccAgainstModel(HIDDEN_SEED_BASE + seed, 40)));
});
