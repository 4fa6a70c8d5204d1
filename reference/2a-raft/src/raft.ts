/**
 * Raft: the consensus state machine of one node. Pure and tick-driven: `tick()` moves time,
 * `step(message)` handles a message, and everything it wants to send lands in `msgs`.
 *
 * @module
 */
import { createEntry, EntryType, type Entry } from '../../common/raft/entry';
import type { HardState } from '../../common/raft/hard-state';
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import { isEmptySnapshot, type Snapshot } from '../../common/raft/snapshot';
import type { Rng } from '../../common/runtime/rng';
import { validateConfig, type Config } from './config';
import { RaftLog } from './log';
import { Progress } from './progress';
import { ProposalDroppedError } from './proposal-dropped-error';
import { isStorageError } from './storage';
import type { SoftState } from './ready';
import { NONE, StateType } from './state-type';

/** The message types that mean "a leader of this term exists and is talking to me". */
const FROM_LEADER: readonly MessageType[] = [MessageType.MsgAppend, MessageType.MsgHeartbeat, MessageType.MsgSnapshot];

/** Answers a leader gets from its followers; one from a peer no longer in the group is ignored (3A). */
const FROM_FOLLOWER: readonly MessageType[] = [MessageType.MsgAppendResponse, MessageType.MsgHeartbeatResponse];

/**
 * One Raft node. The public fields below are the documented state tests observe; change
 * them only through `tick`, `step` and the `become*` methods.
 */
export class Raft {
  /** This node's id. */
  readonly id: number;
  /** The current term. */
  term = 0;
  /** Whom this node voted for in `term` (NONE = 0 when it has not voted). */
  vote = NONE;
  /** The log and its committed / applied / stabled pointers. */
  raftLog: RaftLog;
  /** Per-peer replication progress (every member, this node included); meaningful on a leader. */
  prs = new Map<number, Progress>();
  /** This node's role. */
  state: StateType = StateType.Follower;
  /** Votes received in the current election: peer id → granted. */
  votes = new Map<number, boolean>();
  /** The outbox: messages to send. The owner takes them (and empties the array). */
  msgs: Message[] = [];
  /** The leader's id in this term, or NONE. */
  lead = NONE;
  /** Ticks between heartbeats (a leader's). */
  heartbeatTimeout: number;
  /** The base election timeout in ticks. */
  electionTimeout: number;
  /** The current election timeout, drawn from `[electionTimeout, 2 * electionTimeout)` at every reset. */
  randomizedElectionTimeout: number;
  /** Ticks since the last heartbeat was sent (leader). */
  heartbeatElapsed = 0;
  /** Ticks since the timer was last reset (follower and candidate: since hearing from a leader or granting a vote). */
  electionElapsed = 0;
  /** The peer leadership is being transferred to (3A), or NONE. */
  leadTransferee = NONE;
  /** The index of the latest conf change proposed and not yet applied (3A). */
  pendingConfIndex = 0;
  /** The random source for election timeouts. */
  private readonly rng: Rng;
  /** Leader: ticks since the pending leader transfer began; it is abandoned at `electionTimeout` (3A). */
  private transferElapsed = 0;

  /**
   * Starts (or restarts) a node from its config: term, vote and commit come from the stored
   * hard state; members from `config.peers`, or from the stored conf state when peers is empty.
   * Every node starts as a follower.
   *
   * @throws RangeError when the config is invalid.
   */
  constructor(config: Config) {
    validateConfig(config);
    this.id = config.id;
    this.rng = config.rng;
    this.heartbeatTimeout = config.heartbeatTick;
    this.electionTimeout = config.electionTick;
    this.randomizedElectionTimeout = config.electionTick;
    this.raftLog = new RaftLog(config.storage);
    const { hardState, confState } = config.storage.initialState();
    const peers = config.peers.length > 0 ? config.peers : confState.nodes;
    for (const peer of peers) this.prs.set(peer, new Progress(0, this.raftLog.lastIndex() + 1));
    this.term = hardState.term;
    this.vote = hardState.vote;
    if (config.applied > 0) this.raftLog.applied = config.applied;
    this.becomeFollower(this.term, NONE);
  }

  /** Leader and role, for Ready. */
  softState(): SoftState {
    return { lead: this.lead, raftState: this.state };
  }

  /** Term, vote and commit: what must be persisted. */
  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  /** Advances time by one tick: a follower or candidate may start an election, a leader may send heartbeats. */
  tick(): void {
    if (this.state === StateType.Leader) {
      this.tickLeaderTransfer();
      this.heartbeatElapsed++;
      if (this.heartbeatElapsed >= this.heartbeatTimeout) {
        this.heartbeatElapsed = 0;
        this.step(createMessage({ msgType: MessageType.MsgBeat, from: this.id, to: this.id }));
      }
      return;
    }
    this.electionElapsed++;
    if (this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(createMessage({ msgType: MessageType.MsgHup, from: this.id, to: this.id }));
    }
  }

  /** Becomes a follower of `lead` in `term`; the vote is kept only if the term does not change. */
  becomeFollower(term: number, lead: number): void {
    if (term !== this.term) {
      this.term = term;
      this.vote = NONE;
    }
    this.state = StateType.Follower;
    this.lead = lead;
    this.leadTransferee = NONE;
    this.votes.clear();
    this.resetTimers();
  }

  /**
   * Becomes a candidate: a new term, a vote for itself.
   *
   * @throws Error when called on a leader (a leader never becomes a candidate directly).
   */
  becomeCandidate(): void {
    if (this.state === StateType.Leader) {
      throw new Error(`Node ${this.id} is the leader of term ${this.term}: a leader cannot become a candidate; step down to follower first.`);
    }
    this.term++;
    this.state = StateType.Candidate;
    this.lead = NONE;
    this.vote = this.id;
    this.votes.clear();
    this.votes.set(this.id, true);
    this.resetTimers();
  }

  /**
   * Becomes the leader: resets every peer's progress, appends the no-op entry of its term
   * and sends it to every peer (a single-node group commits it at once).
   *
   * @throws Error when called on a follower (only a candidate can win an election).
   */
  becomeLeader(): void {
    if (this.state === StateType.Follower) {
      throw new Error(`Node ${this.id} is a follower: only a candidate can become the leader; call becomeCandidate first.`);
    }
    this.state = StateType.Leader;
    this.lead = this.id;
    this.leadTransferee = NONE;
    this.resetTimers();
    const lastIndex = this.raftLog.lastIndex();
    for (const [peer, progress] of this.prs) {
      progress.next = lastIndex + 1;
      progress.match = peer === this.id ? lastIndex : 0;
    }
    // 3A: the log may hold a conf change the previous leader proposed and nobody applied yet.
    // Without reading the log, count everything up to here as pending (etcd's rule).
    this.pendingConfIndex = lastIndex;
    this.appendOwnEntries([createEntry({ term: this.term, index: 0 })]);
    this.broadcastAppend();
  }

  /**
   * Handles one message: local ones (MsgHup, MsgBeat, MsgPropose) and every message from peers.
   *
   * @throws ProposalDroppedError when a MsgPropose cannot be accepted.
   */
  step(message: Message): void {
    if (message.term > this.term) {
      const lead = FROM_LEADER.includes(message.msgType) ? message.from : NONE;
      this.becomeFollower(message.term, lead);
    } else if (message.term !== 0 && message.term < this.term) {
      this.answerStaleMessage(message);
      return;
    }
    if (message.msgType === MessageType.MsgRequestVote) {
      this.handleRequestVote(message);
      return;
    }
    switch (this.state) {
      case StateType.Follower:
        this.stepFollower(message);
        break;
      case StateType.Candidate:
        this.stepCandidate(message);
        break;
      case StateType.Leader:
        this.stepLeader(message);
        break;
    }
  }

  /**
   * Sends the entries from the peer's `next` (with the entry before them and the commit index);
   * when the log no longer holds them (compacted), sends a snapshot instead (2C). Returns true
   * when a message was sent, false when storage is still building the snapshot (ask again later).
   */
  sendAppend(to: number): boolean {
    const progress = this.progressOf(to);
    const prevIndex = progress.next - 1;
    if (prevIndex < this.raftLog.firstIndex() - 1) return this.sendSnapshot(to, progress);
    let prevTerm: number;
    try {
      prevTerm = this.raftLog.term(prevIndex);
    } catch (error) {
      if (isStorageError(error, 'compacted')) return this.sendSnapshot(to, progress);
      throw error;
    }
    this.send(
      createMessage({
        msgType: MessageType.MsgAppend,
        to,
        logTerm: prevTerm,
        index: prevIndex,
        entries: this.raftLog.entriesFrom(progress.next),
        commit: this.raftLog.committed,
      }),
    );
    return true;
  }

  /** Sends a heartbeat whose commit is capped at what the peer is known to match. */
  sendHeartbeat(to: number): void {
    const commit = Math.min(this.progressOf(to).match, this.raftLog.committed);
    this.send(createMessage({ msgType: MessageType.MsgHeartbeat, to, commit }));
  }

  /** A follower's handling of MsgAppend from the leader of its term: check the previous entry, merge, commit, answer. */
  handleAppendEntries(message: Message): void {
    const log = this.raftLog;
    if (message.index < log.firstIndex() - 1) {
      // A delayed append from before our snapshot: what it would check is compacted, and
      // everything up to the commit index matches any leader's log. Say how far we match.
      this.send(createMessage({ msgType: MessageType.MsgAppendResponse, to: message.from, index: log.committed }));
      return;
    }
    if (!log.matchTerm(message.index, message.logTerm)) {
      this.send(createMessage({ msgType: MessageType.MsgAppendResponse, to: message.from, reject: true, index: log.lastIndex() }));
      return;
    }
    const conflict = log.findConflict(message.entries);
    if (conflict !== 0) log.append(message.entries.slice(conflict - message.entries[0].index));
    const lastNewIndex = message.index + message.entries.length;
    if (message.commit > log.committed) log.committed = Math.max(log.committed, Math.min(message.commit, lastNewIndex));
    this.send(createMessage({ msgType: MessageType.MsgAppendResponse, to: message.from, index: lastNewIndex }));
  }

  /** A follower's handling of MsgHeartbeat: advance commit (never past its own log) and answer. */
  handleHeartbeat(message: Message): void {
    const log = this.raftLog;
    if (message.commit > log.committed) log.committed = Math.min(message.commit, log.lastIndex());
    this.send(createMessage({ msgType: MessageType.MsgHeartbeatResponse, to: message.from }));
  }

  /**
   * A follower's handling of MsgSnapshot (2C): a snapshot past the committed index replaces the
   * log (and the members come from its conf state); an older one is ignored. Either way the
   * answer tells the leader how far this log now matches.
   */
  handleSnapshot(message: Message): void {
    const snapshot = message.snapshot;
    if (snapshot === undefined) throw new RangeError(`Node ${this.id} got a MsgSnapshot from ${message.from} without a snapshot.`);
    const { index, term, confState } = snapshot.metadata;
    const log = this.raftLog;
    if (index <= log.committed) {
      // Stale (or duplicated): everything it holds is already committed here.
      this.send(createMessage({ msgType: MessageType.MsgAppendResponse, to: message.from, index: log.committed }));
      return;
    }
    if (log.matchTerm(index, term)) {
      // The log already holds the snapshot's last entry, so it holds everything before it too.
      log.committed = index;
      this.send(createMessage({ msgType: MessageType.MsgAppendResponse, to: message.from, index: log.committed }));
      return;
    }
    log.restore(snapshot);
    this.prs = new Map(confState.nodes.map((peer) => [peer, new Progress(0, log.lastIndex() + 1)]));
    this.send(createMessage({ msgType: MessageType.MsgAppendResponse, to: message.from, index: log.lastIndex() }));
  }

  /**
   * Adds a peer to the group (3A), once its conf change is applied. Adding a member again
   * changes nothing: its progress is kept. A leader learns how far the new peer's log is from
   * its first append answer (the next heartbeat answer asks for one).
   */
  addNode(id: number): void {
    if (this.prs.has(id)) return;
    this.prs.set(id, new Progress(0, this.raftLog.lastIndex() + 1));
  }

  /**
   * Removes a peer from the group (3A), once its conf change is applied. Removing a non-member
   * changes nothing. The quorum shrinks at once, so a leader recomputes its commit index (and
   * tells the followers); a transfer to the removed peer is abandoned; a leader or candidate
   * that removes itself steps down (a non-member neither leads nor campaigns).
   */
  removeNode(id: number): void {
    if (!this.prs.delete(id)) return;
    // A vote from a non-member must not count towards the new, smaller quorum.
    this.votes.delete(id);
    if (id === this.leadTransferee) this.leadTransferee = NONE;
    if (id === this.id) {
      if (this.state !== StateType.Follower) this.becomeFollower(this.term, NONE);
      return;
    }
    if (this.state === StateType.Leader && this.prs.size > 0 && this.maybeCommit()) this.broadcastAppend();
  }

  private stepFollower(message: Message): void {
    switch (message.msgType) {
      case MessageType.MsgHup:
        this.campaign();
        break;
      case MessageType.MsgPropose:
        if (this.lead === NONE) throw new ProposalDroppedError(this.id, 'it is a follower and knows no leader');
        this.msgs.push({ ...message, to: this.lead });
        break;
      case MessageType.MsgAppend:
        this.electionElapsed = 0;
        this.lead = message.from;
        this.handleAppendEntries(message);
        break;
      case MessageType.MsgHeartbeat:
        this.electionElapsed = 0;
        this.lead = message.from;
        this.handleHeartbeat(message);
        break;
      case MessageType.MsgSnapshot:
        this.electionElapsed = 0;
        this.lead = message.from;
        this.handleSnapshot(message);
        break;
      case MessageType.MsgTransferLeader:
        // 3A: only the leader can transfer; pass the request on as a new message (the
        // received one belongs to whoever stepped it).
        if (this.lead !== NONE) this.msgs.push(createMessage({ msgType: MessageType.MsgTransferLeader, from: message.from, to: this.lead }));
        break;
      case MessageType.MsgTimeoutNow:
        // 3A: the leader chose us and brought our log up to date: campaign now, without waiting
        // for the timer (campaign refuses if this node is not a member).
        this.campaign();
        break;
      default:
        break;
    }
  }

  private stepCandidate(message: Message): void {
    switch (message.msgType) {
      case MessageType.MsgHup:
        this.campaign();
        break;
      case MessageType.MsgPropose:
        throw new ProposalDroppedError(this.id, 'it is a candidate and no leader is known');
      case MessageType.MsgAppend:
      case MessageType.MsgHeartbeat:
      case MessageType.MsgSnapshot:
        // A leader of our own term exists: it won, so we follow it.
        this.becomeFollower(message.term, message.from);
        this.stepFollower(message);
        break;
      case MessageType.MsgRequestVoteResponse:
        this.votes.set(message.from, !message.reject);
        this.tallyVotes();
        break;
      default:
        break;
    }
  }

  private stepLeader(message: Message): void {
    // 3A: a late answer from a peer removed since has no progress to update.
    if (FROM_FOLLOWER.includes(message.msgType) && !this.prs.has(message.from)) return;
    switch (message.msgType) {
      case MessageType.MsgBeat:
        for (const peer of this.prs.keys()) if (peer !== this.id) this.sendHeartbeat(peer);
        break;
      case MessageType.MsgPropose:
        this.refuseProposalIfBlocked(message.entries);
        this.appendProposal(message.entries);
        this.broadcastAppend();
        break;
      case MessageType.MsgAppendResponse:
        this.handleAppendResponse(message);
        if (message.from === this.leadTransferee && !message.reject) this.sendTimeoutNowIfUpToDate(message.from);
        break;
      case MessageType.MsgTransferLeader:
        this.handleTransferLeader(message.from);
        break;
      case MessageType.MsgHeartbeatResponse:
        if (this.progressOf(message.from).match < this.raftLog.lastIndex()) this.sendAppend(message.from);
        break;
      default:
        break;
    }
  }

  /** Starts an election: a single-node group wins at once, otherwise ask every peer for its vote. */
  private campaign(): void {
    // 3A: a node removed from the group (or not yet added) must not disrupt it with elections.
    if (!this.prs.has(this.id)) return;
    this.becomeCandidate();
    if (this.tallyVotes()) return;
    const lastIndex = this.raftLog.lastIndex();
    const lastTerm = this.raftLog.lastTerm();
    for (const peer of this.prs.keys()) {
      if (peer === this.id) continue;
      this.send(createMessage({ msgType: MessageType.MsgRequestVote, to: peer, index: lastIndex, logTerm: lastTerm }));
    }
  }

  /** Counts votes: a majority of grants wins, a majority of refusals loses. Returns true when the election is decided as won. */
  private tallyVotes(): boolean {
    let granted = 0;
    let rejected = 0;
    for (const vote of this.votes.values()) {
      if (vote) granted++;
      else rejected++;
    }
    const quorum = Math.floor(this.prs.size / 2) + 1;
    if (granted >= quorum) {
      this.becomeLeader();
      return true;
    }
    if (rejected >= quorum) this.becomeFollower(this.term, NONE);
    return false;
  }

  /** Any role: grant the vote if not yet given to someone else in this term and the candidate's log is up to date. */
  private handleRequestVote(message: Message): void {
    const canVote = this.vote === NONE || this.vote === message.from;
    const grant = canVote && this.state !== StateType.Leader && this.raftLog.isUpToDate(message.index, message.logTerm);
    if (grant) {
      this.vote = message.from;
      this.electionElapsed = 0;
    }
    this.send(createMessage({ msgType: MessageType.MsgRequestVoteResponse, to: message.from, reject: !grant }));
  }

  /** A leader's handling of an append answer: back off on refusal, otherwise record the match and try to commit. */
  private handleAppendResponse(message: Message): void {
    const progress = this.progressOf(message.from);
    if (message.reject) {
      // The hint is the follower's last index; never go below what is known to match.
      const next = Math.max(progress.match + 1, Math.min(progress.next - 1, message.index + 1));
      if (next !== progress.next) {
        progress.next = next;
        this.sendAppend(message.from);
      }
      return;
    }
    if (message.index <= progress.match) return;
    progress.match = message.index;
    progress.next = Math.max(progress.next, message.index + 1);
    if (this.maybeCommit()) this.broadcastAppend();
  }

  /** Advances commit to the highest index a majority matches, only if that entry is of the current term (Raft §5.4.2). */
  private maybeCommit(): boolean {
    const matches = [...this.prs.values()].map((progress) => progress.match).sort((a, b) => b - a);
    const quorumIndex = matches[Math.floor(this.prs.size / 2)];
    if (quorumIndex > this.raftLog.committed && this.raftLog.term(quorumIndex) === this.term) {
      this.raftLog.committed = quorumIndex;
      return true;
    }
    return false;
  }

  /** Leader: gives the entries their term and index, appends them, and updates its own progress. */
  private appendOwnEntries(entries: readonly Entry[]): void {
    let index = this.raftLog.lastIndex();
    const stamped = entries.map((entry) => ({ ...entry, term: this.term, index: ++index }));
    this.raftLog.append(stamped);
    const own = this.progressOf(this.id);
    own.match = this.raftLog.lastIndex();
    own.next = own.match + 1;
    if (this.prs.size === 1) this.maybeCommit();
  }

  private broadcastAppend(): void {
    for (const peer of this.prs.keys()) if (peer !== this.id) this.sendAppend(peer);
  }

  /** A message from an older term: tell its sender our term (so a stale leader or candidate steps down), otherwise ignore it. */
  private answerStaleMessage(message: Message): void {
    if (message.msgType === MessageType.MsgRequestVote) {
      this.send(createMessage({ msgType: MessageType.MsgRequestVoteResponse, to: message.from, reject: true }));
    } else if (message.msgType === MessageType.MsgAppend || message.msgType === MessageType.MsgHeartbeat || message.msgType === MessageType.MsgSnapshot) {
      this.send(createMessage({ msgType: MessageType.MsgAppendResponse, to: message.from, reject: true, index: this.raftLog.lastIndex() }));
    }
  }

  /**
   * Sends the peer a snapshot in place of entries this log no longer holds, and expects its log
   * to continue after it. Returns false (nothing sent) while storage is still building one: the
   * next heartbeat answer or append retry asks again.
   */
  private sendSnapshot(to: number, progress: Progress): boolean {
    let snapshot: Snapshot;
    try {
      snapshot = this.raftLog.snapshot();
    } catch (error) {
      if (isStorageError(error, 'snapshotTemporarilyUnavailable')) return false;
      throw error;
    }
    if (isEmptySnapshot(snapshot)) {
      throw new Error(`Node ${this.id} must send peer ${to} a snapshot (its next entry ${progress.next} was compacted) but storage returned an empty one.`);
    }
    this.send(createMessage({ msgType: MessageType.MsgSnapshot, to, snapshot }));
    progress.next = snapshot.metadata.index + 1;
    return true;
  }

  /**
   * Leader (3A): refuses a proposal while leadership is being handed over, and a conf change
   * while an earlier one is not applied yet (only one may be pending; see the handout).
   *
   * @throws ProposalDroppedError saying which rule refused it.
   */
  private refuseProposalIfBlocked(entries: readonly Entry[]): void {
    if (this.leadTransferee !== NONE) {
      throw new ProposalDroppedError(this.id, `it is handing leadership over to node ${this.leadTransferee}`);
    }
    const confChanges = entries.filter((entry) => entry.entryType === EntryType.EntryConfChange).length;
    if (confChanges === 0) return;
    if (this.pendingConfIndex > this.raftLog.applied) {
      throw new ProposalDroppedError(this.id, `the conf change at index ${this.pendingConfIndex} is not applied yet (applied ${this.raftLog.applied}), and only one may be pending`);
    }
    if (confChanges > 1) throw new ProposalDroppedError(this.id, `one proposal carries ${confChanges} conf changes, and only one may be pending`);
  }

  /** Leader: appends proposed entries; a conf change among them becomes the pending one (3A). */
  private appendProposal(entries: readonly Entry[]): void {
    const firstIndex = this.raftLog.lastIndex() + 1;
    this.appendOwnEntries(entries);
    entries.forEach((entry, offset) => {
      if (entry.entryType === EntryType.EntryConfChange) this.pendingConfIndex = firstIndex + offset;
    });
  }

  /**
   * Leader (3A): starts handing leadership to `transferee`. Ignored for a non-member and for the
   * transfer already under way (its timer keeps running); a transfer to this node itself
   * cancels a pending one; any other replaces it.
   */
  private handleTransferLeader(transferee: number): void {
    if (transferee === this.id) {
      this.leadTransferee = NONE;
      return;
    }
    if (!this.prs.has(transferee) || transferee === this.leadTransferee) return;
    this.leadTransferee = transferee;
    this.transferElapsed = 0;
    // Up to date: it can win now. Otherwise catch it up first (entries, or a snapshot); its
    // append answer brings us back to sendTimeoutNowIfUpToDate.
    if (!this.sendTimeoutNowIfUpToDate(transferee)) this.sendAppend(transferee);
  }

  /** Leader (3A): sends MsgTimeoutNow when the transferee holds the whole log. Returns true when sent. */
  private sendTimeoutNowIfUpToDate(transferee: number): boolean {
    if (this.progressOf(transferee).match !== this.raftLog.lastIndex()) return false;
    this.send(createMessage({ msgType: MessageType.MsgTimeoutNow, to: transferee }));
    return true;
  }

  /** Leader (3A): counts a pending transfer's ticks and abandons it after an election timeout. */
  private tickLeaderTransfer(): void {
    if (this.leadTransferee === NONE) return;
    this.transferElapsed++;
    if (this.transferElapsed >= this.electionTimeout) this.leadTransferee = NONE;
  }

  private progressOf(peer: number): Progress {
    const progress = this.prs.get(peer);
    if (progress === undefined) throw new RangeError(`Node ${this.id} has no progress for peer ${peer}: it is not a member of the group.`);
    return progress;
  }

  private resetTimers(): void {
    this.heartbeatElapsed = 0;
    this.electionElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + this.rng.int(0, this.electionTimeout - 1);
  }

  /** Stamps the sender and the current term, and puts the message in the outbox. */
  private send(message: Message): void {
    message.from = this.id;
    message.term = this.term;
    this.msgs.push(message);
  }
}
