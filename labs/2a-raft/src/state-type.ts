/**
 * The three roles of a Raft node.
 *
 * @module
 */

/** A node's role. Every node starts as a follower. */
export const StateType = {
  Follower: 'Follower',
  Candidate: 'Candidate',
  Leader: 'Leader',
} as const;

/** One of the {@link StateType} values. */
export type StateType = (typeof StateType)[keyof typeof StateType];

/** The id meaning "no peer": no leader known, no vote cast. Real ids start at 1. */
export const NONE = 0;
