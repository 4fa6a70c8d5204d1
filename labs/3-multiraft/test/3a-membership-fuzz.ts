/**
 * The randomised safety scenario of stage 3A: a pool of Raft nodes (the first few are the
 * group, the rest wait to be added) runs on the test network under random ticks, proposals,
 * conf changes, leader transfers, message drops and partitions, all drawn from one seed. Every
 * node applies what it commits at once (conf changes through addNode / removeNode). After every
 * round these properties are checked:
 *
 * - election safety: at most one leader per term;
 * - committed entries never change: an index once committed holds the same entry on every node
 *   that committed it, for ever;
 * - at most one pending conf change: no node's log holds two conf changes past its applied
 *   index (a leader proposes one only when the previous one is applied);
 * - one membership per applied index: two nodes that applied the same prefix of the log agree
 *   on the members.
 *
 * Then the network heals and the group must converge: a leader is elected and a last
 * proposal commits on every member (liveness).
 *
 * @module
 */
import { ConfChangeType } from '../../common/raft/conf-change';
import { EntryType, type Entry } from '../../common/raft/entry';
import { createRng, type Rng } from '../../common/runtime/rng';
import { RaftNetwork } from '../../common/testkit/raft-network';
import { ProposalDroppedError } from '../../2a-raft/src/proposal-dropped-error';
import type { Raft } from '../../2a-raft/src/raft';
import { StateType } from '../../2a-raft/src/state-type';
import { describeScriptEntry } from '../../2a-raft/testkit/raft-script-driver';
import { MemoryStorage } from '../../2a-raft/src/storage';
import { ELECTION_TICK, newTestRaft, peerIds, propose } from '../../2a-raft/test/raft-fixtures';
import { ApplyingPeer, confChange, HANDOUT_3A, membersOf, proposeConfChange, transferLeader } from './3a-fixtures';

/** Knobs of one scenario. */
export interface MembershipScenarioOptions {
  /** How many nodes exist (ids 1..poolSize); the first `initialMembers` are the group. */
  poolSize: number;
  /** How many of the pool start as members. */
  initialMembers: number;
  /** How many fault-phase rounds; each round ticks every node once and delivers until quiet. */
  rounds: number;
  /** The probability per round of a conf change proposed at a leader (default 0.1). */
  confChangeProbability?: number;
  /** The probability per round of a leader transfer asked of a leader (default 0.05). */
  transferProbability?: number;
  /** The probability per round of an ordinary proposal at a random node (default 0.3). */
  proposalProbability?: number;
  /** The probability per round that the network is re-partitioned (default 0.05). */
  repartitionProbability?: number;
  /** The largest per-link drop probability drawn at a re-partition (default 0.2). */
  dropProbabilityMax?: number;
}

/** What the checker remembers across rounds. */
class MembershipSafetyRecord {
  private readonly leaderOfTerm = new Map<number, number>();
  private readonly committedEntries = new Map<number, string>();
  private readonly membersAtApplied = new Map<number, string>();

  check(nodes: readonly Raft[], when: string): void {
    for (const node of nodes) {
      this.checkLeader(node, when);
      this.checkCommitted(node, when);
      checkOnePendingConfChange(node, when);
      this.checkMembership(node, when);
    }
  }

  private checkLeader(node: Raft, when: string): void {
    if (node.state !== StateType.Leader) return;
    const known = this.leaderOfTerm.get(node.term);
    if (known !== undefined && known !== node.id) {
      throw new Error(`Election safety violated ${when}: nodes ${known} and ${node.id} were both leader in term ${node.term}. Read ${HANDOUT_3A} (why single-step changes are safe).`);
    }
    this.leaderOfTerm.set(node.term, node.id);
  }

  private checkCommitted(node: Raft, when: string): void {
    const log = node.raftLog;
    for (const entry of log.entriesFrom(log.firstIndex())) {
      if (entry.index > log.committed) break;
      const described = describeScriptEntry(entry);
      const known = this.committedEntries.get(entry.index);
      if (known === undefined) this.committedEntries.set(entry.index, described);
      else if (known !== described) {
        throw new Error(`A committed entry changed ${when}: index ${entry.index} was committed as ${known}, node ${node.id} (commit ${log.committed}) holds ${describeScriptEntry(entry)}.`);
      }
    }
  }

  private checkMembership(node: Raft, when: string): void {
    const applied = node.raftLog.applied;
    const members = membersOf(node).join(',');
    const known = this.membersAtApplied.get(applied);
    if (known === undefined) this.membersAtApplied.set(applied, members);
    else if (known !== members) {
      throw new Error(`Two nodes that applied the log up to ${applied} disagree on the members ${when}: [${known}] and, on node ${node.id}, [${members}]. Does applying a conf change change exactly one member?`);
    }
  }
}

function checkOnePendingConfChange(node: Raft, when: string): void {
  const log = node.raftLog;
  const pending = log.entriesFrom(log.applied + 1).filter((entry: Entry) => entry.entryType === EntryType.EntryConfChange);
  if (pending.length > 1) {
    throw new Error(
      `More than one conf change pending ${when}: node ${node.id} (applied ${log.applied}) holds ${pending.map(describeScriptEntry).join(', ')}. A leader must refuse a conf change while pendingConfIndex > applied. Read ${HANDOUT_3A}.`,
    );
  }
}

function repartition(network: RaftNetwork, ids: readonly number[], rng: Rng, dropProbabilityMax: number): string {
  network.recover();
  const shuffled = rng.shuffle(ids);
  const minority = new Set(shuffled.slice(0, rng.int(0, Math.floor(ids.length / 2))));
  for (const a of ids) {
    for (const b of ids) {
      if (a === b) continue;
      network.drop(a, b, minority.has(a) !== minority.has(b) ? 1 : rng.float() * dropProbabilityMax);
    }
  }
  return `minority [${[...minority].sort((a, b) => a - b)}]`;
}

/** One random membership step at a leader: add a non-member, or remove a member while at least three remain to choose from. */
function proposeRandomConfChange(network: RaftNetwork, leader: Raft, ids: readonly number[], rng: Rng): void {
  const members = membersOf(leader);
  const outsiders = ids.filter((id) => !leader.prs.has(id));
  const remove = members.length >= 3 && (outsiders.length === 0 || rng.chance(0.5));
  const change = remove ? confChange(ConfChangeType.RemoveNode, rng.pick(members)) : confChange(ConfChangeType.AddNode, rng.pick(outsiders));
  network.send(proposeConfChange(leader.id, change));
}

/** Ticks every node once (each applies what it committed) and delivers until quiet. */
function tickEveryone(network: RaftNetwork, peers: ReadonlyMap<number, ApplyingPeer>): void {
  for (const [id, peer] of peers) {
    peer.tick();
    network.collect(id);
  }
  network.runUntilQuiet();
}

/**
 * Runs one seeded scenario and throws on the first violated property (the message says which,
 * when, and on which nodes), or when the healed group does not converge.
 */
export function runMembershipSafetyScenario(seed: number, options: MembershipScenarioOptions): void {
  const rng = createRng(seed);
  const ids = peerIds(options.poolSize);
  const firstMembers = ids.slice(0, options.initialMembers);
  const peers = new Map<number, ApplyingPeer>();
  for (const id of ids) peers.set(id, new ApplyingPeer(newTestRaft(id, firstMembers, new MemoryStorage(), { rng: rng.split(`node-${id}`) })));
  const network = new RaftNetwork(peers, rng.split('network'), (error) => error instanceof ProposalDroppedError);
  const faults = rng.split('faults');
  const record = new MembershipSafetyRecord();
  const nodes = (): Raft[] => ids.map((id) => peers.get(id)!.raft);
  const leaders = (): Raft[] => nodes().filter((node) => node.state === StateType.Leader);
  let partition = 'none';
  let proposals = 0;
  for (let round = 0; round < options.rounds; round++) {
    if (faults.chance(options.repartitionProbability ?? 0.05)) partition = repartition(network, ids, faults, options.dropProbabilityMax ?? 0.2);
    if (faults.chance(options.proposalProbability ?? 0.3)) network.send(propose(faults.pick(ids), `p${proposals++}`));
    const candidates = leaders();
    if (candidates.length > 0 && faults.chance(options.confChangeProbability ?? 0.1)) proposeRandomConfChange(network, faults.pick(candidates), ids, faults);
    if (candidates.length > 0 && faults.chance(options.transferProbability ?? 0.05)) network.send(transferLeader(faults.pick(candidates).id, faults.pick(ids)));
    tickEveryone(network, peers);
    record.check(nodes(), `in round ${round} (seed ${seed}, partition ${partition})`);
  }
  healAndConverge(network, peers, record, seed);
}

/** The heal phase: no faults; a leader must emerge and commit "final" on every one of its members. */
function healAndConverge(network: RaftNetwork, peers: ReadonlyMap<number, ApplyingPeer>, record: MembershipSafetyRecord, seed: number): void {
  network.recover();
  const nodes = [...peers.values()].map((peer) => peer.raft);
  const healRounds = 40 * ELECTION_TICK;
  for (let round = 0; round < healRounds; round++) {
    tickEveryone(network, peers);
    record.check(nodes, `in heal round ${round} (seed ${seed})`);
    const leader = nodes.find((node) => node.state === StateType.Leader && node.prs.has(node.id));
    if (leader === undefined) continue;
    const hasFinal = (node: Raft): boolean => node.raftLog.entriesFrom(node.raftLog.firstIndex()).some((entry) => entry.index <= node.raftLog.committed && entry.data.toString() === 'final');
    if (membersOf(leader).every((id) => hasFinal(peers.get(id)!.raft))) return;
    if (round % ELECTION_TICK === 0) network.send(propose(leader.id, 'final'));
  }
  const states = nodes.map((node) => `${node.id}: ${node.state} term ${node.term} members [${membersOf(node)}] commit ${node.raftLog.committed}`).join('; ');
  throw new Error(`Liveness failure (seed ${seed}): after healing the network for ${healRounds} rounds, no leader had "final" committed on all its members. Nodes: ${states}.`);
}
