/**
 * A Raft safety fuzz that steers a 5-node group into the cases where safety bugs show, instead
 * of hoping random faults stumble on them. Each seed runs a series of episodes drawn from it:
 *
 * - **minority leader**: a leader replicates entries to a minority, is cut off, another leader
 *   is elected, and the old leader (with its longer, older log) comes back and campaigns; some
 *   of the time it wins again;
 * - **split vote**: several nodes campaign at the same moment in the same term;
 * - **Figure 8** (Raft paper §5.4.2): a leader of a later term finds an entry of an earlier
 *   term stored on a majority while no entry of its own term is — the moment a leader that
 *   commits by counting commits an entry a later leader may overwrite;
 * - **chaos**: random partitions, lossy links, appends cut short and appends lost while
 *   heartbeats get through.
 *
 * Appends "cut short" deliver a prefix of a MsgAppend's entries, as a leader that limits its
 * message size would send; a correct Raft is safe under it, and it is what lets a follower
 * store an earlier-term entry without the leader's own.
 *
 * Checked after every delivery: one vote per node per term (votes read from the nodes and from
 * the vote messages). After every round: the four properties of {@link SafetyRecord}. At the
 * end: the healed group commits a last proposal on every node (liveness).
 *
 * The fuzz counts what it reached — observed, not merely attempted — so a test can assert that
 * every kind of hard case happened: {@link FuzzEventCounts}.
 *
 * @module
 */
import { NotImplementedError } from '../../common/not-implemented';
import { describeEntry } from '../../common/raft/entry';
import { describeMessage, MessageType, type Message } from '../../common/raft/message';
import { createRng, type Rng } from '../../common/runtime/rng';
import type { RaftNetwork } from '../../common/testkit/raft-network';
import type { Raft } from '../src/raft';
import { NONE, StateType } from '../src/state-type';
import { ELECTION_TICK, hup, newRaftNetwork, nodeOf, peerIds, propose } from './raft-fixtures';
import { SafetyRecord } from './raft-safety-checker';

/** How many times each hard case was reached in one run. */
export interface FuzzEventCounts {
  /** A leader that had replicated entries to a minority only, was cut off, and led again after another leader. */
  minorityLeaderReelected: number;
  /** Terms in which two or more nodes campaigned and nobody won. */
  splitVotes: number;
  /** Leader terms in which an earlier-term entry (not yet committed when the term began) sat on a majority while no entry of the leader's term did. */
  figure8: number;
  /** Episodes run, for the report. */
  episodes: number;
}

/** The kinds of episode the fuzz draws from. */
export type FuzzEpisodeKind = 'minorityLeader' | 'splitVote' | 'figure8' | 'chaos';

/** Knobs of one fuzz run. */
export interface SafetyFuzzOptions {
  /** How many episodes (each a directed schedule or a stretch of chaos). */
  episodes: number;
  /** The kinds to draw from (default: all four, each once per four episodes). */
  kinds?: readonly FuzzEpisodeKind[];
  /**
   * Elections only (stage 2AA): between episodes and at the end the group must agree on a
   * leader, not commit anything. Default false: a healed group must commit a last proposal.
   */
  electionsOnly?: boolean;
}

const NODE_COUNT = 5;
const QUORUM = 3;
/** Where a failure sends the reader. */
const HANDOUT = 'labs/2a-raft/README.md';

/** Faults in force between two calls of {@link FuzzWorld.setFaults}. */
interface Faults {
  /** Groups of node ids that can talk; links between groups are cut. Nodes not listed are cut off from everyone. */
  groups?: number[][];
  /** Probability that a link in a group drops a message. */
  lossProbability?: number;
  /** Probability that a MsgAppend carries only a prefix of its entries. */
  cutShortProbability?: number;
  /** Probability that a MsgAppend is lost (heartbeats still get through). */
  appendLossProbability?: number;
  /** Nodes whose MsgAppend messages are all lost (a leader elected but unable to replicate). */
  silencedLeaders?: readonly number[];
  /** A leader whose appends carry no entry of its own term (it can replicate only what it inherited). */
  onlyInheritedFrom?: number;
  /** Probability that the next message delivered is a random one in flight rather than the oldest (reordering). */
  reorderProbability?: number;
  /** A candidate whose vote requests are held back until {@link FuzzWorld.releaseHeld} (a slow link). */
  holdVoteRequestsFrom?: number;
}

/** Watches every delivery: votes per term, candidates and leaders per term, Figure 8 moments. */
class FuzzObserver {
  /** "node/term" → the candidate it voted for. */
  private readonly votes = new Map<string, number>();
  /** term → nodes seen campaigning in it. */
  private readonly candidates = new Map<number, Set<number>>();
  /** Terms that had a leader. */
  private readonly ledTerms = new Set<number>();
  /** leader term → the highest index any node had committed when the leader was first seen. */
  private readonly committedAtElection = new Map<number, number>();
  /** "candidate/term" → the nodes whose grant of that term reached it (itself included). */
  private readonly grantsReceived = new Map<string, Set<number>>();
  /** Leader terms in which the Figure 8 moment was seen. */
  readonly figure8Terms = new Set<number>();
  private messagesSeen = 0;

  afterDelivery(network: RaftNetwork, nodes: readonly Raft[]): void {
    for (; this.messagesSeen < network.delivered.length; this.messagesSeen++) this.recordMessage(network.delivered[this.messagesSeen]);
    for (const node of nodes) {
      if (node.vote !== NONE) this.recordVote(node.id, node.term, node.vote, `node ${node.id} holds vote ${node.vote} in term ${node.term}`);
      if (node.state === StateType.Candidate) this.campaigned(node.id, node.term);
      if (node.state === StateType.Leader) this.observeLeader(node, nodes);
    }
  }

  /** Terms below `belowTerm` in which two or more nodes campaigned and none led. */
  splitVotes(belowTerm: number): number {
    let count = 0;
    for (const [term, who] of this.candidates) if (term < belowTerm && who.size >= 2 && !this.ledTerms.has(term)) count++;
    return count;
  }

  private recordMessage(message: Message): void {
    if (message.msgType === MessageType.MsgRequestVote) {
      this.campaigned(message.from, message.term);
    } else if (message.msgType === MessageType.MsgRequestVoteResponse && !message.reject) {
      this.recordVote(message.from, message.term, message.to, `node ${message.from} granted its vote to ${message.to} in term ${message.term}`);
      const key = `${message.to}/${message.term}`;
      let voters = this.grantsReceived.get(key);
      if (voters === undefined) this.grantsReceived.set(key, (voters = new Set([message.to])));
      voters.add(message.from);
    }
  }

  private campaigned(id: number, term: number): void {
    let who = this.candidates.get(term);
    if (who === undefined) this.candidates.set(term, (who = new Set()));
    who.add(id);
    this.recordVote(id, term, id, `node ${id} campaigned in term ${term} (voting for itself)`);
  }

  private recordVote(voter: number, term: number, candidate: number, how: string): void {
    const key = `${voter}/${term}`;
    const earlier = this.votes.get(key);
    if (earlier === undefined) {
      this.votes.set(key, candidate);
    } else if (earlier !== candidate) {
      throw new Error(
        `Node ${voter} voted twice in term ${term}: first for ${earlier}, then ${how}. A node gives at most one vote per term, and keeps it when it steps down within the term (Raft §5.2; ${HANDOUT}#election-2aa).`,
      );
    }
  }

  private observeLeader(leader: Raft, nodes: readonly Raft[]): void {
    this.ledTerms.add(leader.term);
    if (!this.committedAtElection.has(leader.term)) {
      // First sighting of this leader: it must have been granted a majority of votes in its own term.
      const voters = [...(this.grantsReceived.get(`${leader.id}/${leader.term}`) ?? [leader.id])].sort();
      if (voters.length < QUORUM) {
        throw new Error(
          `Node ${leader.id} became leader of term ${leader.term} with votes of that term from only [${voters}] (a majority of ${NODE_COUNT} is ${QUORUM}): ` +
            `votes from an earlier election, or counted twice, must not count (Raft §5.2; ${HANDOUT}#election-2aa).`,
        );
      }
      this.committedAtElection.set(leader.term, Math.max(...nodes.map((node) => node.raftLog.committed)));
    }
    // The highest index stored (same index, same term) on a majority.
    const log = leader.raftLog;
    for (let index = log.lastIndex(); index > (this.committedAtElection.get(leader.term) ?? 0); index--) {
      const term = log.term(index);
      const holders = nodes.filter((node) => node.raftLog.matchTerm(index, term)).length;
      if (holders < QUORUM) continue;
      if (term < leader.term) this.figure8Terms.add(leader.term);
      return;
    }
  }
}

/** The group, its network, the faults in force, and the checks. */
class FuzzWorld {
  readonly ids = peerIds(NODE_COUNT);
  readonly network: RaftNetwork;
  readonly observer = new FuzzObserver();
  private readonly record = new SafetyRecord();
  private proposals = 0;
  private faultsText = 'none';
  private reorderProbability = 0;
  /** Messages held back by a fault, to be delivered late. */
  private readonly held: Message[] = [];
  /** What the run did, newest last (the failure message shows the tail). */
  readonly log: string[] = [];

  constructor(
    readonly rng: Rng,
    private readonly electionsOnly: boolean,
  ) {
    this.network = newRaftNetwork(this.ids.map(() => undefined), rng.split('network'));
  }

  nodes(): Raft[] {
    return this.ids.map((id) => nodeOf(this.network, id));
  }

  node(id: number): Raft {
    return nodeOf(this.network, id);
  }

  leader(): Raft | undefined {
    // The leader of the highest term: a deposed leader cut off from the others may still think it leads.
    const leaders = this.nodes().filter((node) => node.state === StateType.Leader);
    return leaders.sort((a, b) => b.term - a.term)[0];
  }

  note(what: string): void {
    this.log.push(what);
    if (this.log.length > 40) this.log.shift();
  }

  /** Replaces the faults in force (healing everything not listed). */
  setFaults(faults: Faults): void {
    const network = this.network;
    network.recover();
    const groups = faults.groups ?? [this.ids];
    const groupOf = new Map<number, number>();
    groups.forEach((group, g) => group.forEach((id) => groupOf.set(id, g)));
    for (const a of this.ids) {
      for (const b of this.ids) {
        if (a === b) continue;
        const together = groupOf.has(a) && groupOf.get(a) === groupOf.get(b);
        network.drop(a, b, together ? (faults.lossProbability ?? 0) : 1);
      }
    }
    const rng = this.rng;
    network.setHook((message) => {
      if (message.msgType === MessageType.MsgRequestVote && message.from === faults.holdVoteRequestsFrom) {
        this.held.push(message);
        return false;
      }
      if (message.msgType !== MessageType.MsgAppend) return true;
      if (faults.silencedLeaders?.includes(message.from)) return false;
      if (rng.chance(faults.appendLossProbability ?? 0)) return false;
      let entries = message.entries;
      if (faults.onlyInheritedFrom === message.from) entries = entries.filter((entry) => entry.term < message.term);
      if (entries.length > 0 && rng.chance(faults.cutShortProbability ?? 0)) entries = entries.slice(0, rng.int(0, entries.length - 1));
      if (entries.length === message.entries.length) return true;
      network.pending.push({ ...message, entries });
      return false;
    });
    this.reorderProbability = faults.reorderProbability ?? 0;
    this.faultsText = JSON.stringify({ ...faults, groups });
    this.note(`faults ${this.faultsText}`);
  }

  /** Delivers until quiet, observing after every delivery. */
  deliverAll(): void {
    const nodes = this.nodes();
    const pending = this.network.pending;
    for (let count = 0; ; count++) {
      if (pending.length > 1 && this.rng.chance(this.reorderProbability)) pending.unshift(...pending.splice(this.rng.int(1, pending.length - 1), 1));
      if (!this.deliverOne()) break;
      if (count > 100_000) throw new Error(`The network did not go quiet after 100000 deliveries: a message storm (${HANDOUT}).`);
      this.observer.afterDelivery(this.network, nodes);
    }
  }

  /** Delivers one message; an error a node throws is reported with the message it was handling. */
  private deliverOne(): boolean {
    try {
      return this.network.deliverOne();
    } catch (error) {
      if (error instanceof NotImplementedError) throw error;
      const message = this.network.delivered[this.network.delivered.length - 1];
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Node ${message?.to} threw while handling ${message === undefined ? 'a message' : describeMessage(message)}: ${reason}`);
    }
  }

  /** Sends messages (hups, proposals) and delivers until quiet. */
  send(...messages: Message[]): void {
    this.network.pending.push(...messages);
    this.deliverAll();
    this.check('after a send');
  }

  /** Delivers the messages held back so far (late, after whatever happened meanwhile). */
  releaseHeld(): void {
    this.send(...this.held.splice(0));
  }

  propose(at: number): void {
    this.send(propose(at, `p${this.proposals++}`));
  }

  /** One round: every node ticks once, then everything in flight is delivered. */
  round(): void {
    for (const id of this.ids) {
      this.node(id).tick();
      this.network.collect(id);
    }
    this.deliverAll();
    this.check('after a round');
  }

  /** Runs rounds until `done` holds (true) or `limit` rounds pass (false). */
  roundsUntil(done: () => boolean, limit: number): boolean {
    for (let round = 0; round < limit; round++) {
      if (done()) return true;
      this.round();
    }
    return done();
  }

  check(when: string): void {
    this.record.check(this.nodes(), `${when} (faults ${this.faultsText})`);
  }

  /** Heals everything and waits for a leader whose log every node holds and has committed. */
  settle(): Raft | undefined {
    this.setFaults({});
    let leader: Raft | undefined;
    const settled = (): boolean => {
      leader = this.leader();
      if (leader === undefined) return false;
      if (this.electionsOnly) return this.nodes().every((node) => node.term === leader!.term && node.lead === leader!.id);
      const { committed } = leader.raftLog;
      return committed === leader.raftLog.lastIndex() && this.nodes().every((node) => node.term === leader!.term && node.raftLog.committed === committed);
    };
    return this.roundsUntil(settled, 30 * ELECTION_TICK) ? leader : undefined;
  }
}

/**
 * A leader replicates 1–4 entries to a minority, is cut off with it, and a majority elects
 * another leader. Half the time that leader cannot replicate (its appends are lost), so the old
 * leader, whose log is longer with the same last term, can win again when it returns and
 * campaigns; otherwise the new leader commits first and the old leader must lose, while appends
 * to its stale follower are lost or cut short and heartbeats get through.
 */
function minorityLeaderEpisode(world: FuzzWorld, counts: FuzzEventCounts): void {
  const old = world.settle();
  if (old === undefined) return;
  const rng = world.rng;
  const others = rng.shuffle(world.ids.filter((id) => id !== old.id));
  const follower = others[0];
  world.note(`minority leader: ${old.id} (term ${old.term}) replicates to ${follower} only`);
  world.setFaults({ groups: [[old.id, follower], others.slice(1)] });
  for (let i = rng.int(1, 4); i > 0; i--) world.propose(old.id);
  // Usually the follower stays with the old leader (its stale tail survives); sometimes it joins the majority.
  const majority = rng.chance(0.3) ? others : others.slice(1);
  const silenced = rng.chance(0.5);
  world.setFaults({ groups: [world.ids.filter((id) => !majority.includes(id)), majority], cutShortProbability: 0.3, silencedLeaders: silenced ? majority : [] });
  const oldTerm = old.term;
  const electedElsewhere = world.roundsUntil(() => {
    const leader = world.leader();
    return leader !== undefined && leader.id !== old.id && leader.term > oldTerm;
  }, 20 * ELECTION_TICK);
  if (!electedElsewhere) return;
  const newLeader = world.leader()!;
  world.note(`new leader ${newLeader.id} in term ${newLeader.term}${silenced ? ', unable to replicate' : ''}`);
  if (silenced) {
    world.setFaults({ groups: [[newLeader.id], world.ids.filter((id) => id !== newLeader.id)] });
  } else {
    for (let i = rng.int(0, 2); i > 0; i--) world.propose(newLeader.id);
    world.roundsUntil(() => false, 2);
    world.setFaults({ groups: [world.ids], appendLossProbability: 0.5, cutShortProbability: 0.5 });
  }
  // The old leader learns of the newer term from the first answer it gets, then campaigns at once.
  world.roundsUntil(() => old.state !== StateType.Leader, 3);
  for (let i = 0; i < 2 && old.state !== StateType.Leader; i++) world.send(hup(old.id));
  world.roundsUntil(() => world.leader() !== undefined && world.leader()!.term > newLeader.term, 20 * ELECTION_TICK);
  if (old.state === StateType.Leader && old.term > newLeader.term) {
    counts.minorityLeaderReelected++;
    world.note(`old leader ${old.id} re-elected in term ${old.term}`);
  }
  world.roundsUntil(() => false, rng.int(0, 3 * ELECTION_TICK));
}

/**
 * Waves of simultaneous campaigns: in each, 2 to 4 nodes campaign at the same moment (in the
 * same term when their terms agree), messages are reordered and some are lost. In the first
 * wave one campaigner's vote requests are held back and delivered after the election is
 * decided, when the other candidates have stepped down within the term; later waves make
 * candidates of an undecided election campaign again.
 */
function splitVoteEpisode(world: FuzzWorld): void {
  if (world.settle() === undefined) return;
  const rng = world.rng;
  // Later waves lose many messages: a candidate re-campaigning reaches few voters, so only a
  // majority of this term's grants (not grants left over from the last election) can elect it.
  const loss = 0.3 + rng.float() * 0.3;
  for (let wave = 0, waves = rng.int(3, 4); wave < waves; wave++) {
    const candidates = world.ids.filter((id) => world.node(id).state !== StateType.Leader);
    // Three or four of five: few voters are left, so elections stay undecided and candidates that got a grant campaign again.
    const campaigners = rng.shuffle(candidates).slice(0, rng.int(3, Math.min(4, candidates.length)));
    const slow = wave === 0 ? campaigners[0] : undefined;
    world.note(`split vote wave ${wave}: ${campaigners} campaign at once${slow === undefined ? '' : `, ${slow}'s requests arrive late`}`);
    world.setFaults({ lossProbability: wave === 0 ? 0 : loss, reorderProbability: 0.5, holdVoteRequestsFrom: slow });
    world.send(...campaigners.map((id) => hup(id)));
    world.releaseHeld();
  }
  world.roundsUntil(() => false, rng.int(0, 2 * ELECTION_TICK));
}

/**
 * The paper's Figure 8 with roles s1..s5 drawn from the seed:
 * (a) s1 leads and replicates 1–2 entries to s2 only; (b) s5 is elected by s3, s4 and itself
 * but its appends are lost; (c) s1 is elected again by s2, s3 and replicates only its inherited
 * entries to s3 — an earlier-term entry now sits on a majority while s1's own no-op does not;
 * (d) s1 is cut off and s5, whose last term is newer, campaigns until it leads and replaces
 * s1's entries. A leader that committed them in (c) by counting has lost committed entries.
 */
function figure8Episode(world: FuzzWorld): void {
  const rng = world.rng;
  const [s1, s2, s3, s4, s5] = rng.shuffle(world.ids);
  world.note(`figure 8 with s1..s5 = ${[s1, s2, s3, s4, s5]}`);
  if (world.settle() === undefined) return;
  world.send(hup(s1));
  if (world.node(s1).state !== StateType.Leader) return;
  // (a)
  world.setFaults({ groups: [[s1, s2], [s3, s4, s5]] });
  for (let i = rng.int(1, 2); i > 0; i--) world.propose(s1);
  // (b)
  world.setFaults({ groups: [[s1], [s2], [s3, s4, s5]], silencedLeaders: [s5] });
  for (let i = 0; i < 3 && world.node(s5).state !== StateType.Leader; i++) world.send(hup(s5));
  if (world.node(s5).state !== StateType.Leader) return;
  // (c)
  world.setFaults({ groups: [[s1, s2, s3], [s4], [s5]], onlyInheritedFrom: s1 });
  // s1 still thinks it leads term t (a cut-off leader does not step down by itself): the first answer from s3 tells it otherwise.
  world.roundsUntil(() => world.node(s1).state !== StateType.Leader, 3);
  for (let i = 0; i < 3 && world.node(s1).state !== StateType.Leader; i++) world.send(hup(s1));
  world.roundsUntil(() => false, rng.int(1, 3));
  // (d)
  world.setFaults({ groups: [[s1], [s2, s3, s4, s5]], cutShortProbability: 0.3 });
  world.roundsUntil(() => world.node(s5).state !== StateType.Leader, 3);
  for (let i = 0; i < 4 && world.node(s5).state !== StateType.Leader; i++) world.send(hup(s5));
  world.roundsUntil(() => false, rng.int(2, 2 * ELECTION_TICK));
}

/** Random partitions, lossy links, appends cut short or lost, proposals: `rounds` rounds of it. */
function chaosEpisode(world: FuzzWorld, rounds: number): void {
  const rng = world.rng;
  for (let round = 0; round < rounds; round++) {
    if (round % 15 === 0) {
      const shuffled = rng.shuffle(world.ids);
      const cut = rng.int(0, 2);
      world.setFaults({
        groups: cut === 0 ? [world.ids] : [shuffled.slice(0, cut), shuffled.slice(cut)],
        lossProbability: rng.float() * 0.2,
        cutShortProbability: rng.float() * 0.5,
        appendLossProbability: rng.float() * 0.3,
      });
    }
    if (rng.chance(0.3)) world.propose(rng.pick(world.ids));
    world.round();
  }
}

/** Heals everything; a leader must be elected and a last proposal committed on every node. */
function healAndConverge(world: FuzzWorld): void {
  world.setFaults({});
  const limit = 30 * ELECTION_TICK;
  let committedFinal = false;
  for (let round = 0; round < limit && !committedFinal; round++) {
    world.round();
    const leader = world.leader();
    if (leader !== undefined && round % ELECTION_TICK === 0) world.send(propose(leader.id, 'final'));
    committedFinal = world.nodes().every((node) => node.raftLog.entriesFrom(1).slice(0, node.raftLog.committed).some((entry) => entry.data.toString() === 'final'));
  }
  if (!committedFinal) {
    throw new Error(`Liveness failure: after healing the network for ${limit} rounds, the proposal "final" was not committed on every node (${HANDOUT}#log-replication-2ab).`);
  }
}

/** Heals everything; within a while the group must agree on one leader (elections only). */
function electLeader(world: FuzzWorld): void {
  if (world.settle() === undefined) {
    throw new Error(`Liveness failure: after healing the network for ${30 * ELECTION_TICK} rounds, the nodes did not agree on one leader (${HANDOUT}#election-2aa).`);
  }
}

/**
 * Runs one seeded fuzz and returns what it reached. @throws Error on the first violated
 * property, with the tail of what the run did.
 */
export function runSafetyFuzz(seed: number, options: SafetyFuzzOptions): FuzzEventCounts {
  const rng = createRng(seed);
  const world = new FuzzWorld(rng.split('fuzz'), options.electionsOnly ?? false);
  const counts: FuzzEventCounts = { minorityLeaderReelected: 0, splitVotes: 0, figure8: 0, episodes: 0 };
  const run: Record<FuzzEpisodeKind, () => void> = {
    minorityLeader: () => minorityLeaderEpisode(world, counts),
    splitVote: () => splitVoteEpisode(world),
    figure8: () => figure8Episode(world),
    chaos: () => chaosEpisode(world, 30),
  };
  const episodes = (options.kinds ?? (['minorityLeader', 'splitVote', 'figure8', 'chaos'] as const)).map((kind) => run[kind]);
  try {
    let order: Array<() => void> = [];
    for (let episode = 0; episode < options.episodes; episode++) {
      // Every kind once per four episodes, in a seeded order.
      if (order.length === 0) order = rng.shuffle(episodes);
      order.shift()!();
      counts.episodes++;
    }
    if (options.electionsOnly) electLeader(world);
    else healAndConverge(world);
  } catch (error) {
    // A stub's error goes to the student as it is: it names the function to write.
    if (error instanceof NotImplementedError) throw error;
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\nLast steps of the fuzz:\n  ${world.log.slice(-12).join('\n  ')}\nThe nodes now:\n  ${describeNodes(world.nodes()).split('\n').join('\n  ')}`);
  }
  counts.figure8 = world.observer.figure8Terms.size;
  counts.splitVotes = world.observer.splitVotes(Math.min(...world.nodes().map((node) => node.term)));
  return counts;
}

/** One line per node: id, term, role, commit and the tail of its log, for failure messages. */
function describeNodes(nodes: readonly Raft[]): string {
  return nodes
    .map((node) => {
      const entries = node.raftLog.allEntries();
      const tail = entries.slice(-12).map(describeEntry).join(' ');
      return `${node.id}: term ${node.term} ${node.state} commit ${node.raftLog.committed} log [${entries.length > 12 ? '... ' : ''}${tail}]`;
    })
    .join('\n');
}
