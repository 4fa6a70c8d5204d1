/**
 * Raft: the consensus state machine of one node. Pure and tick-driven: `tick()` moves time,
 * `step(message)` handles a message, and everything it wants to send lands in `msgs`.
 * (Student file, 2AA–2AC.) Each TODO names the first stage whose tests need it: 2AA already
 * needs the leader's no-op to travel (becomeLeader, sendAppend, handleAppendEntries, and
 * MsgBeat / MsgPropose on a leader); 2AB adds the leader's answers and commit rules.
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import type { HardState } from '../../common/raft/hard-state';
import type { Message } from '../../common/raft/message';
import type { Config } from './config';
import { RaftLog } from './log';
import { Progress } from './progress';
import type { SoftState } from './ready';
import { NONE, StateType } from './state-type';

const ELECTION = 'labs/2a-raft/README.md#election-2aa';
const REPLICATION = 'labs/2a-raft/README.md#log-replication-2ab';

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
  raftLog!: RaftLog;
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
  heartbeatTimeout = 0;
  /** The base election timeout in ticks. */
  electionTimeout = 0;
  /** The current election timeout, drawn from `[electionTimeout, 2 * electionTimeout)` at every reset. */
  randomizedElectionTimeout = 0;
  /** Ticks since the last heartbeat was sent (leader). */
  heartbeatElapsed = 0;
  /** Ticks since the timer was last reset (follower and candidate: since hearing from a leader or granting a vote). */
  electionElapsed = 0;
  /** The peer leadership is being transferred to (3A), or NONE. */
  leadTransferee = NONE;
  /** The index of the latest conf change proposed and not yet applied (3A). */
  pendingConfIndex = 0;

  /**
   * Starts (or restarts) a node from its config: term, vote and commit come from the stored
   * hard state; members from `config.peers`, or from the stored conf state when peers is empty.
   * Every node starts as a follower.
   *
   * @throws RangeError when the config is invalid.
   */
  constructor(config: Config) {
    this.id = config.id;
    // TODO(2AA): validateConfig(config); keep config.rng for the randomised timeout; build the
    // RaftLog; one Progress per peer (ids start at 1); restore term and vote from
    // storage.initialState().hardState; applied = config.applied when > 0; start as a follower.
    throw new NotImplementedError('2AA', 'Raft constructor', ELECTION);
  }

  /** Leader and role, for Ready. */
  softState(): SoftState {
    // TODO(2AC): { lead, raftState: state }.
    throw new NotImplementedError('2AC', 'Raft.softState', 'labs/2a-raft/README.md#ready-and-advance-2ac');
  }

  /** Term, vote and commit: what must be persisted. */
  hardState(): HardState {
    // TODO(2AC): { term, vote, commit: raftLog.committed }.
    throw new NotImplementedError('2AC', 'Raft.hardState', 'labs/2a-raft/README.md#ready-and-advance-2ac');
  }

  /** Advances time by one tick: a follower or candidate may start an election, a leader may send heartbeats. */
  tick(): void {
    // TODO(2AA): leader: heartbeatElapsed++, at heartbeatTimeout step a local MsgBeat.
    // Others: electionElapsed++, at randomizedElectionTimeout step a local MsgHup.
    throw new NotImplementedError('2AA', 'Raft.tick', `${ELECTION}`);
  }

  /** Becomes a follower of `lead` in `term`; the vote is kept only if the term does not change. */
  becomeFollower(term: number, lead: number): void {
    // TODO(2AA): term changes → vote = NONE; same term → KEEP the vote (clearing it lets a
    // candidate that steps down vote again in that term). Reset the timers and draw a new
    // randomised timeout in [et, 2et) from the rng.
    throw new NotImplementedError('2AA', 'Raft.becomeFollower', ELECTION);
  }

  /**
   * Becomes a candidate: a new term, a vote for itself.
   *
   * @throws Error when called on a leader (a leader never becomes a candidate directly).
   */
  becomeCandidate(): void {
    // TODO(2AA): term + 1, vote for itself (and record it in `votes`), lead = NONE, reset timers.
    throw new NotImplementedError('2AA', 'Raft.becomeCandidate', ELECTION);
  }

  /**
   * Becomes the leader: resets every peer's progress, appends the no-op entry of its term
   * and sends it to every peer (a single-node group commits it at once).
   *
   * @throws Error when called on a follower (only a candidate can win an election).
   */
  becomeLeader(): void {
    // TODO(2AA): next = lastIndex + 1 and match = 0 for every peer; append an empty entry of
    // the new term (raftLog.append) and send it to every peer (sendAppend). A single-node group
    // must commit it now.
    throw new NotImplementedError('2AA', 'Raft.becomeLeader', ELECTION);
  }

  /**
   * Handles one message: local ones (MsgHup, MsgBeat, MsgPropose) and every message from peers.
   *
   * @throws ProposalDroppedError when a MsgPropose cannot be accepted.
   */
  step(message: Message): void {
    // TODO(2AA): first compare terms: a higher term makes any role a follower (with the sender
    // as leader for MsgAppend/MsgHeartbeat); an older term is answered so the sender learns the
    // new term, and otherwise ignored. Then dispatch to stepFollower/stepCandidate/stepLeader.
    throw new NotImplementedError('2AA', 'Raft.step', ELECTION);
  }

  /** Sends the entries from the peer's `next` (with the entry before them and the commit index); returns true when sent. */
  sendAppend(to: number): boolean {
    // TODO(2AA): MsgAppend with index = next - 1, logTerm = its term, entries from next, commit.
    // Needed in 2AA: becomeLeader sends its no-op entry with it.
    // TODO(2C): when next - 1 < raftLog.firstIndex() - 1 (those entries were compacted), send
    // MsgSnapshot with raftLog.snapshot() instead and set next = snapshot index + 1; while it
    // throws StorageError snapshotTemporarilyUnavailable send nothing and return false (the next
    // heartbeat answer tries again) — it is not an error.
    throw new NotImplementedError('2AA', 'Raft.sendAppend', REPLICATION);
  }

  /** Sends a heartbeat whose commit is capped at what the peer is known to match. */
  sendHeartbeat(to: number): void {
    // TODO(2AA): MsgHeartbeat with commit = min(peer's match, committed) — never more: the
    // follower cannot tell whether its entries past match agree with the leader's.
    throw new NotImplementedError('2AA', 'Raft.sendHeartbeat', ELECTION);
  }

  /** A follower's handling of MsgAppend from the leader of its term: check the previous entry, merge, commit, answer. */
  handleAppendEntries(message: Message): void {
    // TODO(2AA): reject when (index, logTerm) does not match (hint: your last index); otherwise
    // append from the first conflict, set committed = max(committed, min(message.commit, index
    // of the last new entry)), and answer with that index. Needed in 2AA: every follower
    // receives the new leader's no-op this way (the 2AB tests then check every case).
    // TODO(2C): message.index < firstIndex() - 1 (it checks an entry your snapshot covers, so it
    // was sent before the snapshot): answer with index = committed, do not refuse it.
    throw new NotImplementedError('2AA', 'Raft.handleAppendEntries', REPLICATION);
  }

  /** A follower's handling of MsgHeartbeat: advance commit (never past its own log) and answer. */
  handleHeartbeat(message: Message): void {
    // TODO(2AA): committed may only grow; answer MsgHeartbeatResponse.
    throw new NotImplementedError('2AA', 'Raft.handleHeartbeat', ELECTION);
  }

  /**
   * A follower's handling of MsgSnapshot (2C): a snapshot past the committed index replaces the
   * log (and the members come from its conf state); an older one is ignored. Either way the
   * answer tells the leader how far this log now matches.
   */
  handleSnapshot(message: Message): void {
    // TODO(2C): snapshot index <= committed: ignore it, answer MsgAppendResponse with index =
    // committed. Your log already holds (index, term): keep it, committed = index, answer with
    // committed. Otherwise raftLog.restore(snapshot), rebuild prs from
    // snapshot.metadata.confState.nodes, and answer MsgAppendResponse with index = lastIndex().
    // (The step functions must also reset the election timer and set the leader for it.)
    throw new NotImplementedError('2C', 'Raft.handleSnapshot', 'labs/2c-snapshot/README.md#the-raft-side');
  }

  /**
   * Adds a peer to the group (3A), once its conf change is applied. Adding a member again
   * changes nothing: its progress is kept. A leader learns how far the new peer's log is from
   * its first append answer (the next heartbeat answer asks for one).
   */
  addNode(id: number): void {
    // TODO(3A): a new Progress(match 0, next lastIndex + 1), unless the peer is a member already.
    // The rest of 3A lives in the step functions, tick and becomeLeader: see the checklist in
    // labs/3-multiraft/README.md#part-3a (transfer, MsgTimeoutNow, pendingConfIndex).
    throw new NotImplementedError('3A', 'Raft.addNode', 'labs/3-multiraft/README.md#part-3a');
  }

  /**
   * Removes a peer from the group (3A), once its conf change is applied. Removing a non-member
   * changes nothing. The quorum shrinks at once, so a leader recomputes its commit index (and
   * tells the followers); a transfer to the removed peer is abandoned; a leader or candidate
   * that removes itself steps down (a non-member neither leads nor campaigns).
   */
  removeNode(id: number): void {
    // TODO(3A): delete the peer's progress (and its vote). Then: leadTransferee = NONE if it was
    // the transferee; if it is this node, step down (becomeFollower) unless already a follower;
    // on a leader, recompute the commit index with the smaller quorum and, if it moved, send
    // the followers the new commit (trap: without this, an entry waiting for the removed node
    // never commits).
    throw new NotImplementedError('3A', 'Raft.removeNode', 'labs/3-multiraft/README.md#part-3a');
  }

  /** Follower: MsgHup campaigns; MsgPropose goes to the leader (or is dropped); MsgAppend/MsgHeartbeat reset the timer. */
  private stepFollower(message: Message): void {
    // TODO(2AA): MsgHup campaigns (becomeCandidate, then MsgRequestVote to every peer; a
    // single-node group wins at once); MsgAppend / MsgHeartbeat: reset the election timer,
    // lead = sender, then handleAppendEntries / handleHeartbeat.
    // TODO(2AB): MsgPropose: forward it to the leader as a NEW message ({ ...message, to: lead }
    // — never change and resend the one you received), or throw ProposalDroppedError with no leader.
    // TODO(2C): MsgSnapshot: reset the election timer, lead = sender, handleSnapshot. A stale one
    // (older term) is answered like a stale MsgAppend so its sender learns the new term.
    throw new NotImplementedError('2AA', 'Raft.stepFollower', ELECTION);
  }

  /** Candidate: counts votes; a leader of its term makes it a follower; proposals are dropped. */
  private stepCandidate(message: Message): void {
    // TODO(2AA): MsgHup campaigns again; MsgRequestVoteResponse: record it (a duplicate counts
    // once), win with a majority of grants, lose with a majority of refusals; MsgAppend /
    // MsgHeartbeat of its own term: become a follower of the sender (same term: the vote stays)
    // and handle it as a follower.
    // TODO(2AB): MsgPropose: throw ProposalDroppedError.
    throw new NotImplementedError('2AA', 'Raft.stepCandidate', ELECTION);
  }

  /** Leader: MsgBeat, MsgPropose, MsgAppendResponse, MsgHeartbeatResponse. */
  private stepLeader(message: Message): void {
    // TODO(2AA): MsgBeat: sendHeartbeat to every peer. MsgPropose: stamp each entry with the
    // term and the next index, append, update your own match/next, sendAppend to every peer (a
    // single-node group commits at once). Ignore the other types until 2AB.
    // TODO(2AB): MsgAppendResponse refused: lower next (never below match + 1) and send again;
    // accepted: raise match/next and commit by counting — only an entry of the current term
    // (Raft §5.4.2) — then tell the followers the new commit index. MsgHeartbeatResponse from a
    // follower whose match < your last index: sendAppend to it.
    throw new NotImplementedError('2AA', 'Raft.stepLeader', REPLICATION);
  }
}
