/**
 * Stage 2AC — hidden model-based test of the Ready / advance contract.
 *
 * Goal: grade the contract on programs the student has not run. Method: the public model
 * (labs/2a-raft/test/rawnode-contract-model.ts) under unseen fast-check seeds and more runs.
 */
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { checkReadyContract } from '../../../labs/2a-raft/test/rawnode-contract-model';

/** Hidden seeds start here, away from the public 1..N. */
const HIDDEN_SEED_BASE = 7200;

describe('[2AC] hidden Ready / advance contract', () => {
  test('[2AC] the Ready / advance contract holds on unseen interleavings', () =>
    forEachSeed(3, (seed) => checkReadyContract(HIDDEN_SEED_BASE + seed, 60)),
  );
});
