/**
 * What a leader knows about one follower's log (provided).
 *
 * @module
 */

/**
 * A leader's view of one peer's log. Invariant: `match < next`; every entry up to `match` is
 * known to be identical on the peer, and `next` is the index of the next entry to send it.
 */
export class Progress {
  /**
   * @param match - the highest index known to be replicated on the peer (0: nothing known).
   * @param next - the next index to send (a new leader starts it at its last index + 1).
   */
  constructor(
    public match: number,
    public next: number,
  ) {}
}
