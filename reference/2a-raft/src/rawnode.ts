/**
 * RawNode: the handle an owner (the raftstore, a test) drives — tick, step, propose —
 * and the Ready / advance handshake through which the owner persists, sends and applies.
 *
 * @module
 */
import { ConfChangeType, encodeConfChange, type ConfChange } from '../../common/raft/conf-change';
import { createEntry, EntryType } from '../../common/raft/entry';
import { hardStateEquals, type HardState } from '../../common/raft/hard-state';
import { createMessage, LOCAL_MESSAGE_TYPES, MessageType, type Message } from '../../common/raft/message';
import type { ConfState } from '../../common/raft/snapshot';
import type { Config } from './config';
import type { Progress } from './progress';
import { Raft } from './raft';
import { softStateEquals, type Ready, type SoftState } from './ready';
import { StateType } from './state-type';

/** The owner's handle on one Raft node. */
export class RawNode {
  /** The wrapped state machine (tests observe its documented fields). */
  readonly raft: Raft;
  /** The soft state reported by the last advanced Ready (or the initial one). */
  private prevSoftState: SoftState;
  /** The hard state reported by the last advanced Ready (or the stored one at start). */
  private prevHardState: HardState;

  /**
   * Starts a node. The stored hard state counts as already reported, so a restarted node's
   * first Ready carries no hard state unless something changed.
   *
   * @throws RangeError when the config is invalid.
   */
  constructor(config: Config) {
    this.raft = new Raft(config);
    this.prevSoftState = this.raft.softState();
    this.prevHardState = this.raft.hardState();
  }

  /** Advances the node's logical clock by one tick. */
  tick(): void {
    this.raft.tick();
  }

  /** Makes this node start an election now. */
  campaign(): void {
    this.raft.step(createMessage({ msgType: MessageType.MsgHup, from: this.raft.id, to: this.raft.id }));
  }

  /**
   * Proposes a command to be appended to the log.
   *
   * @throws ProposalDroppedError when this node cannot accept proposals (no leader known).
   */
  propose(data: Buffer): void {
    const entry = createEntry({ term: 0, index: 0, data });
    this.raft.step(createMessage({ msgType: MessageType.MsgPropose, from: this.raft.id, to: this.raft.id, entries: [entry] }));
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
    const entry = createEntry({ term: 0, index: 0, entryType: EntryType.EntryConfChange, data: encodeConfChange(change) });
    this.raft.step(createMessage({ msgType: MessageType.MsgPropose, from: this.raft.id, to: this.raft.id, entries: [entry] }));
  }

  /**
   * Applies a committed membership change (3A): the owner calls it for each committed
   * `EntryConfChange` entry, in log order, when it applies that entry.
   *
   * @returns the membership now: every member's id, in increasing order.
   */
  applyConfChange(change: ConfChange): ConfState {
    if (change.changeType === ConfChangeType.AddNode) this.raft.addNode(change.nodeId);
    else this.raft.removeNode(change.nodeId);
    return { nodes: [...this.raft.prs.keys()].sort((a, b) => a - b) };
  }

  /**
   * Asks for leadership to move to `transferee` (3A): steps a local `MsgTransferLeader` whose
   * `from` is the transferee. A follower passes it on to its leader; see the handout for what
   * the leader does.
   */
  transferLeader(transferee: number): void {
    this.raft.step(createMessage({ msgType: MessageType.MsgTransferLeader, from: transferee, to: this.raft.id }));
  }

  /**
   * Hands a message from a peer to the node.
   *
   * @throws RangeError for a local message type (use tick, campaign or propose instead).
   */
  step(message: Message): void {
    if (LOCAL_MESSAGE_TYPES.includes(message.msgType)) {
      throw new RangeError(`RawNode.step was given the local message ${message.msgType}: use tick(), campaign() or propose() instead.`);
    }
    this.raft.step(message);
  }

  /**
   * The work pending now (see {@link Ready} for what "absent" means). Calling it does not
   * change the node: the same Ready is returned until `advance` is called with it.
   */
  ready(): Ready {
    const raft = this.raft;
    const ready: Ready = {
      entries: raft.raftLog.unstableEntries(),
      committedEntries: raft.raftLog.nextEnts(),
      messages: raft.msgs.slice(),
    };
    const softState = raft.softState();
    if (!softStateEquals(softState, this.prevSoftState)) ready.softState = softState;
    const hardState = raft.hardState();
    if (!hardStateEquals(hardState, this.prevHardState)) ready.hardState = hardState;
    if (raft.raftLog.pendingSnapshot !== undefined) ready.snapshot = raft.raftLog.pendingSnapshot;
    return ready;
  }

  /** True when `ready()` would have anything in it. */
  hasReady(): boolean {
    const raft = this.raft;
    return (
      !softStateEquals(raft.softState(), this.prevSoftState) ||
      !hardStateEquals(raft.hardState(), this.prevHardState) ||
      raft.msgs.length > 0 ||
      raft.raftLog.unstableEntries().length > 0 ||
      raft.raftLog.nextEnts().length > 0 ||
      raft.raftLog.pendingSnapshot !== undefined
    );
  }

  /**
   * Tells the node the owner has handled `ready`: its entries are persisted (stabled moves),
   * its committed entries applied (applied moves), its messages sent (removed from the outbox).
   */
  advance(ready: Ready): void {
    const log = this.raft.raftLog;
    if (ready.softState !== undefined) this.prevSoftState = ready.softState;
    if (ready.hardState !== undefined) this.prevHardState = ready.hardState;
    if (ready.entries.length > 0) log.stabled = ready.entries[ready.entries.length - 1].index;
    if (ready.committedEntries.length > 0) log.applied = ready.committedEntries[ready.committedEntries.length - 1].index;
    this.raft.msgs.splice(0, ready.messages.length);
    if (ready.snapshot !== undefined) log.pendingSnapshot = undefined;
    // Storage may have compacted its log (2C): the in-memory log keeps nothing storage dropped.
    log.maybeCompact();
  }

  /** The leader's replication progress per peer (copies); empty on a non-leader. */
  getProgress(): Map<number, Progress> {
    const progress = new Map<number, Progress>();
    if (this.raft.state !== StateType.Leader) return progress;
    for (const [peer, value] of this.raft.prs) progress.set(peer, { match: value.match, next: value.next });
    return progress;
  }
}
