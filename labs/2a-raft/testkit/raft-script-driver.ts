/**
 * The commands of Raft protocol scripts (see `protocol-script.ts` for the file format). A
 * driver holds a small group of `RawNode`s, each with its own `MemoryStorage`, and a queue of
 * messages in flight. After every action on a node it handles that node's Ready the way the
 * raftstore does — persist, send, apply (conf changes through `applyConfChange`), advance —
 * and prints what changed. Nothing happens on its own: time moves only with `tick`, messages
 * move only with `deliver`.
 *
 * Commands (ids are node ids; `A->B` names a link):
 *
 * | command | what it does |
 * |---|---|
 * | `nodes 1 2 3 [members=1,2,3] [election=10] [heartbeat=1] [seed=1]` | creates nodes; their first membership is `members` (default: the ids listed) |
 * | `campaign 1` | node 1 starts an election (`RawNode.campaign`) |
 * | `elect 1` | node 1 campaigns, then `settle` |
 * | `propose 1 hello` | node 1 proposes the command `hello` |
 * | `propose-conf-change 1 remove 3` | node 1 proposes removing node 3 (`add` adds) |
 * | `transfer-leader 2 3` | asks node 2 to move leadership to node 3 (`RawNode.transferLeader(3)` on node 2) |
 * | `tick 1 2 [times=N]` | ticks each listed node once, N times over |
 * | `deliver` | delivers messages in flight, oldest first, until none is left |
 * | `deliver 1->2` | delivers only the messages in flight now from 1 to 2 |
 * | `settle` | like `deliver`, but prints only the `state` of every node at the end (for the steps a script is not about) |
 * | `drop [1->2]` | loses the messages in flight (on one link) |
 * | `cut 1 2`, `isolate 3`, `heal` | loses every later message on a link, on every link of a node; restores all links |
 * | `step 1 MsgTimeoutNow from=2 term=1 [index= logTerm= commit= reject]` | hands node 1 a message built by hand |
 * | `compact 1 [index]` | node 1's storage snapshots its applied state (membership now) and compacts its log |
 * | `state [ids]` | one line per node: role, term, leader, commit, applied, last index, members, transfer |
 * | `log 1` | node 1's log, one entry per line |
 *
 * What the trace shows (each line starts with the node it is about):
 * - `1: Leader term:2 lead:1` — the node's role, term or leader changed;
 * - `1: leadTransferee 3` — the leader's pending transfer changed (`none` when it ended);
 * - `1: commit 4` — the commit index moved;
 * - `1: applied 4/2 RemoveNode 3 members:[1 2]` — a conf change was applied, and the membership it left;
 * - `1: proposal dropped` — a proposal was refused (`ProposalDroppedError`);
 * - `1->2 MsgAppend term:1 prev:3/1 commit:3 entries:[4/1 "x"]` — a message the node sent
 *   (positions are index/term; see {@link describeScriptMessage}). After
 *   `deliver`, an unindented message is one being delivered and the indented lines under it are
 *   what its receiver did.
 *
 * Messages are handed to `Raft.step` directly (like the 2A test network): a follower passes
 * proposals and transfer requests on as local message types, which `RawNode.step` refuses from
 * an owner. Each Ready's messages are listed by receiver (stable), so the trace does not
 * depend on the order in which an implementation walks its peers.
 *
 * @module
 */
import { ConfChangeType, decodeConfChange } from '../../common/raft/conf-change';
import { EntryType, type Entry } from '../../common/raft/entry';
import { createMessage, MessageType, type Message } from '../../common/raft/message';
import { createRng } from '../../common/runtime/rng';
import { ProposalDroppedError } from '../src/proposal-dropped-error';
import { RawNode } from '../src/rawnode';
import { StateType } from '../src/state-type';
import { MemoryStorage } from '../src/storage';
import type { ScriptCommand, ScriptCommandHandler } from './protocol-script';

/** The most messages one `deliver` may deliver before the driver calls it a message storm. */
const DELIVERY_LIMIT = 10_000;
/** The most Readys one action may produce before the driver calls it a loop. */
const READY_LIMIT = 100;

/** One entry in one short line: `3/1`, `4/1 "hello"`, `5/2 RemoveNode 3`. */
export function describeScriptEntry(entry: Entry): string {
  if (entry.entryType === EntryType.EntryConfChange) {
    const change = decodeConfChange(entry.data);
    return `${entry.index}/${entry.term} ${change.changeType} ${change.nodeId}`;
  }
  return entry.data.length > 0 ? `${entry.index}/${entry.term} "${entry.data.toString('latin1')}"` : `${entry.index}/${entry.term}`;
}

/**
 * One message in one line, as scripts print it. Positions are written index/term, like
 * entries: `prev:` is the entry before `entries` (MsgAppend), `last:` the candidate's last entry
 * (MsgRequestVote), `index:` an append answer's index. Fields that are 0 / empty are left out.
 */
export function describeScriptMessage(message: Message): string {
  const parts = [`${message.from}->${message.to} ${message.msgType}`];
  if (message.term !== 0) parts.push(`term:${message.term}`);
  if (message.logTerm !== 0 || message.index !== 0) {
    const position = `${message.index}/${message.logTerm}`;
    if (message.msgType === MessageType.MsgAppend) parts.push(`prev:${position}`);
    else if (message.msgType === MessageType.MsgRequestVote) parts.push(`last:${position}`);
    else if (message.logTerm === 0) parts.push(`index:${message.index}`);
    else parts.push(`index:${message.index} logTerm:${message.logTerm}`);
  }
  if (message.commit !== 0) parts.push(`commit:${message.commit}`);
  if (message.reject) parts.push('rejected');
  if (message.entries.length > 0) parts.push(`entries:[${message.entries.map(describeScriptEntry).join(', ')}]`);
  if (message.snapshot !== undefined) {
    const { index, term, confState } = message.snapshot.metadata;
    parts.push(`snapshot:${index}/${term} members:[${confState.nodes.join(' ')}]`);
  }
  return parts.join(' ');
}

/** What the trace last showed of a node; a change of any of it is printed. */
interface ShownState {
  role: string;
  transferee: number;
  commit: number;
}

/** One node of the group. */
interface ScriptNode {
  readonly id: number;
  readonly rawNode: RawNode;
  readonly storage: MemoryStorage;
  shown: ShownState;
}

function parseId(text: string | undefined, what: string): number {
  const id = Number(text);
  if (!Number.isSafeInteger(id) || id <= 0) throw new Error(`Expected ${what} (a positive integer), got "${text ?? ''}".`);
  return id;
}

function parseLink(text: string): [number, number] {
  const match = /^(\d+)->(\d+)$/.exec(text);
  if (match === null) throw new Error(`Expected a link written FROM->TO (e.g. 1->2), got "${text}".`);
  return [Number(match[1]), Number(match[2])];
}

function intOption(command: ScriptCommand, key: string, fallback: number): number {
  const text = command.options.get(key);
  return text === undefined ? fallback : parseId(text, `${key}=`);
}

function roleOf(node: ScriptNode): string {
  const raft = node.rawNode.raft;
  return `${raft.state} term:${raft.term} lead:${raft.lead === 0 ? 'none' : raft.lead}`;
}

function membersOf(node: ScriptNode): string {
  return `[${[...node.rawNode.raft.prs.keys()].sort((a, b) => a - b).join(' ')}]`;
}

/** The driver: create one per script and hand {@link RaftScriptDriver.handle} to the runner. */
export class RaftScriptDriver {
  private readonly nodes = new Map<number, ScriptNode>();
  private readonly inFlight: Message[] = [];
  private readonly cutLinks = new Set<string>();

  /** Runs one command and returns what it printed. */
  readonly handle: ScriptCommandHandler = (command) => {
    switch (command.name) {
      case 'nodes':
        return this.createNodes(command);
      case 'campaign':
        return this.act(command.args[0], (node) => node.rawNode.campaign());
      case 'elect':
        this.act(command.args[0], (node) => node.rawNode.campaign());
        return this.settle();
      case 'settle':
        return this.settle();
      case 'propose':
        return this.act(command.args[0], (node) => node.rawNode.propose(Buffer.from(command.args.slice(1).join(' '))));
      case 'propose-conf-change':
        return this.proposeConfChange(command);
      case 'transfer-leader':
        return this.act(command.args[0], (node) => node.rawNode.transferLeader(parseId(command.args[1], 'the transferee')));
      case 'tick':
        return this.tick(command);
      case 'deliver':
        return this.deliver(command.args[0]);
      case 'drop':
        return this.drop(command.args[0]);
      case 'cut':
        return this.cut(parseId(command.args[0], 'a node id'), parseId(command.args[1], 'a node id'));
      case 'isolate':
        return this.isolate(parseId(command.args[0], 'a node id'));
      case 'heal':
        this.cutLinks.clear();
        return [];
      case 'step':
        return this.stepByHand(command);
      case 'compact':
        return this.compact(command);
      case 'state':
        return this.state(command);
      case 'log':
        return this.log(command);
      default:
        throw new Error(
          `Unknown command "${command.name}". Commands: nodes, campaign, elect, settle, propose, propose-conf-change, transfer-leader, tick, deliver, drop, cut, isolate, heal, step, compact, state, log.`,
        );
    }
  };

  private node(text: string | undefined): ScriptNode {
    const id = parseId(text, 'a node id');
    const node = this.nodes.get(id);
    if (node === undefined) throw new Error(`There is no node ${id}; create it with "nodes".`);
    return node;
  }

  private createNodes(command: ScriptCommand): string[] {
    const ids = command.args.map((arg) => parseId(arg, 'a node id'));
    const membersText = command.options.get('members');
    const members = membersText === undefined ? ids : membersText.split(',').map((id) => parseId(id, 'a member id'));
    const rng = createRng(intOption(command, 'seed', 1));
    const lines: string[] = [];
    for (const id of ids) {
      if (this.nodes.has(id)) throw new Error(`Node ${id} exists already.`);
      const storage = new MemoryStorage();
      const rawNode = new RawNode({
        id,
        peers: members,
        electionTick: intOption(command, 'election', 10),
        heartbeatTick: intOption(command, 'heartbeat', 1),
        storage,
        applied: 0,
        rng: rng.split(`node-${id}`),
      });
      const node: ScriptNode = { id, rawNode, storage, shown: { role: '', transferee: 0, commit: 0 } };
      node.shown = { role: roleOf(node), transferee: rawNode.raft.leadTransferee, commit: rawNode.raft.raftLog.committed };
      this.nodes.set(id, node);
      lines.push(`${id}: ${node.shown.role} members:${membersOf(node)}`);
    }
    return lines;
  }

  /** Does something to a node, then handles its Readys; a refused proposal prints a line. */
  private act(idText: string | undefined, action: (node: ScriptNode) => void, indent = ''): string[] {
    const node = this.node(idText);
    const lines: string[] = [];
    try {
      action(node);
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
      lines.push(`${indent}${node.id}: proposal dropped`);
    }
    return [...lines, ...this.handleReadys(node, indent)];
  }

  private proposeConfChange(command: ScriptCommand): string[] {
    const [id, kind, target] = command.args;
    if (kind !== 'add' && kind !== 'remove') throw new Error(`propose-conf-change takes "add" or "remove", got "${kind ?? ''}".`);
    const change = {
      changeType: kind === 'add' ? ConfChangeType.AddNode : ConfChangeType.RemoveNode,
      nodeId: parseId(target, 'the node to add or remove'),
      context: Buffer.alloc(0),
    };
    return this.act(id, (node) => node.rawNode.proposeConfChange(change));
  }

  private tick(command: ScriptCommand): string[] {
    const times = intOption(command, 'times', 1);
    const lines: string[] = [];
    for (let round = 0; round < times; round++) {
      for (const id of command.args) lines.push(...this.act(id, (node) => node.rawNode.tick()));
    }
    return lines;
  }

  /**
   * Persists, sends and applies the node's Readys until it has none, and prints what changed.
   * Messages go in flight; conf changes are applied through `applyConfChange`.
   */
  private handleReadys(node: ScriptNode, indent: string): string[] {
    const lines: string[] = [];
    const { rawNode, storage } = node;
    for (let count = 0; ; count++) {
      lines.push(...this.changesSinceShown(node, indent));
      if (!rawNode.hasReady()) return lines;
      if (count >= READY_LIMIT) throw new Error(`Node ${node.id} still has a Ready after ${READY_LIMIT} rounds of ready()/advance(): does advance() clear what ready() reported?`);
      const ready = rawNode.ready();
      if (ready.snapshot !== undefined) {
        storage.applySnapshot(ready.snapshot);
        const { index, term, confState } = ready.snapshot.metadata;
        lines.push(`${indent}${node.id}: applied snapshot ${index}/${term} members:[${confState.nodes.join(' ')}]`);
      }
      storage.append(ready.entries);
      if (ready.hardState !== undefined) storage.setHardState(ready.hardState);
      const messages = ready.messages.map((message, order) => ({ message, order })).sort((a, b) => a.message.to - b.message.to || a.order - b.order);
      for (const { message } of messages) {
        this.inFlight.push(message);
        lines.push(`${indent}${describeScriptMessage(message)}`);
      }
      for (const entry of ready.committedEntries) {
        if (entry.entryType !== EntryType.EntryConfChange) continue;
        const change = decodeConfChange(entry.data);
        const confState = rawNode.applyConfChange(change);
        lines.push(`${indent}${node.id}: applied ${entry.index}/${entry.term} ${change.changeType} ${change.nodeId} members:[${confState.nodes.join(' ')}]`);
      }
      rawNode.advance(ready);
    }
  }

  private changesSinceShown(node: ScriptNode, indent: string): string[] {
    const raft = node.rawNode.raft;
    const now: ShownState = { role: roleOf(node), transferee: raft.leadTransferee, commit: raft.raftLog.committed };
    const lines: string[] = [];
    if (now.role !== node.shown.role) lines.push(`${indent}${node.id}: ${now.role}`);
    if (now.transferee !== node.shown.transferee) lines.push(`${indent}${node.id}: leadTransferee ${now.transferee === 0 ? 'none' : now.transferee}`);
    if (now.commit !== node.shown.commit) lines.push(`${indent}${node.id}: commit ${now.commit}`);
    node.shown = now;
    return lines;
  }

  private isCut(message: Message): boolean {
    return this.cutLinks.has(`${message.from}->${message.to}`);
  }

  /** Delivers one message: prints it, steps it into its receiver, prints what the receiver did (indented). */
  private deliverOne(message: Message): string[] {
    const line = describeScriptMessage(message);
    if (this.isCut(message)) return [`${line} (dropped: link cut)`];
    if (!this.nodes.has(message.to)) return [`${line} (dropped: no node ${message.to})`];
    return [line, ...this.act(String(message.to), (node) => node.rawNode.raft.step(message), '  ')];
  }

  private deliver(linkText: string | undefined): string[] {
    const lines: string[] = [];
    if (linkText !== undefined) {
      const [from, to] = parseLink(linkText);
      const chosen = this.takeInFlight((message) => message.from === from && message.to === to);
      for (const message of chosen) lines.push(...this.deliverOne(message));
      return lines;
    }
    for (let count = 0; this.inFlight.length > 0; count++) {
      if (count >= DELIVERY_LIMIT) throw new Error(`"deliver" delivered ${DELIVERY_LIMIT} messages and more are in flight: a message storm (two nodes answering each other forever?).`);
      lines.push(...this.deliverOne(this.inFlight.shift()!));
    }
    return lines;
  }

  /** Delivers everything, quietly, and shows where it left every node. */
  private settle(): string[] {
    this.deliver(undefined);
    return this.stateLines([...this.nodes.keys()].sort((a, b) => a - b));
  }

  private takeInFlight(matches: (message: Message) => boolean): Message[] {
    const taken = this.inFlight.filter(matches);
    const kept = this.inFlight.filter((message) => !matches(message));
    this.inFlight.splice(0, this.inFlight.length, ...kept);
    return taken;
  }

  private drop(linkText: string | undefined): string[] {
    const link = linkText === undefined ? undefined : parseLink(linkText);
    const dropped = this.takeInFlight((message) => link === undefined || (message.from === link[0] && message.to === link[1]));
    return dropped.map((message) => `${describeScriptMessage(message)} (dropped)`);
  }

  private cut(a: number, b: number): string[] {
    this.cutLinks.add(`${a}->${b}`);
    this.cutLinks.add(`${b}->${a}`);
    return [];
  }

  private isolate(id: number): string[] {
    for (const other of this.nodes.keys()) if (other !== id) this.cut(id, other);
    return [];
  }

  private stepByHand(command: ScriptCommand): string[] {
    const to = parseId(command.args[0], 'the receiving node');
    const type = command.args[1] as MessageType;
    if (!Object.values(MessageType).includes(type)) throw new Error(`Unknown message type "${command.args[1] ?? ''}".`);
    const message = createMessage({
      msgType: type,
      to,
      from: parseId(command.options.get('from'), 'from='),
      term: intOption(command, 'term', 0),
      logTerm: intOption(command, 'logTerm', 0),
      index: intOption(command, 'index', 0),
      commit: intOption(command, 'commit', 0),
      reject: command.args.includes('reject'),
    });
    return this.deliverOne(message);
  }

  private compact(command: ScriptCommand): string[] {
    const node = this.node(command.args[0]);
    const log = node.rawNode.raft.raftLog;
    const index = command.args[1] === undefined ? log.applied : parseId(command.args[1], 'the index to compact to');
    const nodes = [...node.rawNode.raft.prs.keys()].sort((a, b) => a - b);
    node.storage.createSnapshot(index, { nodes }, Buffer.from(`state of node ${node.id} at ${index}`));
    node.storage.compact(index);
    log.maybeCompact();
    return [`${node.id}: snapshot ${index}/${node.storage.snapshot().metadata.term} members:[${nodes.join(' ')}], log from ${log.firstIndex()}`];
  }

  private state(command: ScriptCommand): string[] {
    const ids = command.args.length > 0 ? command.args.map((arg) => parseId(arg, 'a node id')) : [...this.nodes.keys()].sort((a, b) => a - b);
    return this.stateLines(ids);
  }

  private stateLines(ids: readonly number[]): string[] {
    return ids.map((id) => {
      const node = this.node(String(id));
      const raft = node.rawNode.raft;
      const log = raft.raftLog;
      const transfer = raft.state === StateType.Leader && raft.leadTransferee !== 0 ? ` leadTransferee:${raft.leadTransferee}` : '';
      return `${id}: ${roleOf(node)} commit:${log.committed} applied:${log.applied} last:${log.lastIndex()} members:${membersOf(node)}${transfer}`;
    });
  }

  private log(command: ScriptCommand): string[] {
    const log = this.node(command.args[0]).rawNode.raft.raftLog;
    const lines = log.firstIndex() > 1 ? [`(compacted up to ${log.firstIndex() - 1})`] : [];
    lines.push(...log.entriesFrom(log.firstIndex()).map(describeScriptEntry));
    return lines.length > 0 ? lines : ['(empty)'];
  }
}
