/**
 * The trace page's model: what the timeline draws, built from the JSON lines of a simulation
 * trace (see labs/common/sim/trace.ts). The page's script only draws this model; every
 * decision about pairing and capping is made here, in Node, where it is unit-tested.
 *
 * @module
 */

/** A message that arrived: an arrow from the sender's lane at send time to the receiver's lane at delivery time. */
export interface MessageArrow {
  readonly from: number;
  readonly to: number;
  readonly sentMs: number;
  readonly deliveredMs: number;
  /** The message's description in the trace, as text. */
  readonly label: string;
}

/** A message that was dropped: a short arrow ending in an X. */
export interface DroppedMessage {
  readonly from: number;
  readonly to: number;
  readonly sentMs: number;
  readonly droppedMs: number;
  /** Why (`lost`, `partition`, `filter`, `node-down`, `queue-full`). */
  readonly reason: string;
  readonly label: string;
}

/** A stretch of time a node held one role in one term (for a store: its peer of one region). */
export interface RoleSegment {
  readonly node: number;
  /** The region whose peer held the role, when the trace says (a store's `role` events do). */
  readonly region?: number;
  /** Lower case: `leader`, `candidate`, `follower` (the trace may say `Leader`). */
  readonly role: string;
  readonly term: number;
  readonly startMs: number;
  readonly endMs: number;
}

/** A rule a store broke, found as the run went (a `violation` event): a red mark at its time. */
export interface ViolationMark {
  /** The store that broke it, when known (its lane gets the mark; otherwise every lane does). */
  readonly node?: number;
  readonly region?: number;
  readonly atMs: number;
  /** The auditor's sentence. */
  readonly text: string;
}

/** What a lane is called: `store 2` with `peer 3 (r1)` below it in a cluster trace, `node 2` otherwise. */
export interface LaneLabel {
  readonly node: number;
  readonly label: string;
  /** A second, smaller line (the peers the store hosts), or ''. */
  readonly detail: string;
}

/** A node that was down: from its crash to its restart (or to the end of the trace). */
export interface CrashBand {
  readonly node: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly reason: string;
}

/** A network partition or isolation while it was in force. */
export interface PartitionBand {
  /** `partition` (groups) or `isolate` (one node cut off). */
  readonly kind: 'partition' | 'isolate';
  /** The groups, e.g. `[[1, 2], [3]]`; for an isolation, `[[node]]`. */
  readonly groups: readonly (readonly number[])[];
  readonly startMs: number;
  readonly endMs: number;
}

/** A client operation: a bar from invocation to return. */
export interface OperationBar {
  /** The history's operation id (`op`). */
  readonly id: number;
  readonly client: number;
  readonly invokeMs: number;
  /** The return time, or the end of the trace when it never returned or its outcome is unknown. */
  readonly returnMs: number;
  /** `ok`, `unknown` (gave up or never returned) or `discarded`. */
  readonly outcome: string;
  /** Input and output, as text. */
  readonly label: string;
  /** `illegal` or `unknown` when a linearizability event names it; undefined otherwise. */
  readonly flagged?: 'illegal' | 'unknown';
}

/** Everything the page draws. */
export interface TracePageModel {
  readonly startMs: number;
  readonly endMs: number;
  /** Node ids, ascending: one lane each. */
  readonly nodes: readonly number[];
  /** The lanes' names, in the order of `nodes`. */
  readonly laneLabels: readonly LaneLabel[];
  /** `store` when the trace is a cluster's (lanes are stores), `node` otherwise. */
  readonly nodeNoun: 'store' | 'node';
  /** Client ids, ascending: one row each in the clients area. */
  readonly clients: readonly number[];
  readonly arrows: readonly MessageArrow[];
  readonly drops: readonly DroppedMessage[];
  readonly roles: readonly RoleSegment[];
  readonly crashes: readonly CrashBand[];
  readonly partitions: readonly PartitionBand[];
  readonly operations: readonly OperationBar[];
  /** The rules stores broke, in time order (at most `maxViolations`). */
  readonly violations: readonly ViolationMark[];
  /** The linearizability verdicts recorded in the trace (`illegal` / `unknown`) and how many operations each named. */
  readonly verdicts: readonly { readonly atMs: number; readonly result: string; readonly unorderedCount: number }[];
  /** What was left out to keep the page small, in words (empty when nothing was). */
  readonly omissions: readonly string[];
  readonly lineCount: number;
}

/** Options of {@link buildTracePageModel}. */
export interface TracePageModelOptions {
  /** The most messages (arrows plus drops) drawn; later ones are counted, not drawn (default 5 000). */
  readonly maxMessages?: number;
  /** The most client operations drawn (default 2 000). */
  readonly maxOperations?: number;
  /** The most violation marks drawn (default 200). */
  readonly maxViolations?: number;
}

/** Thrown when a trace line is not a JSON object with a numeric `atMs` and a string `kind`. */
export class TraceParseError extends Error {
  override readonly name = 'TraceParseError';
}

interface RawEvent {
  readonly atMs: number;
  readonly kind: string;
  readonly [field: string]: unknown;
}

interface PendingSend {
  readonly sentMs: number;
}

/** Mutable state of one pass over the trace. */
class ModelBuilder {
  readonly nodes = new Set<number>();
  readonly clients = new Set<number>();
  readonly arrows: MessageArrow[] = [];
  readonly drops: DroppedMessage[] = [];
  readonly roles: RoleSegment[] = [];
  readonly crashes: CrashBand[] = [];
  readonly partitions: PartitionBand[] = [];
  readonly operations = new Map<number, OperationBar>();
  readonly violations: ViolationMark[] = [];
  /** Peers by store, from a `cluster` event: `peer 3 (r1)`. */
  readonly peersByStore = new Map<number, string[]>();
  /** Whether the trace is a cluster's (a `cluster` event, or `role` events that name a region). */
  isCluster = false;
  omittedViolations = 0;
  readonly verdicts: { atMs: number; result: string; unorderedCount: number }[] = [];
  /** Sends by message id, waiting for their delivery or drop. */
  private readonly sendsById = new Map<number, PendingSend>();
  /** Sends of traces without message ids, by link and description, oldest first. */
  private readonly sendsByContent = new Map<string, PendingSend[]>();
  /** Open role segments by `node/region` (a store holds one role per region it hosts). */
  private readonly openRoles = new Map<string, { node: number; region?: number; role: string; term: number; startMs: number }>();
  private readonly openCrashes = new Map<number, { startMs: number; reason: string }>();
  private openPartition: { groups: number[][]; startMs: number } | undefined;
  private readonly openIsolations = new Map<number, number>();
  private readonly flags = new Map<number, 'illegal' | 'unknown'>();
  omittedMessages = 0;
  omittedOperations = 0;
  startMs = Number.POSITIVE_INFINITY;
  endMs = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly maxMessages: number,
    private readonly maxOperations: number,
    private readonly maxViolations: number,
  ) {}

  add(event: RawEvent): void {
    this.startMs = Math.min(this.startMs, event.atMs);
    this.endMs = Math.max(this.endMs, event.atMs);
    switch (event.kind) {
      case 'send':
        return this.onSend(event);
      case 'duplicate':
        return this.onDuplicate(event);
      case 'deliver':
        return this.onDeliver(event);
      case 'drop':
        return this.onDrop(event);
      case 'start':
      case 'tick':
        return this.noteNode(event.node);
      case 'crash':
        return this.onCrash(event);
      case 'restart':
        return this.onRestart(event);
      case 'role':
        return this.onRole(event);
      case 'partition':
        return this.onPartition(event);
      case 'isolate':
        return this.onIsolate(event);
      case 'heal':
        return this.onHeal(event.atMs);
      case 'invoke':
        return this.onInvoke(event);
      case 'return':
        return this.onReturn(event);
      case 'linearizability':
        return this.onVerdict(event);
      case 'violation':
        return this.onViolation(event);
      case 'cluster':
        return this.onCluster(event);
      default:
      // Other kinds (filters, components' own events) are not drawn.
    }
  }

  /** Closes everything still open at the end of the trace. */
  finish(): void {
    for (const open of this.openRoles.values()) this.roles.push({ ...open, endMs: this.endMs });
    for (const [node, open] of this.openCrashes) this.crashes.push({ node, ...open, endMs: this.endMs });
    this.onHeal(this.endMs);
    for (const [id, bar] of this.operations) {
      const flagged = this.flags.get(id);
      if (flagged !== undefined) this.operations.set(id, { ...bar, flagged });
    }
  }

  private noteNode(node: unknown): void {
    if (typeof node === 'number') this.nodes.add(node);
  }

  private messageRoomLeft(): boolean {
    if (this.arrows.length + this.drops.length < this.maxMessages) return true;
    this.omittedMessages++;
    return false;
  }

  private onSend(event: RawEvent): void {
    this.noteNode(event.from);
    this.noteNode(event.to);
    const pending = { sentMs: event.atMs };
    if (typeof event.msg === 'number') this.sendsById.set(event.msg, pending);
    else {
      const key = contentKey(event);
      const queue = this.sendsByContent.get(key) ?? [];
      queue.push(pending);
      this.sendsByContent.set(key, queue);
    }
  }

  private onDuplicate(event: RawEvent): void {
    // The copy leaves when the original does.
    const original = typeof event.of === 'number' ? this.sendsById.get(event.of) : undefined;
    if (typeof event.msg === 'number') this.sendsById.set(event.msg, { sentMs: original?.sentMs ?? event.atMs });
    else this.onSend(event);
  }

  private takeSend(event: RawEvent): PendingSend {
    if (typeof event.msg === 'number') {
      const pending = this.sendsById.get(event.msg);
      this.sendsById.delete(event.msg);
      return pending ?? { sentMs: event.atMs };
    }
    return this.sendsByContent.get(contentKey(event))?.shift() ?? { sentMs: event.atMs };
  }

  private onDeliver(event: RawEvent): void {
    const { sentMs } = this.takeSend(event);
    if (!this.messageRoomLeft()) return;
    this.arrows.push({ from: asNumber(event.from), to: asNumber(event.to), sentMs, deliveredMs: event.atMs, label: describe(event.message) });
  }

  private onDrop(event: RawEvent): void {
    const { sentMs } = this.takeSend(event);
    if (!this.messageRoomLeft()) return;
    const reason = typeof event.filter === 'string' ? `${String(event.reason)} (${event.filter})` : String(event.reason);
    this.drops.push({ from: asNumber(event.from), to: asNumber(event.to), sentMs, droppedMs: event.atMs, reason, label: describe(event.message) });
  }

  /** Closes the node's open role segments: of one region, or of every region when `region` is undefined. */
  private closeRoles(node: number, atMs: number, region?: number): void {
    for (const [key, open] of this.openRoles) {
      if (open.node !== node || (region !== undefined && open.region !== region)) continue;
      this.openRoles.delete(key);
      this.roles.push({ ...open, endMs: atMs });
    }
  }

  private onCrash(event: RawEvent): void {
    const node = asNumber(event.node);
    this.noteNode(node);
    // A dead node holds no role.
    this.closeRoles(node, event.atMs);
    this.openCrashes.set(node, { startMs: event.atMs, reason: typeof event.reason === 'string' ? event.reason : 'crashed' });
  }

  private onRestart(event: RawEvent): void {
    const node = asNumber(event.node);
    this.noteNode(node);
    const open = this.openCrashes.get(node);
    if (open === undefined) return;
    this.openCrashes.delete(node);
    this.crashes.push({ node, ...open, endMs: event.atMs });
  }

  private onRole(event: RawEvent): void {
    const node = asNumber(event.node);
    this.noteNode(node);
    const region = typeof event.region === 'number' ? event.region : undefined;
    if (region !== undefined) this.isCluster = true;
    this.closeRoles(node, event.atMs, region);
    // Stores record StateType values (`Leader`); the page's classes and legend are lower case.
    const role = String(event.role).toLowerCase();
    this.openRoles.set(`${node}/${region ?? ''}`, { node, ...(region !== undefined ? { region } : {}), role, term: typeof event.term === 'number' ? event.term : 0, startMs: event.atMs });
  }

  private onViolation(event: RawEvent): void {
    const node = typeof event.node === 'number' ? event.node : undefined;
    if (node !== undefined) this.noteNode(node);
    if (this.violations.length >= this.maxViolations) {
      this.omittedViolations++;
      return;
    }
    const region = typeof event.region === 'number' ? event.region : undefined;
    this.violations.push({ ...(node !== undefined ? { node } : {}), ...(region !== undefined ? { region } : {}), atMs: event.atMs, text: describe(event.text) });
  }

  private onCluster(event: RawEvent): void {
    this.isCluster = true;
    if (Array.isArray(event.stores)) event.stores.forEach((store) => this.noteNode(store));
    const regions = Array.isArray(event.regions) ? (event.regions as { id?: unknown; peers?: unknown }[]) : [];
    for (const region of regions) {
      const peers = Array.isArray(region.peers) ? (region.peers as { id?: unknown; storeId?: unknown }[]) : [];
      for (const peer of peers) {
        if (typeof peer.storeId !== 'number' || typeof peer.id !== 'number') continue;
        const list = this.peersByStore.get(peer.storeId) ?? [];
        list.push(`peer ${peer.id} (r${String(region.id)})`);
        this.peersByStore.set(peer.storeId, list);
      }
    }
  }

  private onPartition(event: RawEvent): void {
    const groups = Array.isArray(event.groups) ? event.groups.map((group) => (Array.isArray(group) ? group.map(asNumber) : [])) : [];
    groups.flat().forEach((node) => this.noteNode(node));
    // A new partition replaces the old one; isolations stay.
    this.closePartition(event.atMs);
    this.openPartition = { groups, startMs: event.atMs };
  }

  private onIsolate(event: RawEvent): void {
    const node = asNumber(event.node);
    this.noteNode(node);
    if (!this.openIsolations.has(node)) this.openIsolations.set(node, event.atMs);
  }

  private closePartition(atMs: number): void {
    if (this.openPartition === undefined) return;
    this.partitions.push({ kind: 'partition', ...this.openPartition, endMs: atMs });
    this.openPartition = undefined;
  }

  private onHeal(atMs: number): void {
    this.closePartition(atMs);
    for (const [node, startMs] of this.openIsolations) this.partitions.push({ kind: 'isolate', groups: [[node]], startMs, endMs: atMs });
    this.openIsolations.clear();
  }

  private onInvoke(event: RawEvent): void {
    const client = asNumber(event.client);
    this.clients.add(client);
    if (this.operations.size >= this.maxOperations) {
      this.omittedOperations++;
      return;
    }
    const id = typeof event.op === 'number' ? event.op : this.operations.size + 1;
    // Until it returns, an operation runs to the end of the trace.
    this.operations.set(id, { id, client, invokeMs: event.atMs, returnMs: Number.NaN, outcome: 'unknown', label: `op ${id}: ${describe(event.input)}` });
  }

  private onReturn(event: RawEvent): void {
    const bar = typeof event.op === 'number' ? this.operations.get(event.op) : undefined;
    if (bar === undefined) return;
    const outcome = typeof event.outcome === 'string' ? event.outcome : 'ok';
    const result = outcome === 'ok' ? describe(event.output) : `${outcome}${typeof event.reason === 'string' ? ` (${event.reason})` : ''}`;
    const returnMs = outcome === 'ok' ? event.atMs : Number.NaN;
    this.operations.set(bar.id, { ...bar, returnMs, outcome, label: `${bar.label} → ${result}` });
  }

  private onVerdict(event: RawEvent): void {
    const result = event.result === 'unknown' ? 'unknown' : 'illegal';
    const unordered = Array.isArray(event.unordered) ? event.unordered.filter((id): id is number => typeof id === 'number') : [];
    for (const id of unordered) if (this.flags.get(id) !== 'illegal') this.flags.set(id, result);
    this.verdicts.push({ atMs: event.atMs, result, unorderedCount: unordered.length });
  }
}

function asNumber(value: unknown): number {
  return typeof value === 'number' ? value : Number(value);
}

function describe(value: unknown): string {
  if (value === undefined) return '';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function contentKey(event: RawEvent): string {
  return `${String(event.from)}>${String(event.to)}:${describe(event.message)}`;
}

/**
 * Parses one trace line.
 *
 * @param line - one JSON line of a trace.
 * @param lineNumber - its 1-based number, for the error message.
 * @returns the event.
 * @throws TraceParseError when the line is not a trace event.
 */
export function parseTraceLine(line: string, lineNumber: number): { readonly atMs: number; readonly kind: string; readonly [field: string]: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    throw new TraceParseError(`Trace line ${lineNumber} is not JSON (${(error as Error).message}); pass a file written by a trace (one JSON object per line).`);
  }
  const event = parsed as Partial<RawEvent> | null;
  if (event === null || typeof event !== 'object' || typeof event.atMs !== 'number' || typeof event.kind !== 'string') {
    throw new TraceParseError(`Trace line ${lineNumber} has no numeric "atMs" and string "kind"; pass a file written by a trace, not another JSON file.`);
  }
  return event as RawEvent;
}

/**
 * Builds the page's model from the lines of a trace: lanes, arrows paired by message id
 * (or, in traces without ids, by link and content in send order), drops, role segments,
 * crash and partition bands, client operations, the operations a linearizability verdict
 * flagged and the violations stores were caught in. Blank lines are skipped.
 *
 * @param traceLines - the trace's lines, in order.
 * @param options - caps on what is kept.
 * @returns the model; the same lines always give an equal model.
 * @throws TraceParseError when a line is not a trace event.
 */
export function buildTracePageModel(traceLines: readonly string[], options: TracePageModelOptions = {}): TracePageModel {
  const builder = new ModelBuilder(options.maxMessages ?? 5_000, options.maxOperations ?? 2_000, options.maxViolations ?? 200);
  let lineCount = 0;
  traceLines.forEach((line, index) => {
    if (line.trim() === '') return;
    lineCount++;
    builder.add(parseTraceLine(line, index + 1));
  });
  if (lineCount === 0) builder.startMs = builder.endMs = 0;
  builder.finish();
  const endMs = builder.endMs;
  const operations = [...builder.operations.values()]
    .map((bar) => (Number.isNaN(bar.returnMs) ? { ...bar, returnMs: endMs } : bar))
    .sort((left, right) => left.id - right.id);
  const omissions: string[] = [];
  const drawnMessages = builder.arrows.length + builder.drops.length;
  if (builder.omittedMessages > 0) {
    omissions.push(`Only the first ${drawnMessages} of ${drawnMessages + builder.omittedMessages} messages are drawn.`);
  }
  if (builder.omittedOperations > 0) {
    omissions.push(`Only the first ${operations.length} of ${operations.length + builder.omittedOperations} client operations are drawn.`);
  }
  if (builder.omittedViolations > 0) {
    omissions.push(`Only the first ${builder.violations.length} of ${builder.violations.length + builder.omittedViolations} violations are marked.`);
  }
  const nodes = [...builder.nodes].filter((node) => Number.isFinite(node)).sort((left, right) => left - right);
  const nodeNoun = builder.isCluster ? 'store' : 'node';
  return {
    startMs: builder.startMs,
    endMs,
    nodes,
    laneLabels: nodes.map((node) => ({ node, label: `${nodeNoun} ${node}`, detail: (builder.peersByStore.get(node) ?? []).join(', ') })),
    nodeNoun,
    clients: [...builder.clients].sort((left, right) => left - right),
    arrows: builder.arrows,
    drops: builder.drops,
    roles: builder.roles,
    crashes: builder.crashes,
    partitions: builder.partitions,
    operations,
    violations: builder.violations,
    verdicts: builder.verdicts,
    omissions,
    lineCount,
  };
}
