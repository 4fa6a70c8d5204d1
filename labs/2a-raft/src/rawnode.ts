/**
 * RawNode: the handle an owner (the raftstore, a test) drives — tick, step, propose — and the
 * Ready / advance handshake through which the owner persists, sends and applies. (Student file, 2AC.)
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import type { ConfChange } from '../../common/raft/conf-change';
import type { Message } from '../../common/raft/message';
import type { ConfState } from '../../common/raft/snapshot';
import type { Config } from './config';
import type { Progress } from './progress';
import { Raft } from './raft';
import type { Ready } from './ready';

const HANDOUT = 'labs/2a-raft/README.md#ready-and-advance-2ac';

/** The owner's handle on one Raft node. */
export class RawNode {
  /** The wrapped state machine (tests observe its documented fields). */
  readonly raft: Raft;

  /**
   * Starts a node. The stored hard state counts as already reported, so a restarted node's
   * first Ready carries no hard state unless something changed.
   *
   * @throws RangeError when the config is invalid.
   */
  constructor(config: Config) {
    this.raft = new Raft(config);
    // TODO(2AC): remember the soft and hard state as "already reported" (prevSoftState, prevHardState).
    throw new NotImplementedError('2AC', 'RawNode constructor', HANDOUT);
  }

  /** Advances the node's logical clock by one tick. */
  tick(): void {
    throw new NotImplementedError('2AC', 'RawNode.tick', HANDOUT);
  }

  /** Makes this node start an election now. */
  campaign(): void {
    // TODO(2AC): step a local MsgHup.
    throw new NotImplementedError('2AC', 'RawNode.campaign', HANDOUT);
  }

  /**
   * Proposes a command to be appended to the log.
   *
   * @throws ProposalDroppedError when this node cannot accept proposals (no leader known).
   */
  propose(data: Buffer): void {
    // TODO(2AC): step a local MsgPropose carrying one entry with `data`.
    throw new NotImplementedError('2AC', 'RawNode.propose', HANDOUT);
  }

  /** Proposes a membership change (3A). */
  proposeConfChange(_change: ConfChange): void {
    throw new NotImplementedError('3A', 'RawNode.proposeConfChange', 'labs/2a-raft/README.md#later-stages');
  }

  /** Applies a committed membership change and returns the new membership (3A). */
  applyConfChange(_change: ConfChange): ConfState {
    throw new NotImplementedError('3A', 'RawNode.applyConfChange', 'labs/2a-raft/README.md#later-stages');
  }

  /** Asks the leader to hand leadership to `transferee` (3A). */
  transferLeader(_transferee: number): void {
    throw new NotImplementedError('3A', 'RawNode.transferLeader', 'labs/2a-raft/README.md#later-stages');
  }

  /**
   * Hands a message from a peer to the node.
   *
   * @throws RangeError for a local message type (use tick, campaign or propose instead).
   */
  step(message: Message): void {
    // TODO(2AC): refuse LOCAL_MESSAGE_TYPES with a RangeError whose message says "local".
    throw new NotImplementedError('2AC', 'RawNode.step', HANDOUT);
  }

  /**
   * The work pending now (see {@link Ready} for what "absent" means). Calling it does not
   * change the node: the same Ready is returned until `advance` is called with it.
   */
  ready(): Ready {
    // TODO(2AC): unstable entries, nextEnts, a copy of the outbox; softState / hardState only
    // when different from the last reported ones (undefined otherwise — never an "empty" state).
    throw new NotImplementedError('2AC', 'RawNode.ready', HANDOUT);
  }

  /** True when `ready()` would have anything in it. */
  hasReady(): boolean {
    throw new NotImplementedError('2AC', 'RawNode.hasReady', HANDOUT);
  }

  /**
   * Tells the node the owner has handled `ready`: its entries are persisted (stabled moves),
   * its committed entries applied (applied moves), its messages sent (removed from the outbox).
   */
  advance(ready: Ready): void {
    // TODO(2AC): move stabled/applied to the last entry of each list (only if non-empty) and
    // drop exactly ready.messages.length messages from the front of the outbox.
    throw new NotImplementedError('2AC', 'RawNode.advance', HANDOUT);
  }

  /** The leader's replication progress per peer (copies); empty on a non-leader. */
  getProgress(): Map<number, Progress> {
    throw new NotImplementedError('2AC', 'RawNode.getProgress', HANDOUT);
  }
}
