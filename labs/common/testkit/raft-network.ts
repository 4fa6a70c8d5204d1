/**
 * A deterministic in-memory network of Raft nodes for tests (TinyKV's test `network`).
 *
 * Nothing happens on its own: a test sends messages and the network delivers them one at a
 * time, in order, until no node has anything left to say; time moves only when the test
 * ticks a node. Faults are explicit: cut links, isolate nodes, drop a link's messages with a
 * probability drawn from the seeded rng, ignore a message type, inspect or drop every
 * message with a hook, or replace a node with a black hole.
 *
 * Messages are values: the network keeps every object it delivered (`delivered`) as the record
 * of the run, so a node that changes a message it received, or puts it back into its outbox
 * (`message.to = lead; msgs.push(message)`), fails the test with a sentence saying so.
 *
 * @module
 */
import { describeMessage, type Message, type MessageType } from '../raft/message';
import type { Rng } from '../runtime/rng';

/** Anything the network can deliver to: a Raft node (its `step` and its `msgs` outbox) or a black hole. */
export interface RaftNetworkPeer {
  /** Handles one message. */
  step(message: Message): void;
  /** The outbox the network drains after every delivery. */
  msgs: Message[];
}

/** A peer that swallows every message and never says anything (a crashed or absent node). */
export class BlackHole implements RaftNetworkPeer {
  msgs: Message[] = [];
  step(_message: Message): void {}
}

/** Decides a message's fate: return false to drop it. Called for every message leaving a node. */
export type MessageHook = (message: Message) => boolean;

/** Limits that keep a buggy implementation from looping forever. */
export interface RaftNetworkOptions {
  /** The most messages one `send` may deliver before the network gives up (default 100 000). */
  deliveryLimit?: number;
}

/** An error the step function of a node is allowed to throw and the network treats as a lost message. */
export type ExpectedStepError = (error: unknown) => boolean;

/** Where a failure about a reused or changed message sends the reader. */
const MESSAGES_ARE_VALUES = 'labs/2a-raft/README.md#messages-and-their-fields';

/** The fields that say where a message goes and what it says (entries excluded: a leader may stamp proposed entries in place). */
function envelope(message: Message): string {
  return [message.msgType, message.from, message.to, message.term, message.logTerm, message.index, message.commit, message.reject].join(' ');
}

/**
 * The network. Peers are kept by id; `undefined`-free: build the nodes first (see the lab's
 * test fixtures) and hand them in.
 */
export class RaftNetwork {
  /** The peers by id. */
  readonly peers: Map<number, RaftNetworkPeer>;
  /** Messages in flight, in the order they will be delivered. */
  readonly pending: Message[] = [];
  /** Every message delivered so far, in order (for traces and assertions). */
  readonly delivered: Message[] = [];
  /** The same objects, to recognise one that a node tries to send again. */
  private readonly deliveredObjects = new WeakSet<Message>();
  /** Link drop probability by "from->to". */
  private readonly dropProbabilityByLink = new Map<string, number>();
  /** Message types dropped wherever they go. */
  private readonly ignoredTypes = new Set<MessageType>();
  private hook: MessageHook | undefined;
  private readonly rng: Rng;
  private readonly deliveryLimit: number;
  private readonly isExpectedStepError: ExpectedStepError;

  /**
   * @param peers - the nodes by id.
   * @param rng - the seeded source used for probabilistic drops.
   * @param isExpectedStepError - errors from `step` that mean "the message had no effect" (a dropped proposal); any other error fails the test.
   * @param options - limits.
   */
  constructor(peers: Map<number, RaftNetworkPeer>, rng: Rng, isExpectedStepError: ExpectedStepError = () => false, options: RaftNetworkOptions = {}) {
    this.peers = peers;
    this.rng = rng;
    this.isExpectedStepError = isExpectedStepError;
    this.deliveryLimit = options.deliveryLimit ?? 100_000;
  }

  /** The peer with this id. @throws RangeError when there is none. */
  peer(id: number): RaftNetworkPeer {
    const peer = this.peers.get(id);
    if (peer === undefined) throw new RangeError(`The network has no peer ${id}; its peers are ${[...this.peers.keys()].join(', ')}.`);
    return peer;
  }

  /** Queues `messages` and delivers until no message is in flight. Returns how many were delivered. */
  send(...messages: Message[]): number {
    this.pending.push(...messages);
    return this.runUntilQuiet();
  }

  /** Delivers messages until none is in flight. @throws Error past the delivery limit (a message storm). */
  runUntilQuiet(): number {
    let count = 0;
    while (this.deliverOne()) {
      count++;
      if (count > this.deliveryLimit) {
        throw new Error(
          `The raft network delivered more than ${this.deliveryLimit} messages without going quiet: a message storm (two nodes answering each other forever?). Last: ${describeMessage(this.delivered[this.delivered.length - 1])}.`,
        );
      }
    }
    return count;
  }

  /**
   * Delivers the oldest message in flight (then queues what its receiver sends in answer,
   * through the filters). Returns false when nothing was in flight.
   */
  deliverOne(): boolean {
    const message = this.pending.shift();
    if (message === undefined) return false;
    // Read the receiver before the step: a node that rewrites `message.to` must not redirect the collection.
    const receiver = message.to;
    const peer = this.peer(receiver);
    this.delivered.push(message);
    this.deliveredObjects.add(message);
    const asDelivered = { ...message };
    try {
      peer.step(message);
    } catch (error) {
      if (!this.isExpectedStepError(error)) throw error;
    }
    if (envelope(message) !== envelope(asDelivered)) {
      const resent = peer.msgs.includes(message) ? ' and put it back into its outbox to send it again (the network would lose it)' : '';
      throw new Error(
        `Node ${receiver} changed a message it received${resent}: it was delivered as "${describeMessage(asDelivered)}" and is now "${describeMessage(message)}". ` +
          `A received message is the record of what was delivered and is not yours to change; to forward or answer it, build a new message ` +
          `({ ...message, to: this.lead } or createMessage({...})). See ${MESSAGES_ARE_VALUES}.`,
      );
    }
    this.collect(receiver);
    return true;
  }

  /** Moves everything in a peer's outbox into flight, through the filters (after a tick, for example). */
  collect(id: number): void {
    const peer = this.peer(id);
    const outbox = peer.msgs;
    peer.msgs = [];
    for (const message of outbox) {
      if (this.deliveredObjects.has(message)) {
        throw new Error(
          `Node ${id} put a message it had received back into its outbox ("${describeMessage(message)}"): the network already delivered that object, ` +
            `and sending it again would lose it. Build a new message instead ({ ...message, to: this.lead } or createMessage({...})). See ${MESSAGES_ARE_VALUES}.`,
        );
      }
      if (this.passes(message)) this.pending.push(message);
    }
  }

  /** Collects every peer's outbox, in id order. */
  collectAll(): void {
    for (const id of [...this.peers.keys()].sort((a, b) => a - b)) this.collect(id);
  }

  /** Drops messages from `from` to `to` with probability `probability` (drawn from the rng). */
  drop(from: number, to: number, probability: number): void {
    this.dropProbabilityByLink.set(`${from}->${to}`, probability);
  }

  /** Cuts the link between two peers, both ways. */
  cut(a: number, b: number): void {
    this.drop(a, b, 1);
    this.drop(b, a, 1);
  }

  /** Cuts every link of one peer. */
  isolate(id: number): void {
    for (const other of this.peers.keys()) if (other !== id) this.cut(id, other);
  }

  /** Drops every message of this type. */
  ignore(type: MessageType): void {
    this.ignoredTypes.add(type);
  }

  /** Sees every message leaving a node; returning false drops it. One hook at a time; undefined removes it. */
  setHook(hook: MessageHook | undefined): void {
    this.hook = hook;
  }

  /** Heals everything: no drops, no cuts, no ignored types, no hook. Messages already dropped stay lost. */
  recover(): void {
    this.dropProbabilityByLink.clear();
    this.ignoredTypes.clear();
    this.hook = undefined;
  }

  /** Replaces a peer with a {@link BlackHole}; returns the peer that was there. */
  blackHole(id: number): RaftNetworkPeer {
    const previous = this.peer(id);
    this.peers.set(id, new BlackHole());
    return previous;
  }

  /** Puts a peer (back) at an id. */
  setPeer(id: number, peer: RaftNetworkPeer): void {
    this.peers.set(id, peer);
  }

  private passes(message: Message): boolean {
    if (this.ignoredTypes.has(message.msgType)) return false;
    const probability = this.dropProbabilityByLink.get(`${message.from}->${message.to}`) ?? 0;
    if (this.rng.chance(probability)) return false;
    if (this.hook !== undefined && !this.hook(message)) return false;
    return true;
  }
}
