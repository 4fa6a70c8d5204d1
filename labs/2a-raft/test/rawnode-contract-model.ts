/**
 * A model-based test of the Ready / advance contract (stage 2AC), with fast-check's
 * `fc.commands` and `fc.modelRun`.
 *
 * The node under test is a RawNode (id 1) in a group of three; nodes 2 and 3 are plain Raft
 * nodes the test delivers to by hand. fast-check generates programs that take a Ready, then
 * — before advancing it — propose, tick, campaign and deliver messages, exactly as a real
 * owner's event loop interleaves them. The owner is played faithfully: it persists a Ready's
 * entries and hard state to MemoryStorage, "sends" its messages to the peers, and applies its
 * committed entries. The model is what the owner knows: what it persisted, applied and sent.
 *
 * Contract checked at every step (each a sentence in the failure message):
 * - `ready()` changes nothing: two calls in a row give the same Ready, and a Ready handed
 *   out does not change afterwards;
 * - entries: a Ready asks to persist every entry the owner has not persisted, with no gap;
 * - committedEntries continue exactly after the last entry the owner applied, and never run
 *   past what is persisted;
 * - hardState appears exactly when term, vote or commit differ from what the owner persisted,
 *   softState exactly when leader or role differ from what it was last told;
 * - messages: each is handed out once, and advance never drops one it did not hand out;
 * - whenever `hasReady()` is false, the owner has persisted the node's hard state and
 *   applied everything committed.
 *
 * @module
 */
import fc from 'fast-check';
import { describeEntry, type Entry } from '../../common/raft/entry';
import { hardStateEquals, type HardState } from '../../common/raft/hard-state';
import { describeMessage, type Message } from '../../common/raft/message';
import { createRng } from '../../common/runtime/rng';
import { ProposalDroppedError } from '../src/proposal-dropped-error';
import type { Raft } from '../src/raft';
import { RawNode } from '../src/rawnode';
import { softStateEquals, type Ready, type SoftState } from '../src/ready';
import { MemoryStorage } from '../src/storage';
import { diffReady } from './raft-ready-assertions';
import { newTestRaft, testConfig } from './raft-fixtures';

const HANDOUT = 'labs/2a-raft/README.md#ready-and-advance-2ac';
const PEERS = [1, 2, 3];

/** The system under test: the RawNode, its storage, the two peers and the messages in flight to node 1. */
export interface RawNodeWorld {
  /** Replaced on a restart. */
  node: RawNode;
  readonly seed: number;
  readonly storage: MemoryStorage;
  readonly peers: Map<number, Raft>;
  /** Messages from the peers waiting to be stepped into node 1. */
  readonly inbox: Message[];
}

/** What the owner knows. */
export interface OwnerModel {
  /** The Ready taken and not yet advanced, with a copy of what it said when it was taken. */
  outstanding: { ready: Ready; asTaken: Ready } | undefined;
  /** The hard state the owner last persisted (the stored one at start). */
  persistedHardState: HardState;
  /** The soft state the owner was last told (the node's at start). */
  knownSoftState: SoftState;
  /** The last index the owner applied. */
  applied: number;
  /** Messages handed out in taken Readys (by object), to catch one handed out twice. */
  readonly handedOut: WeakSet<Message>;
  /** Commands run so far, for failure messages. */
  readonly trail: string[];
}

function fail(model: OwnerModel, rule: string): never {
  throw new Error(`${rule}\nCommands so far: ${model.trail.join(', ')}.\nSee ${HANDOUT}.`);
}

function copyReady(ready: Ready): Ready {
  return { ...ready, entries: ready.entries.slice(), committedEntries: ready.committedEntries.slice(), messages: ready.messages.slice() };
}

function describeEntries(entries: readonly Entry[]): string {
  return `[${entries.map(describeEntry).join(' ')}]`;
}

/** Checks a freshly taken Ready against what the owner knows. */
function checkTakenReady(world: RawNodeWorld, model: OwnerModel, ready: Ready): void {
  const { node, storage } = world;
  const again = node.ready();
  const changed = diffReady(again, ready);
  if (changed.length > 0) fail(model, `Calling ready() twice in a row gave two different Readys: ready() must not change the node.\n${changed.join('\n')}`);
  const log = node.raft.raftLog;
  // Entries: together with what is persisted, they must reach the log's last index, without a gap.
  const persistedLast = storage.lastIndex();
  const firstNew = ready.entries.length > 0 ? ready.entries[0].index : persistedLast + 1;
  const lastAfter = ready.entries.length > 0 ? ready.entries[ready.entries.length - 1].index : persistedLast;
  if (firstNew <= persistedLast && storage.term(firstNew) === ready.entries[0].term) {
    fail(
      model,
      `Ready.entries ${describeEntries(ready.entries)} start with entry ${firstNew}, which the owner already persisted (up to ${persistedLast}) with the same term: ` +
        'a Ready carries only the entries after stabled, and advance moves stabled to the last entry it persisted.',
    );
  }
  if (firstNew > persistedLast + 1 || lastAfter !== log.lastIndex()) {
    fail(
      model,
      `Ready.entries ${describeEntries(ready.entries)} leave entries unpersisted: the owner has persisted up to ${persistedLast} and the log ends at ${log.lastIndex()}. ` +
        'A Ready must carry every entry after the last one persisted (advance moves stabled to the last entry of the Ready it is given, not further).',
    );
  }
  // Committed entries: exactly the ones after what the owner applied, consecutive, and persisted (here or before).
  ready.committedEntries.forEach((entry, offset) => {
    if (entry.index !== model.applied + 1 + offset) {
      fail(
        model,
        `Ready.committedEntries ${describeEntries(ready.committedEntries)} do not continue after the last entry the owner applied (${model.applied}): ` +
          'every committed entry must be handed out once, in order (advance moves applied to the last committed entry of the Ready it is given).',
      );
    }
  });
  const lastCommittedHanded = ready.committedEntries.length > 0 ? ready.committedEntries[ready.committedEntries.length - 1].index : model.applied;
  if (lastCommittedHanded > lastAfter) fail(model, `Ready.committedEntries reach ${lastCommittedHanded}, past the entries persisted by then (${lastAfter}).`);
  // Hard and soft state: present exactly when changed since the owner last heard.
  const hardState = node.raft.hardState();
  const hardChanged = !hardStateEquals(hardState, model.persistedHardState);
  if (hardChanged !== (ready.hardState !== undefined) || (ready.hardState !== undefined && !hardStateEquals(ready.hardState, hardState))) {
    fail(
      model,
      `Ready.hardState is ${JSON.stringify(ready.hardState)} but the node's hard state is ${JSON.stringify(hardState)} and the owner last persisted ${JSON.stringify(model.persistedHardState)}: ` +
        'it must be present exactly when term, vote or commit changed since the hard state of the last advanced Ready.',
    );
  }
  const softState = node.raft.softState();
  const softChanged = !softStateEquals(softState, model.knownSoftState);
  if (softChanged !== (ready.softState !== undefined)) {
    fail(model, `Ready.softState is ${JSON.stringify(ready.softState)} but the node's is ${JSON.stringify(softState)} and the owner was last told ${JSON.stringify(model.knownSoftState)}.`);
  }
  for (const message of ready.messages) {
    if (model.handedOut.has(message)) fail(model, `The message ${describeMessage(message)} was handed out in an earlier, advanced Ready and again now: it would be sent twice.`);
  }
}

/** Takes a Ready and handles it as an owner does: persist, send, apply. */
class TakeReady implements fc.Command<OwnerModel, RawNodeWorld> {
  check(model: Readonly<OwnerModel>): boolean {
    return model.outstanding === undefined;
  }
  run(model: OwnerModel, world: RawNodeWorld): void {
    model.trail.push('takeReady');
    if (!world.node.hasReady()) return checkQuiet(world, model);
    const ready = world.node.ready();
    checkTakenReady(world, model, ready);
    model.outstanding = { ready, asTaken: copyReady(ready) };
    if (ready.entries.length > 0) world.storage.append(ready.entries);
    if (ready.hardState !== undefined) world.storage.setHardState(ready.hardState);
    for (const message of ready.messages) deliverToPeers(world, message);
  }
  toString(): string {
    return 'takeReady';
  }
}

/** Advances the outstanding Ready. */
class Advance implements fc.Command<OwnerModel, RawNodeWorld> {
  check(model: Readonly<OwnerModel>): boolean {
    return model.outstanding !== undefined;
  }
  run(model: OwnerModel, world: RawNodeWorld): void {
    model.trail.push('advance');
    const { ready, asTaken } = model.outstanding!;
    model.outstanding = undefined;
    const changed = diffReady(ready, asTaken);
    if (changed.length > 0) fail(model, `A Ready changed after ready() handed it out (did it share the node's arrays?).\n${changed.join('\n')}`);
    const outbox = world.node.raft.msgs.slice();
    world.node.advance(ready);
    const kept = new Set(world.node.raft.msgs);
    for (const message of outbox) {
      if (!ready.messages.includes(message) && !kept.has(message)) {
        fail(model, `advance() dropped the message ${describeMessage(message)}, which the Ready it was given did not carry: it is lost, never sent.`);
      }
    }
    for (const message of ready.messages) model.handedOut.add(message);
    if (ready.hardState !== undefined) model.persistedHardState = ready.hardState;
    if (ready.softState !== undefined) model.knownSoftState = ready.softState;
    if (ready.committedEntries.length > 0) model.applied = ready.committedEntries[ready.committedEntries.length - 1].index;
    if (!world.node.hasReady()) checkQuiet(world, model);
  }
  toString(): string {
    return 'advance';
  }
}

/** With nothing ready, everything the node decided must have reached the owner. */
function checkQuiet(world: RawNodeWorld, model: OwnerModel): void {
  if (model.outstanding !== undefined) return;
  const raft = world.node.raft;
  if (!hardStateEquals(raft.hardState(), model.persistedHardState)) {
    fail(model, `hasReady() is false but the node's hard state ${JSON.stringify(raft.hardState())} was never handed out (the owner persisted ${JSON.stringify(model.persistedHardState)}): a change made between ready() and advance() was lost.`);
  }
  if (model.applied !== raft.raftLog.committed) {
    fail(model, `hasReady() is false but the owner applied up to ${model.applied} while the node has committed ${raft.raftLog.committed}: committed entries were never handed out.`);
  }
  if (storageLast(world) !== raft.raftLog.lastIndex()) {
    fail(model, `hasReady() is false but the owner persisted up to ${storageLast(world)} while the log ends at ${raft.raftLog.lastIndex()}: entries were never handed out to persist.`);
  }
}

function storageLast(world: RawNodeWorld): number {
  return world.storage.lastIndex();
}

/** Sends one of node 1's messages to its peer; the peers answer among themselves and to node 1's inbox. */
function deliverToPeers(world: RawNodeWorld, message: Message): void {
  const queue = [message];
  for (let count = 0; queue.length > 0 && count < 1000; count++) {
    const next = queue.shift()!;
    if (next.to === 1) {
      world.inbox.push(next);
      continue;
    }
    const peer = world.peers.get(next.to)!;
    try {
      peer.step(next);
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
    }
    queue.push(...peer.msgs.splice(0));
  }
}

/** Steps the oldest message from the peers into node 1. */
class DeliverToNode implements fc.Command<OwnerModel, RawNodeWorld> {
  check(): boolean {
    return true;
  }
  run(model: OwnerModel, world: RawNodeWorld): void {
    const message = world.inbox.shift();
    model.trail.push(message === undefined ? 'deliver(nothing)' : `deliver(${message.msgType} from ${message.from})`);
    if (message !== undefined) world.node.step(message);
  }
  toString(): string {
    return 'deliver';
  }
}

class Propose implements fc.Command<OwnerModel, RawNodeWorld> {
  constructor(readonly data: string) {}
  check(): boolean {
    return true;
  }
  run(model: OwnerModel, world: RawNodeWorld): void {
    model.trail.push(`propose(${this.data})`);
    try {
      world.node.propose(Buffer.from(this.data));
    } catch (error) {
      if (!(error instanceof ProposalDroppedError)) throw error;
    }
  }
  toString(): string {
    return `propose(${this.data})`;
  }
}

/** Ticks node 1 `count` times, and the peers too (a peer may time out and campaign). */
class Tick implements fc.Command<OwnerModel, RawNodeWorld> {
  constructor(
    readonly count: number,
    readonly peersToo: boolean,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: OwnerModel, world: RawNodeWorld): void {
    model.trail.push(`tick(${this.count}${this.peersToo ? ', peers too' : ''})`);
    for (let i = 0; i < this.count; i++) {
      world.node.tick();
      if (!this.peersToo) continue;
      for (const peer of world.peers.values()) {
        peer.tick();
        for (const message of peer.msgs.splice(0)) deliverToPeers(world, message);
      }
    }
  }
  toString(): string {
    return `tick(${this.count}, ${this.peersToo})`;
  }
}

/**
 * Crashes node 1 and restarts it from its storage with the owner's applied index, as a store
 * does. A Ready taken and persisted but not applied is lost with the crash: after the restart
 * the stored commit index is ahead of the applied one, with no hard state change to report.
 */
class Restart implements fc.Command<OwnerModel, RawNodeWorld> {
  check(): boolean {
    return true;
  }
  run(model: OwnerModel, world: RawNodeWorld): void {
    model.trail.push(model.outstanding === undefined ? 'restart' : 'restart(before applying the taken Ready)');
    model.outstanding = undefined;
    world.node = new RawNode(testConfig(1, PEERS, world.storage, { rng: createRng(world.seed + model.trail.length), applied: model.applied }));
    model.persistedHardState = world.storage.initialState().hardState;
    model.knownSoftState = world.node.raft.softState();
    if (!world.node.hasReady()) checkQuiet(world, model);
  }
  toString(): string {
    return 'restart';
  }
}

/**
 * Handles Readys (delivering the answers) until one carries committed entries, persists that
 * one and crashes before applying it, then restarts: the moment when the stored commit index
 * is ahead of the applied index.
 */
class CrashBeforeApplying implements fc.Command<OwnerModel, RawNodeWorld> {
  check(model: Readonly<OwnerModel>): boolean {
    return model.outstanding === undefined;
  }
  run(model: OwnerModel, world: RawNodeWorld): void {
    for (let attempt = 0; attempt < 6; attempt++) {
      new TakeReady().run(model, world);
      if (model.outstanding === undefined || model.outstanding.ready.committedEntries.length > 0) break;
      new Advance().run(model, world);
      while (world.inbox.length > 0) new DeliverToNode().run(model, world);
    }
    new Restart().run(model, world);
  }
  toString(): string {
    return 'takeReady+restart';
  }
}

class Campaign implements fc.Command<OwnerModel, RawNodeWorld> {
  check(): boolean {
    return true;
  }
  run(model: OwnerModel, world: RawNodeWorld): void {
    model.trail.push('campaign');
    world.node.campaign();
  }
  toString(): string {
    return 'campaign';
  }
}

/** The command mix: a Ready is often left outstanding while other things happen. */
export const rawNodeCommands = fc.commands(
  [
    fc.constant(new TakeReady()),
    fc.constant(new TakeReady()),
    fc.constant(new Advance()),
    fc.constant(new DeliverToNode()),
    fc.constant(new DeliverToNode()),
    fc.constantFrom('a', 'b', 'c', 'd').map((data) => new Propose(data)),
    fc.tuple(fc.integer({ min: 1, max: 12 }), fc.boolean()).map(([count, peersToo]) => new Tick(count, peersToo)),
    fc.constant(new Campaign()),
    fc.constant(new Restart()),
    fc.constant(new CrashBeforeApplying()),
  ],
  { maxCommands: 60 },
);

/** A fresh world and owner model. */
export function newRawNodeWorld(seed: number): { model: OwnerModel; real: RawNodeWorld } {
  const storage = new MemoryStorage();
  const node = new RawNode(testConfig(1, PEERS, storage, { rng: createRng(seed) }));
  const peers = new Map<number, Raft>(PEERS.slice(1).map((id) => [id, newTestRaft(id, PEERS, new MemoryStorage(), { rng: createRng(seed * 31 + id) })]));
  const model: OwnerModel = {
    outstanding: undefined,
    persistedHardState: storage.initialState().hardState,
    knownSoftState: node.raft.softState(),
    applied: 0,
    handedOut: new WeakSet(),
    trail: [],
  };
  const real: RawNodeWorld = { node, seed, storage, peers, inbox: [] };
  // Start from a working group: node 1 wins term 1 and commits its no-op, so programs begin
  // where proposals commit and commits arrive between ready() and advance().
  const warmUp: fc.Command<OwnerModel, RawNodeWorld>[] = [new Campaign(), ...drainSteps(3)];
  for (const command of warmUp) if (command.check(model)) command.run(model, real);
  model.trail.push('(warmed up)');
  return { model, real };
}

/**
 * Runs `numRuns` generated programs under fast-check's `seed`, then drains each: take and
 * advance Readys (delivering answers) until nothing is ready, checking the contract throughout.
 *
 * @throws Error (fast-check's report: the seed, the shrunk program and the broken rule).
 */
export function checkReadyContract(seed: number, numRuns: number): void {
  // Outside fast-check first, so that a stub's NotImplementedError reaches the student as it is.
  newRawNodeWorld(seed);
  fc.assert(
    fc.property(rawNodeCommands, (commands) => {
      const setup = (): { model: OwnerModel; real: RawNodeWorld } => newRawNodeWorld(seed);
      fc.modelRun(setup, [...commands, ...drain()]);
    }),
    { seed, numRuns, includeErrorInReport: true },
  );
}

/** Commands that bring the node to quiet: advance what is outstanding, then take/deliver/advance until nothing is left. */
function drain(): fc.Command<OwnerModel, RawNodeWorld>[] {
  return drainSteps(12);
}

function drainSteps(rounds: number): fc.Command<OwnerModel, RawNodeWorld>[] {
  const steps: fc.Command<OwnerModel, RawNodeWorld>[] = [];
  for (let i = 0; i < rounds; i++) steps.push(new Advance(), new TakeReady(), new DeliverToNode(), new DeliverToNode(), new DeliverToNode());
  steps.push(new Advance(), new TakeReady(), new Advance());
  return steps;
}

