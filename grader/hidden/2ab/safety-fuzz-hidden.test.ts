/**
 * Stage 2AB — hidden directed safety fuzz.
 *
 * Goal: grade Raft safety under the hard schedules on seeds the student has not run: a leader
 * cut off after replicating to a minority and re-elected, split votes with late vote requests,
 * and the paper's Figure 8. Method: the public fuzz (labs/2a-raft/test/raft-safety-fuzz.ts)
 * with more episodes per seed and seeds far from the public ones.
 */
import { forEachSeed } from '../../../labs/common/testkit/seeds';
import { runSafetyFuzz } from '../../../labs/2a-raft/test/raft-safety-fuzz';

/** Hidden seeds start here, away from the public 1..N. */
const HIDDEN_SEED_BASE = 7100;

describe('[2AB] hidden directed safety fuzz', () => {
  test('[2AB] the directed fuzz keeps every safety property on unseen seeds with longer runs', () =>
    forEachSeed(6, (seed) => {
      runSafetyFuzz(HIDDEN_SEED_BASE + seed, { episodes: 16 });
    }),
  );
});
