/**
 * Raft: the consensus state machine of one node. Pure and tick-driven: `tick()` moves time,
 * `step(message)` handles a message, and everything it wants to send lands in `msgs`.
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import { createEntry, type Entry } from '../../common/raft/entry';
import type { HardState } from '../../common/raft/hard-state';
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import type { Rng } from '../../common/runtime/rng';
import { validateConfig, type Config } from './config';
import { RaftLog } from './log';
import { Progress } from './progress';
import { ProposalDroppedError } from './proposal-dropped-error';
import type { SoftState } from './ready';
import { NONE, StateType } from './state-type';

/** The message types that mean "a leader of this term exists and is talking to me". */
const FROM_LEADER: readonly MessageType[] = [MessageType.MsgAppend, MessageType.MsgHeartbeat, MessageType.MsgSnapshot];

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

  /** Sends the entries from the peer's `next` (with the entry before them and the commit index); returns true when sent. */
  sendAppend(to: number): boolean {
    const progress = this.progressOf(to);
    const prevIndex = progress.next - 1;
    const prevTerm = this.raftLog.term(prevIndex);
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

  /** A follower's handling of MsgSnapshot (2C). */
  handleSnapshot(_message: Message): void {
    throw new NotImplementedError('2C', 'Raft.handleSnapshot', 'labs/2a-raft/README.md#later-stages');
  }

  /** Adds a peer to the group (3A). */
  addNode(_id: number): void {
    throw new NotImplementedError('3A', 'Raft.addNode', 'labs/2a-raft/README.md#later-stages');
  }

  /** Removes a peer from the group (3A). */
  removeNode(_id: number): void {
    throw new NotImplementedError('3A', 'Raft.removeNode', 'labs/2a-raft/README.md#later-stages');
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
        this.handleSnapshot(message);
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
    switch (message.msgType) {
      case MessageType.MsgBeat:
        for (const peer of this.prs.keys()) if (peer !== this.id) this.sendHeartbeat(peer);
        break;
      case MessageType.MsgPropose:
        this.appendOwnEntries(message.entries);
        this.broadcastAppend();
        break;
      case MessageType.MsgAppendResponse:
        this.handleAppendResponse(message);
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
    } else if (message.msgType === MessageType.MsgAppend || message.msgType === MessageType.MsgHeartbeat) {
      this.send(createMessage({ msgType: MessageType.MsgAppendResponse, to: message.from, reject: true, index: this.raftLog.lastIndex() }));
    }
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
