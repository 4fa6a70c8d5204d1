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
    // TODO(2AC): tick the Raft node.
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

  /**
   * Proposes a membership change (3A): an `EntryConfChange` entry whose data is
   * `encodeConfChange(change)`. It takes effect only when the owner applies it
   * ({@link RawNode.applyConfChange}) after it is committed.
   *
   * @throws ProposalDroppedError when this node cannot accept it: no leader known, a leader
   * transfer under way, or an earlier conf change not applied yet (only one may be pending).
   */
  proposeConfChange(change: ConfChange): void {
    // TODO(3A): step a local MsgPropose carrying one entry: entryType EntryConfChange, data
    // encodeConfChange(change) (labs/common/raft/conf-change.ts). The leader refuses it while
    // pendingConfIndex > applied, and sets pendingConfIndex when it appends it.
    throw new NotImplementedError('3A', 'RawNode.proposeConfChange', 'labs/3-multiraft/README.md#part-3a');
  }

  /**
   * Applies a committed membership change (3A): the owner calls it for each committed
   * `EntryConfChange` entry, in log order, when it applies that entry.
   *
   * @returns the membership now: every member's id, in increasing order.
   */
  applyConfChange(change: ConfChange): ConfState {
    // TODO(3A): raft.addNode or raft.removeNode by change.changeType; return { nodes } sorted.
    throw new NotImplementedError('3A', 'RawNode.applyConfChange', 'labs/3-multiraft/README.md#part-3a');
  }

  /**
   * Asks for leadership to move to `transferee` (3A): steps a local `MsgTransferLeader` whose
   * `from` is the transferee. A follower passes it on to its leader; see the handout for what
   * the leader does.
   */
  transferLeader(transferee: number): void {
    // TODO(3A): step a local MsgTransferLeader with from = transferee, to = this node.
    throw new NotImplementedError('3A', 'RawNode.transferLeader', 'labs/3-multiraft/README.md#part-3a');
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
    // TODO(2C): also snapshot = raftLog.pendingSnapshot when there is one (and hasReady sees it).
    // TODO(2AC): unstable entries, nextEnts, a copy of the outbox; softState / hardState only
    // when different from the last reported ones (undefined otherwise — never an "empty" state).
    throw new NotImplementedError('2AC', 'RawNode.ready', HANDOUT);
  }

  /** True when `ready()` would have anything in it. */
  hasReady(): boolean {
    // TODO(2AC): a changed soft or hard state, messages, unstable entries or entries to apply.
    throw new NotImplementedError('2AC', 'RawNode.hasReady', HANDOUT);
  }

  /**
   * Tells the node the owner has handled `ready`: its entries are persisted (stabled moves),
   * its committed entries applied (applied moves), its messages sent (removed from the outbox).
   */
  advance(ready: Ready): void {
    // TODO(2AC): move stabled/applied to the last entry of each list (only if non-empty) and
    // drop exactly ready.messages.length messages from the front of the outbox.
    // TODO(2C): a Ready with a snapshot clears raftLog.pendingSnapshot; then call
    // raftLog.maybeCompact() (storage may have compacted its log).
    throw new NotImplementedError('2AC', 'RawNode.advance', HANDOUT);
  }

  /** The leader's replication progress per peer (copies); empty on a non-leader. */
  getProgress(): Map<number, Progress> {
    // TODO(2AC): on a leader, a copy of each peer's progress from raft.prs; otherwise an empty Map.
    throw new NotImplementedError('2AC', 'RawNode.getProgress', HANDOUT);
  }
}
