/**
 * The simulated network: delay, jitter, loss, duplication, partitions and filters, all
 * drawn from the seed.
 *
 * @module
 */
import type { Rng } from '../runtime/rng';
import type { Runtime } from '../runtime/runtime';
import { resolveLinkOptions, RELIABLE_LINK, type LinkOptions } from './link-options';
import { Trace } from './trace';

/** Receives the messages delivered to one node. */
export type MessageHandler<TMessage> = (from: number, message: TMessage) => void;

/**
 * A filter a test adds to drop matching messages. All given conditions must hold: `from`
 * and `to` restrict the direction, `matches` looks at the message. A filter with no
 * condition drops everything.
 */
export interface MessageFilter<TMessage> {
  /** A name for traces and drop statistics (`drop-votes`, `cut 1->2`). */
  readonly name: string;
  /** Only messages sent by this node. */
  readonly from?: number;
  /** Only messages sent to this node. */
  readonly to?: number;
  /** Only messages for which this returns true. */
  readonly matches?: (message: TMessage, from: number, to: number) => boolean;
}

/** Returned by {@link SimulatedNetwork.addFilter}; pass it to `removeFilter`. */
export type FilterHandle = number & { readonly __filterHandle: unique symbol };

/** Why a message was not delivered. */
export type DropReason = 'filter' | 'partition' | 'lost' | 'queue-full' | 'node-down';

/** Counters of what the network did. */
export interface NetworkStats {
  /** Messages handed to `send`. */
  sent: number;
  /** Copies handed to a node's handler. */
  delivered: number;
  /** Extra copies created by duplication. */
  duplicated: number;
  /** Messages (or copies) not delivered, by reason. */
  dropped: Record<DropReason, number>;
}

/** Options of {@link SimulatedNetwork}. */
export interface SimulatedNetworkOptions<TMessage> {
  /** Whose clock, timers and seed to use. */
  readonly runtime: Runtime;
  /** Where to record sends, deliveries, drops and fault changes (default: no trace). */
  readonly trace?: Trace;
  /** The behaviour of every link without an override (default {@link RELIABLE_LINK}). */
  readonly defaultLink?: Partial<LinkOptions>;
  /** How a message appears in the trace (default: the message itself). Keep it small and deterministic. */
  readonly describeMessage?: (message: TMessage) => unknown;
  /**
   * Copies a message at send time (default: none, the same object is delivered, duplicates
   * included). Give one when receivers or senders may mutate messages.
   */
  readonly copyMessage?: (message: TMessage) => TMessage;
  /**
   * Extra delivery time a message needs on top of its link's delay, in virtual ms (default: none).
   * A big message (a snapshot, 2C) takes time proportional to its size to cross a link.
   */
  readonly transferDelayMs?: (message: TMessage) => number;
}

interface NodeRoute<TMessage> {
  handler: MessageHandler<TMessage>;
}

/**
 * A network between numbered nodes, in virtual time.
 *
 * A message's fate is decided when it is sent: filters, then partitions, then the link's
 * loss draw, then its duplication draw, then a delay of `delayMs + uniform[0, jitterMs]`
 * (plus the message's transfer time, if the network was given one) per copy. It is checked again on arrival: a message whose link was cut while it was in flight,
 * or whose receiver is down (detached), is dropped. Every draw comes from the link's own
 * generator (`runtime.rng('network/<from>-><to>')`), so the same seed gives the same fates.
 *
 * Partitions: {@link partition} splits the named nodes into groups that cannot reach each
 * other; a node named in no group (a client, usually) is not partitioned. {@link isolate}
 * cuts one node from everyone. {@link heal} removes both.
 *
 * @example
 * ```ts
 * const network = new SimulatedNetwork<string>({ runtime, defaultLink: { delayMs: 2, jitterMs: 3 } });
 * network.attach(1, (from, message) => console.log(`1 got ${message} from ${from}`));
 * network.attach(2, () => {});
 * network.partition([[1], [2]]);
 * network.send(2, 1, 'hello'); // dropped: partition
 * network.heal();
 * network.send(2, 1, 'hello'); // delivered 2 to 5 virtual ms later
 * ```
 */
export class SimulatedNetwork<TMessage> {
  private readonly runtime: Runtime;
  private readonly trace: Trace;
  private readonly describeMessage: (message: TMessage) => unknown;
  private readonly copyMessage: ((message: TMessage) => TMessage) | undefined;
  private readonly transferDelayMs: ((message: TMessage) => number) | undefined;
  private readonly routes = new Map<number, NodeRoute<TMessage>>();
  private readonly linkOverrides = new Map<string, LinkOptions>();
  private readonly linkRngs = new Map<string, Rng>();
  private readonly inFlightByLink = new Map<string, number>();
  private readonly filters = new Map<number, MessageFilter<TMessage>>();
  private readonly groupOfNode = new Map<number, number>();
  private readonly isolatedNodes = new Set<number>();
  private defaultLink: LinkOptions;
  private nextFilterHandle = 1;
  /** The id the next sent message (or duplicate copy) gets in the trace: 1, 2, 3... in send order. */
  private nextMessageId = 1;
  /** What the network did so far. */
  readonly stats: NetworkStats = {
    sent: 0,
    delivered: 0,
    duplicated: 0,
    dropped: { filter: 0, partition: 0, lost: 0, 'queue-full': 0, 'node-down': 0 },
  };

  /**
   * @param options - runtime, trace, default link behaviour and message hooks.
   * @throws RangeError when the default link options are invalid.
   */
  constructor(options: SimulatedNetworkOptions<TMessage>) {
    this.runtime = options.runtime;
    this.trace = options.trace ?? Trace.disabled();
    this.defaultLink = resolveLinkOptions(options.defaultLink ?? {}, RELIABLE_LINK);
    this.describeMessage = options.describeMessage ?? ((message) => message);
    this.copyMessage = options.copyMessage;
    this.transferDelayMs = options.transferDelayMs;
    // A stuck run lists what is in flight by link through the event owners ("network 1->2").
  }

  /**
   * Connects node `nodeId`: messages that arrive for it from now on go to `handler`.
   *
   * @throws Error when the node is already attached (detach it first).
   */
  attach(nodeId: number, handler: MessageHandler<TMessage>): void {
    if (this.routes.has(nodeId)) {
      throw new Error(`Node ${nodeId} is already attached to the network; detach it (crash it) before attaching it again.`);
    }
    this.routes.set(nodeId, { handler });
  }

  /** Disconnects node `nodeId` (it crashed): messages arriving for it are dropped (`node-down`). */
  detach(nodeId: number): void {
    this.routes.delete(nodeId);
  }

  /** True when node `nodeId` is attached. */
  isAttached(nodeId: number): boolean {
    return this.routes.has(nodeId);
  }

  /**
   * Sets the behaviour of every link that has no override of its own.
   *
   * @param options - fields to change; the others keep their current default.
   */
  setDefaultLink(options: Partial<LinkOptions>): void {
    this.defaultLink = resolveLinkOptions(options, this.defaultLink);
  }

  /**
   * Overrides the behaviour of the one direction `from → to`.
   *
   * @param options - fields to change; the others come from the link's current behaviour.
   */
  setLink(from: number, to: number, options: Partial<LinkOptions>): void {
    this.linkOverrides.set(linkName(from, to), resolveLinkOptions(options, this.linkOptions(from, to)));
  }

  /** Removes every per-link override (the default applies again). */
  clearLinkOverrides(): void {
    this.linkOverrides.clear();
  }

  /** The behaviour of the direction `from → to`. */
  linkOptions(from: number, to: number): LinkOptions {
    return this.linkOverrides.get(linkName(from, to)) ?? this.defaultLink;
  }

  /**
   * Cuts the network into groups: nodes in different groups cannot reach each other; nodes in
   * no group are not affected. Replaces any earlier partition (isolation stays).
   *
   * @param groups - disjoint lists of node ids, e.g. `[[1, 2], [3, 4, 5]]`.
   * @throws Error when a node appears in two groups.
   */
  partition(groups: readonly (readonly number[])[]): void {
    this.groupOfNode.clear();
    groups.forEach((group, groupIndex) => {
      for (const nodeId of group) {
        if (this.groupOfNode.has(nodeId)) {
          throw new Error(`Node ${nodeId} appears in two partition groups; each node may be in at most one group.`);
        }
        this.groupOfNode.set(nodeId, groupIndex);
      }
    });
    this.trace.record({ kind: 'partition', groups: groups.map((group) => [...group]) });
  }

  /** Cuts node `nodeId` off from every other node (in both directions) until {@link heal}. */
  isolate(nodeId: number): void {
    this.isolatedNodes.add(nodeId);
    this.trace.record({ kind: 'isolate', node: nodeId });
  }

  /** Removes every partition and isolation (filters and link settings stay). */
  heal(): void {
    this.groupOfNode.clear();
    this.isolatedNodes.clear();
    this.trace.record({ kind: 'heal' });
  }

  /** True when partitions and isolation let a message go from `from` to `to` (a node always reaches itself). */
  canReach(from: number, to: number): boolean {
    if (from === to) return true;
    if (this.isolatedNodes.has(from) || this.isolatedNodes.has(to)) return false;
    const fromGroup = this.groupOfNode.get(from);
    const toGroup = this.groupOfNode.get(to);
    return fromGroup === undefined || toGroup === undefined || fromGroup === toGroup;
  }

  /**
   * Adds a filter: matching messages are dropped at send time until it is removed.
   *
   * @returns a handle for {@link removeFilter}.
   */
  addFilter(filter: MessageFilter<TMessage>): FilterHandle {
    const handle = this.nextFilterHandle++ as FilterHandle;
    this.filters.set(handle, filter);
    this.trace.record({ kind: 'filter-add', name: filter.name, from: filter.from, to: filter.to });
    return handle;
  }

  /** Removes a filter; removing one twice does nothing. */
  removeFilter(handle: FilterHandle): void {
    const filter = this.filters.get(handle);
    if (filter === undefined) return;
    this.filters.delete(handle);
    this.trace.record({ kind: 'filter-remove', name: filter.name });
  }

  /** Removes every filter. */
  clearFilters(): void {
    for (const handle of [...this.filters.keys()]) this.removeFilter(handle as FilterHandle);
  }

  /** How many messages are in flight on `from → to` now. */
  inFlight(from: number, to: number): number {
    return this.inFlightByLink.get(linkName(from, to)) ?? 0;
  }

  /**
   * Sends `message` from `from` to `to`. Returns at once; delivery (if any) happens in a
   * later event.
   *
   * In the trace the message gets an id, `msg` (1, 2, 3... in send order, so the same seed
   * gives the same ids): its `send`, `deliver` and `drop` lines carry it, which is how the
   * trace viewer pairs a delivery with its send. A duplicate copy gets an id of its own and
   * `of: <original id>` on its `duplicate` line; its `deliver` or `drop` line carries the
   * copy's id.
   *
   * @param from - the sender's id.
   * @param to - the receiver's id (need not be attached yet: it may be by the time the message arrives).
   * @param message - the message.
   */
  send(from: number, to: number, message: TMessage): void {
    this.stats.sent++;
    const name = linkName(from, to);
    const messageId = this.nextMessageId++;
    if (this.trace.enabled) this.trace.record({ kind: 'send', msg: messageId, from, to, message: this.describeMessage(message) });
    const filter = this.matchingFilter(message, from, to);
    if (filter !== undefined) return this.drop(messageId, from, to, message, 'filter', filter.name);
    if (!this.canReach(from, to)) return this.drop(messageId, from, to, message, 'partition');
    const link = this.linkOptions(from, to);
    const rng = this.linkRng(name);
    if (rng.chance(link.dropProbability)) return this.drop(messageId, from, to, message, 'lost');
    const copyIds = [messageId];
    if (rng.chance(link.duplicateProbability)) {
      this.stats.duplicated++;
      const duplicateId = this.nextMessageId++;
      copyIds.push(duplicateId);
      if (this.trace.enabled) this.trace.record({ kind: 'duplicate', msg: duplicateId, of: messageId, from, to, message: this.describeMessage(message) });
    }
    for (const copyId of copyIds) {
      const inFlight = this.inFlightByLink.get(name) ?? 0;
      if (inFlight >= link.maxQueuedMessages) {
        this.drop(copyId, from, to, message, 'queue-full');
        continue;
      }
      this.inFlightByLink.set(name, inFlight + 1);
      const delivered = this.copyMessage ? this.copyMessage(message) : message;
      const delayMs = link.delayMs + (link.jitterMs > 0 ? rng.int(0, link.jitterMs) : 0) + (this.transferDelayMs?.(message) ?? 0);
      this.runtime.setTimer(delayMs, () => this.arrive(copyId, from, to, delivered), `network ${name}`);
    }
  }

  private arrive(messageId: number, from: number, to: number, message: TMessage): void {
    const name = linkName(from, to);
    this.inFlightByLink.set(name, (this.inFlightByLink.get(name) ?? 1) - 1);
    if (!this.canReach(from, to)) return this.drop(messageId, from, to, message, 'partition');
    const route = this.routes.get(to);
    if (route === undefined) return this.drop(messageId, from, to, message, 'node-down');
    this.stats.delivered++;
    if (this.trace.enabled) this.trace.record({ kind: 'deliver', msg: messageId, from, to, message: this.describeMessage(message) });
    route.handler(from, message);
  }

  private drop(messageId: number, from: number, to: number, message: TMessage, reason: DropReason, filterName?: string): void {
    this.stats.dropped[reason]++;
    if (this.trace.enabled) {
      this.trace.record({ kind: 'drop', msg: messageId, reason, filter: filterName, from, to, message: this.describeMessage(message) });
    }
  }

  private matchingFilter(message: TMessage, from: number, to: number): MessageFilter<TMessage> | undefined {
    for (const filter of this.filters.values()) {
      if (filter.from !== undefined && filter.from !== from) continue;
      if (filter.to !== undefined && filter.to !== to) continue;
      if (filter.matches !== undefined && !filter.matches(message, from, to)) continue;
      return filter;
    }
    return undefined;
  }

  private linkRng(name: string): Rng {
    let rng = this.linkRngs.get(name);
    if (rng === undefined) {
      rng = this.runtime.rng(`network/${name}`);
      this.linkRngs.set(name, rng);
    }
    return rng;
  }
}

function linkName(from: number, to: number): string {
  return `${from}->${to}`;
}
