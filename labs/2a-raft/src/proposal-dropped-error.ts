/**
 * The expected refusal of a proposal (provided).
 *
 * @module
 */

/**
 * Thrown by `Raft.step` / `RawNode.propose` when a proposal cannot be accepted: the node is
 * not a leader and knows no leader to forward it to, or is a candidate. The caller should
 * retry at the leader. The test network swallows it, as a real network would lose the request.
 */
export class ProposalDroppedError extends Error {
  /** @param nodeId - the node that dropped the proposal. @param reason - why, in words. */
  constructor(
    readonly nodeId: number,
    reason: string,
  ) {
    super(`Proposal dropped by node ${nodeId}: ${reason}. Retry the proposal at the current leader.`);
    this.name = 'ProposalDroppedError';
  }
}
