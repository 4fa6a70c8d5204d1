/**
 * Benchmark section `raft`: proposals committed per second in 3- and 5-node groups on the
 * deterministic test network, with messages delivered per second alongside. Written against
 * labs/2a-raft/src: the lead runs it inside the reference workspace (labs/ with reference/
 * copied over it), so the numbers are the reference implementation's.
 *
 * @module
 */
import { createRng } from '../labs/common/runtime/rng';
import { beat, hup, newRaftNetwork, nodeOf, propose } from '../labs/2a-raft/test/raft-fixtures';
import type { BenchRow } from './bench-row';
import { bestOfMs } from './bench-row';

const PROPOSALS = 2000;
/** Proposals sent before the leader sends a heartbeat round (batching as a busy leader would). */
const PROPOSALS_PER_HEARTBEAT = 20;

/** Elects node 1, proposes PROPOSALS commands, and returns the messages delivered. */
function commitProposals(nodeCount: number): number {
  const network = newRaftNetwork(Array.from({ length: nodeCount }, () => undefined), createRng(42));
  network.send(hup(1));
  let delivered = 0;
  for (let i = 0; i < PROPOSALS; i++) {
    delivered += network.send(propose(1, `value-${i}`));
    if (i % PROPOSALS_PER_HEARTBEAT === 0) delivered += network.send(beat(1));
  }
  const leader = nodeOf(network, 1);
  if (leader.raftLog.committed < PROPOSALS + 1) {
    throw new Error(`The raft bench expected ${PROPOSALS + 1} committed entries, the leader has ${leader.raftLog.committed}.`);
  }
  return delivered;
}

/** Runs the raft section. */
export async function run(): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  for (const nodeCount of [3, 5]) {
    const delivered = commitProposals(nodeCount);
    const ms = bestOfMs(3, () => commitProposals(nodeCount));
    const seconds = ms / 1000;
    const note = `${PROPOSALS} proposals, ${nodeCount} nodes, test network, one message at a time`;
    rows.push({ section: 'raft', name: `${nodeCount}-node proposals committed`, value: Math.round(PROPOSALS / seconds), unit: 'proposals/s', note });
    rows.push({ section: 'raft', name: `${nodeCount}-node messages delivered`, value: Math.round(delivered / seconds), unit: 'msgs/s', note });
  }
  return rows;
}
