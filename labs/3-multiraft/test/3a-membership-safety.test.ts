/**
 * Stage 3A — membership changes and transfers under faults.
 *
 * Goal: whatever order conf changes, leader transfers, lost messages and partitions come in,
 * Raft stays safe — one leader per term, committed entries never change, at most one conf
 * change pending, one membership per applied index — and a healed group converges. Method:
 * seeded random scenarios (see 3a-membership-fuzz.ts) on the deterministic test network;
 * every node applies what it commits at once, as the raftstore does. A failing seed prints
 * the command that replays it.
 */
import { forEachSeed } from '../../common/testkit/seeds';
import { runMembershipSafetyScenario } from './3a-membership-fuzz';

describe('[3A] membership under faults', () => {
  test('[3A] random conf changes and transfers on a lossy, partitioned network keep Raft safe, and the healed group converges', async () => {
    await forEachSeed(10, (seed) => runMembershipSafetyScenario(seed, { poolSize: 5, initialMembers: 3, rounds: 300 }));
  });
});
