/**
 * A command waiting to be applied (provided type).
 *
 * @module
 */
import type { Callback } from '../../common/raftstore/raft-cmd';

/**
 * What a leader remembers about a command it proposed: where the entry landed in its log
 * and who to answer. When the entry at `index` is applied, the proposal is answered with the
 * result if the applied entry has the same `term`, and with a stale-command error otherwise
 * (a newer leader overwrote it; it will never be applied).
 */
export interface Proposal {
  /** The log index the proposed entry was given. */
  readonly index: number;
  /** The leader's term when it proposed the entry. */
  readonly term: number;
  /** Called exactly once with the answer. */
  readonly callback: Callback;
}
