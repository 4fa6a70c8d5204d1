/**
 * The randomised safety scenario of stage 2A: a group of Raft nodes runs on the test network
 * under random ticks, proposals, message drops and partitions, all drawn from one seed, and
 * after every delivery round four properties of the Raft paper (Figure 3) are checked:
 *
 * - election safety: at most one leader per term;
 * - log matching: if two logs hold an entry with the same index and term, they are
 *   identical up to that index;
 * - leader completeness: a leader's log holds every entry committed before it;
 * - state machine safety as seen from the log: an entry once committed (on any node) is
 *   never changed or lost on any node that has committed that far.
 *
 * A fault phase is followed by a heal phase that must converge: with the network healed, a
 * leader is elected and a last proposal commits on every node (liveness).
 *
 * @module
 */
import { describeEntry, type Entry } from '../../common/raft/entry';
import type { Message } from '../../common/raft/message';
import { createRng, type Rng } from '../../common/runtime/rng';
import type { RaftNetwork } from '../../common/testkit/raft-network';
import type { Raft } from '../src/raft';
import { StateType } from '../src/state-type';
import { ELECTION_TICK, newRaftNetwork, nodeOf, peerIds, propose } from './raft-fixtures';

/** Knobs of one scenario. */
export interface SafetyScenarioOptions {
  /** How many nodes (3 or 5 in the public test). */
  nodeCount: number;
  /** How many fault-phase rounds; each round ticks every node once and delivers until quiet. */
  rounds: number;
  /** The largest per-link drop probability drawn at a partition change (default 0.2). */
  dropProbabilityMax?: number;
  /** The probability per round that the network is re-partitioned (default 0.05). */
  repartitionProbability?: number;
  /** The probability per round that a proposal is made at a random node (default 0.3). */
  proposalProbability?: number;
  /** The probability that a message is delivered twice (default 0). */
  duplicateProbability?: number;
  /** The probability that a message is held back and delivered in a later round, out of order (default 0). */
  delayProbability?: number;
}

/**
 * Installs the duplicate / delay faults as the network hook (the hook is cleared by
 * `recover`, so this is called again after every re-partition). Held-back messages go to
 * `delayed`; the caller re-injects them later.
 */
function installDuplicateAndDelay(network: RaftNetwork, options: SafetyScenarioOptions, rng: Rng, delayed: Message[]): void {
  const duplicate = options.duplicateProbability ?? 0;
  const delay = options.delayProbability ?? 0;
  if (duplicate === 0 && delay === 0) return;
  network.setHook((message) => {
    if (rng.chance(duplicate)) network.pending.push({ ...message, entries: message.entries.slice() });
    if (rng.chance(delay)) {
      delayed.push(message);
      return false;
    }
    return true;
  });
}

/** What the checker remembers across rounds; `check` throws on the first violated property. */
export class SafetyRecord {
  /** term → the node that led in it. */
  readonly leaderOfTerm = new Map<number, number>();
  /** index → the entry committed there (as described), once any node committed it. */
  readonly committedEntries = new Map<number, string>();
  /**
   * index → the term of the node that first showed it committed: an upper bound of the term
   * it was committed in (a node learns a commit in its own term or later). Leader
   * completeness is checked for leaders of later terms only: a deposed leader of an older
   * term may rightly lack it.
   */
  readonly committedInTermAtMost = new Map<number, number>();

  /** Checks the four properties on the nodes as they are now; `when` says where in the run (for the message). */
  check(nodes: readonly Raft[], when: string): void {
    for (const node of nodes) this.checkLeader(node, when);
    for (const node of nodes) this.recordCommitted(node, when);
    for (const node of nodes) if (node.state === StateType.Leader) this.checkLeaderComplete(node, when);
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) checkLogMatching(nodes[i], nodes[j], when);
  }

  private checkLeader(node: Raft, when: string): void {
    if (node.state !== StateType.Leader) return;
    const known = this.leaderOfTerm.get(node.term);
    if (known !== undefined && known !== node.id) {
      throw new Error(`Election safety violated ${when}: nodes ${known} and ${node.id} were both leader in term ${node.term}.`);
    }
    this.leaderOfTerm.set(node.term, node.id);
  }

  private recordCommitted(node: Raft, when: string): void {
    const log = node.raftLog;
    for (const entry of log.entriesFrom(log.firstIndex())) {
      if (entry.index > log.committed) break;
      const described = describeEntry(entry);
      const known = this.committedEntries.get(entry.index);
      if (known === undefined) {
        this.committedEntries.set(entry.index, described);
        this.committedInTermAtMost.set(entry.index, node.term);
      }
      else if (known !== described) {
        throw new Error(`A committed entry changed ${when}: index ${entry.index} was committed as ${known}, node ${node.id} (commit ${log.committed}) holds ${described}.`);
      }
    }
  }

  private checkLeaderComplete(leader: Raft, when: string): void {
    for (const [index, described] of this.committedEntries) {
      if (leader.term <= (this.committedInTermAtMost.get(index) ?? 0)) continue;
      const entry = entryAt(leader, index);
      if (entry === undefined || describeEntry(entry) !== described) {
        throw new Error(
          `Leader completeness violated ${when}: leader ${leader.id} of term ${leader.term} lacks committed entry ${described} (it holds ${entry === undefined ? 'nothing' : describeEntry(entry)} at ${index}).`,
        );
      }
    }
  }
}

function entryAt(node: Raft, index: number): Entry | undefined {
  const log = node.raftLog;
  if (index < log.firstIndex() || index > log.lastIndex()) return undefined;
  // Index the array directly: entriesFrom would copy the tail, and the checker reads every index of every pair of logs.
  return log.entries[index - log.firstIndex()];
}

function checkLogMatching(a: Raft, b: Raft, when: string): void {
  const last = Math.min(a.raftLog.lastIndex(), b.raftLog.lastIndex());
  let matchingFrom = 0;
  for (let index = last; index >= 1; index--) {
    const ea = entryAt(a, index);
    const eb = entryAt(b, index);
    if (ea !== undefined && eb !== undefined && ea.term === eb.term) {
      matchingFrom = index;
      break;
    }
  }
  for (let index = 1; index <= matchingFrom; index++) {
    const ea = entryAt(a, index);
    const eb = entryAt(b, index);
    if (ea === undefined || eb === undefined || describeEntry(ea) !== describeEntry(eb)) {
      throw new Error(
        `Log matching violated ${when}: nodes ${a.id} and ${b.id} agree on entry ${matchingFrom} (term ${entryAt(a, matchingFrom)?.term}) but differ at ${index}: ${ea ? describeEntry(ea) : 'none'} vs ${eb ? describeEntry(eb) : 'none'}.`,
      );
    }
  }
}

function tickEveryone(network: RaftNetwork, ids: readonly number[]): void {
  for (const id of ids) {
    nodeOf(network, id).tick();
    network.collect(id);
  }
  network.runUntilQuiet();
}

function repartition(network: RaftNetwork, ids: readonly number[], rng: Rng, dropProbabilityMax: number): string {
  network.recover();
  const shuffled = rng.shuffle(ids);
  const minoritySize = rng.int(0, Math.floor(ids.length / 2));
  const minority = new Set(shuffled.slice(0, minoritySize));
  for (const a of ids) {
    for (const b of ids) {
      if (a === b) continue;
      if (minority.has(a) !== minority.has(b)) network.drop(a, b, 1);
      else network.drop(a, b, rng.float() * dropProbabilityMax);
    }
  }
  return `minority [${[...minority].sort()}]`;
}

/**
 * Runs one seeded scenario and throws on the first violated property (the message says
 * which, when, and between which nodes).
 */
export function runRandomisedSafetyScenario(seed: number, options: SafetyScenarioOptions): void {
  const rng = createRng(seed);
  const ids = peerIds(options.nodeCount);
  const network = newRaftNetwork(ids.map(() => undefined), rng.split('network'));
  const faults = rng.split('faults');
  const record = new SafetyRecord();
  const nodes = (): Raft[] => ids.map((id) => nodeOf(network, id));
  let partition = 'none';
  let proposals = 0;
  const delayed: Message[] = [];
  installDuplicateAndDelay(network, options, faults, delayed);
  for (let round = 0; round < options.rounds; round++) {
    if (faults.chance(options.repartitionProbability ?? 0.05)) {
      partition = repartition(network, ids, faults, options.dropProbabilityMax ?? 0.2);
      installDuplicateAndDelay(network, options, faults, delayed);
    }
    if (delayed.length > 0 && faults.chance(0.5)) network.send(...delayed.splice(0, faults.int(1, delayed.length)).reverse());
    if (faults.chance(options.proposalProbability ?? 0.3)) network.send(propose(faults.pick(ids), `p${proposals++}`));
    tickEveryone(network, ids);
    record.check(nodes(), `in round ${round} (partition ${partition})`);
  }
  // Heal phase: everything must converge.
  network.recover();
  const healRounds = 20 * ELECTION_TICK;
  let committedLast = false;
  for (let round = 0; round < healRounds && !committedLast; round++) {
    tickEveryone(network, ids);
    record.check(nodes(), `in heal round ${round}`);
    const leader = nodes().find((node) => node.state === StateType.Leader);
    if (leader !== undefined && round % ELECTION_TICK === 0) network.send(propose(leader.id, 'final'));
    committedLast = nodes().every((node) => node.raftLog.entriesFrom(1).slice(0, node.raftLog.committed).some((e) => e.data.toString() === 'final'));
  }
  if (!committedLast) {
    throw new Error(`Liveness failure: after healing the network for ${healRounds} rounds, the proposal "final" was not committed on every node.`);
  }
}
