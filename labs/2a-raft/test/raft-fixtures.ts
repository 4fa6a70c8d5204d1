/**
 * Helpers the 2A tests share: building nodes, networks and entries, and reading a node's
 * state. Provided; students read it to understand the tests.
 *
 * @module
 */
import { createEntry, type Entry } from '../../common/raft/entry';
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import { createRng, type Rng } from '../../common/runtime/rng';
import { BlackHole, RaftNetwork, type RaftNetworkPeer } from '../../common/testkit/raft-network';
import type { Config } from '../src/config';
import { ProposalDroppedError } from '../src/proposal-dropped-error';
import { Raft } from '../src/raft';
import { MemoryStorage } from '../src/storage';

/** The election timeout (ticks) most tests use. */
export const ELECTION_TICK = 10;
/** The heartbeat interval (ticks) most tests use. */
export const HEARTBEAT_TICK = 1;

/** Ids 1..count. */
export function peerIds(count: number): number[] {
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** A config with the usual ticks and a storage; `rng` defaults to one seeded by the id. */
export function testConfig(id: number, peers: number[], storage: MemoryStorage, overrides: Partial<Config> = {}): Config {
  return {
    id,
    peers,
    electionTick: ELECTION_TICK,
    heartbeatTick: HEARTBEAT_TICK,
    storage,
    applied: 0,
    rng: createRng(1000 + id),
    ...overrides,
  };
}

/** A new Raft node over `storage` (a fresh MemoryStorage by default). */
export function newTestRaft(id: number, peers: number[], storage: MemoryStorage = new MemoryStorage(), overrides: Partial<Config> = {}): Raft {
  return new Raft(testConfig(id, peers, storage, overrides));
}

/** Entries with the given terms at indexes 1, 2, 3, ... */
export function entriesWithTerms(terms: readonly number[]): Entry[] {
  return terms.map((term, i) => createEntry({ term, index: i + 1 }));
}

/** A node whose stored log holds entries with `terms` and whose stored term is `term`. */
export function raftWithLog(id: number, peers: number[], terms: readonly number[], term: number, overrides: Partial<Config> = {}): Raft {
  const storage = new MemoryStorage(entriesWithTerms(terms));
  storage.setHardState({ term, vote: 0, commit: 0 });
  return newTestRaft(id, peers, storage, overrides);
}

/** MsgHup to `id`: "start an election now". */
export function hup(id: number): Message {
  return createMessage({ msgType: MessageType.MsgHup, from: id, to: id });
}

/** MsgBeat to `id`: "leader, send heartbeats now". */
export function beat(id: number): Message {
  return createMessage({ msgType: MessageType.MsgBeat, from: id, to: id });
}

/** MsgPropose to `id` carrying one command. */
export function propose(id: number, data: string): Message {
  return createMessage({ msgType: MessageType.MsgPropose, from: id, to: id, entries: [createEntry({ term: 0, index: 0, data: Buffer.from(data) })] });
}

/** Takes and returns a node's outbox (the network does the same after every delivery). */
export function takeMessages(node: RaftNetworkPeer): Message[] {
  const messages = node.msgs;
  node.msgs = [];
  return messages;
}

/** What to put at one id of {@link newRaftNetwork}: a node, a black hole, or undefined for a fresh node. */
export type PeerSlot = Raft | BlackHole | undefined;

/**
 * A network of `slots.length` peers with ids 1..n. An undefined slot becomes a fresh node
 * whose members are all n ids and whose rng is split from `rng` by its id; a given node is
 * used as it is (make sure its peers list matches).
 */
export function newRaftNetwork(slots: readonly PeerSlot[], rng: Rng = createRng(1)): RaftNetwork {
  const ids = peerIds(slots.length);
  const peers = new Map<number, RaftNetworkPeer>();
  slots.forEach((slot, i) => {
    const id = i + 1;
    peers.set(id, slot ?? newTestRaft(id, ids, new MemoryStorage(), { rng: rng.split(`node-${id}`) }));
  });
  return new RaftNetwork(peers, rng.split('network'), (error) => error instanceof ProposalDroppedError);
}

/** The Raft node at `id` of a network. @throws TypeError when that slot is a black hole. */
export function nodeOf(network: RaftNetwork, id: number): Raft {
  const peer = network.peer(id);
  if (!(peer instanceof Raft)) throw new TypeError(`Peer ${id} of the network is not a Raft node (a black hole?).`);
  return peer;
}

/** The (index, term) list of a node's whole log, e.g. `["1/1", "2/2"]`, for readable comparisons. */
export function logShape(raft: Raft): string[] {
  return raft.raftLog.allEntries().map((entry) => `${entry.index}/${entry.term}`);
}

/** The data of every entry in `entries`, as strings (the no-op shows as ""). */
export function entryData(entries: readonly Entry[]): string[] {
  return entries.map((entry) => entry.data.toString());
}
