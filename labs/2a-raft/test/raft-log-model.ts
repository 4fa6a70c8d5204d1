/**
 * A model-based test of RaftLog (stage 2AB), with fast-check's `fc.commands` and
 * `fc.modelRun`.
 *
 * The model is a plain array of entry terms (entry i is at position i - 1) plus the three
 * pointers. fast-check generates programs that do what Raft and its owner do to a log:
 * - a leader appends new entries at the end;
 * - a follower merges an append from a leader, which may repeat entries it holds (a duplicate
 *   or an old message), or conflict with its tail from some index on (then the tail is cut);
 * - the owner persists the unstable entries (stabled moves) and applies committed ones;
 * - commit moves forward.
 * After every command every read of the log is compared with the model: first and last index,
 * last term, the term of every index, matchTerm, entriesFrom, unstableEntries, nextEnts, and the
 * up-to-date rule of elections. Terms are drawn from a small range so merges conflict often.
 *
 * @module
 */
import fc from 'fast-check';
import { createEntry, describeEntry, type Entry } from '../../common/raft/entry';
import { RaftLog } from '../src/log';
import { MemoryStorage } from '../src/storage';

const HANDOUT = 'labs/2a-raft/README.md#the-log-and-its-pointers';

/** The system under test: a log over its storage. */
export interface LogWorld {
  readonly log: RaftLog;
  readonly storage: MemoryStorage;
}

/** What the log must look like. */
export interface LogModel {
  /** terms[i] is the term of entry i + 1. */
  terms: number[];
  committed: number;
  applied: number;
  stabled: number;
  readonly trail: string[];
}

function entry(index: number, term: number): Entry {
  return createEntry({ term, index, data: Buffer.from(`${index}@${term}`) });
}

function describeModel(model: LogModel): string {
  return `[${model.terms.map((term, i) => `${i + 1}/${term}`).join(' ')}] committed ${model.committed} applied ${model.applied} stabled ${model.stabled}`;
}

function fail(model: LogModel, what: string): never {
  throw new Error(`${what}\nThe log should be ${describeModel(model)}.\nCommands: ${model.trail.join(', ')}.\nSee ${HANDOUT}.`);
}

function expectSame(model: LogModel, what: string, actual: unknown, expected: unknown): void {
  const actualText = JSON.stringify(actual);
  const expectedText = JSON.stringify(expected);
  if (actualText !== expectedText) fail(model, `${what}: expected ${expectedText}, got ${actualText}.`);
}

function shapes(entries: readonly Entry[]): string[] {
  return entries.map(describeEntry);
}

function modelEntries(model: LogModel, from: number, to: number = model.terms.length): string[] {
  const out: string[] = [];
  for (let index = Math.max(1, from); index <= to; index++) out.push(describeEntry(entry(index, model.terms[index - 1])));
  return out;
}

/** Compares every read of the log with the model. */
function checkReads(model: LogModel, world: LogWorld): void {
  const log = world.log;
  const last = model.terms.length;
  expectSame(model, 'firstIndex()', log.firstIndex(), 1);
  expectSame(model, 'lastIndex()', log.lastIndex(), last);
  expectSame(model, 'lastTerm()', log.lastTerm(), last === 0 ? 0 : model.terms[last - 1]);
  expectSame(model, 'the pointers (committed, applied, stabled)', [log.committed, log.applied, log.stabled], [model.committed, model.applied, model.stabled]);
  for (let index = 0; index <= last; index++) expectSame(model, `term(${index})`, log.term(index), index === 0 ? 0 : model.terms[index - 1]);
  expectSame(model, 'allEntries()', shapes(log.allEntries()), modelEntries(model, 1));
  for (const from of [1, Math.ceil(last / 2), last, last + 1]) expectSame(model, `entriesFrom(${from})`, shapes(log.entriesFrom(from)), modelEntries(model, from));
  expectSame(model, 'unstableEntries() (every entry after stabled)', shapes(log.unstableEntries()), modelEntries(model, model.stabled + 1));
  expectSame(model, 'nextEnts() (entries after applied up to committed)', shapes(log.nextEnts()), modelEntries(model, model.applied + 1, model.committed));
  for (let index = 1; index <= last + 1; index++) {
    for (const term of [1, 2, 3]) {
      const expected = index <= last && model.terms[index - 1] === term;
      if (log.matchTerm(index, term) !== expected) fail(model, `matchTerm(${index}, ${term}) answered ${!expected}.`);
    }
  }
  const lastTerm = last === 0 ? 0 : model.terms[last - 1];
  for (const [probeIndex, probeTerm] of [[last, lastTerm], [last + 1, lastTerm], [last - 1, lastTerm], [last - 1, lastTerm + 1], [last + 2, Math.max(0, lastTerm - 1)]]) {
    const expected = probeTerm > lastTerm || (probeTerm === lastTerm && probeIndex >= last);
    if (log.isUpToDate(probeIndex, probeTerm) !== expected) {
      fail(model, `isUpToDate(${probeIndex}, ${probeTerm}) answered ${!expected} for a log ending at ${last}/${lastTerm}: a later last term wins; with equal last terms the longer log wins (Raft §5.4.1).`);
    }
  }
}

/** A leader appends `count` entries of `term` (at least its last term) at the end. */
class LeaderAppend implements fc.Command<LogModel, LogWorld> {
  constructor(
    readonly count: number,
    readonly termStep: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: LogModel, world: LogWorld): void {
    const last = model.terms.length;
    const term = (last === 0 ? 1 : model.terms[last - 1]) + this.termStep;
    model.trail.push(`leaderAppend(${this.count} of term ${term})`);
    world.log.append(Array.from({ length: this.count }, (_, i) => entry(last + 1 + i, term)));
    for (let i = 0; i < this.count; i++) model.terms.push(term);
    checkReads(model, world);
  }
  toString(): string {
    return `leaderAppend(${this.count}, +${this.termStep})`;
  }
}

/**
 * A follower merges entries from a leader, as handleAppendEntries does: the entries start
 * right after a position it matches (`from`), keep the terms it holds for the first `keep`
 * of them, then switch to the leader's terms. Only the part from the first conflict (or past
 * the end) is appended; nothing committed is ever in conflict.
 */
class FollowerMerge implements fc.Command<LogModel, LogWorld> {
  constructor(
    readonly fromFraction: number,
    readonly keep: number,
    readonly fresh: number,
    readonly freshTermStep: number,
  ) {}
  check(): boolean {
    return true;
  }
  run(model: LogModel, world: LogWorld): void {
    const last = model.terms.length;
    // The first index the append carries: somewhere after what is committed.
    const first = model.committed + 1 + Math.floor(this.fromFraction * (last - model.committed + 1));
    const kept = Math.min(this.keep, Math.max(0, last - first + 1));
    const termBefore = first === 1 ? 0 : model.terms[first - 2];
    const incoming: number[] = [];
    for (let i = 0; i < kept; i++) incoming.push(model.terms[first - 1 + i]);
    const base = incoming.length > 0 ? incoming[incoming.length - 1] : termBefore;
    // A leader's own entries have a term no lower than what precedes them; make it differ from the
    // follower's entry there when that is possible, so the merge has a real conflict to resolve.
    let freshTerm = Math.max(1, base) + this.freshTermStep;
    const clashIndex = first + kept;
    if (clashIndex <= last && model.terms[clashIndex - 1] === freshTerm) freshTerm++;
    for (let i = 0; i < this.fresh; i++) incoming.push(freshTerm);
    const entries = incoming.map((term, i) => entry(first + i, term));
    model.trail.push(`followerMerge(${entries.map(describeEntry).join(' ') || 'nothing'})`);
    const conflict = world.log.findConflict(entries);
    let expectedConflict = 0;
    for (const e of entries) {
      if (e.index > last || model.terms[e.index - 1] !== e.term) {
        expectedConflict = e.index;
        break;
      }
    }
    expectSame(model, `findConflict(${entries.map(describeEntry).join(' ')}) (the first entry the log lacks or holds with another term; 0 when it holds them all)`, conflict, expectedConflict);
    if (conflict === 0) return checkReads(model, world);
    world.log.append(entries.slice(conflict - first));
    model.terms = model.terms.slice(0, conflict - 1).concat(incoming.slice(conflict - first));
    // Replaced entries must be persisted again: stabled moves back before the first replaced one.
    model.stabled = Math.min(model.stabled, conflict - 1);
    checkReads(model, world);
  }
  toString(): string {
    return `followerMerge(${this.fromFraction.toFixed(2)}, keep ${this.keep}, fresh ${this.fresh}, +${this.freshTermStep})`;
  }
}

/** The owner persists the unstable entries; stabled moves to the last index. */
class Persist implements fc.Command<LogModel, LogWorld> {
  check(): boolean {
    return true;
  }
  run(model: LogModel, world: LogWorld): void {
    model.trail.push('persist');
    world.storage.append(world.log.unstableEntries());
    world.log.stabled = world.log.lastIndex();
    model.stabled = model.terms.length;
    checkReads(model, world);
  }
  toString(): string {
    return 'persist';
  }
}

/** Commit moves forward to a persisted index; the owner may apply up to it. */
class CommitAndApply implements fc.Command<LogModel, LogWorld> {
  constructor(
    readonly commitFraction: number,
    readonly apply: boolean,
  ) {}
  check(model: Readonly<LogModel>): boolean {
    return model.stabled > model.committed;
  }
  run(model: LogModel, world: LogWorld): void {
    const to = model.committed + Math.ceil(this.commitFraction * (model.stabled - model.committed));
    model.trail.push(`commit(${to})${this.apply ? '+apply' : ''}`);
    world.log.committed = to;
    model.committed = to;
    if (this.apply) {
      world.log.applied = to;
      model.applied = to;
    }
    checkReads(model, world);
  }
  toString(): string {
    return `commit(${this.commitFraction.toFixed(2)}, ${this.apply})`;
  }
}

/** The command mix. */
export const raftLogCommands = fc.commands(
  [
    fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 1 })).map(([count, step]) => new LeaderAppend(count, step)),
    fc
      .tuple(fc.double({ min: 0, max: 0.999, noNaN: true }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 1 }))
      .map(([from, keep, fresh, step]) => new FollowerMerge(from, keep, fresh, step)),
    fc.constant(new Persist()),
    fc.tuple(fc.double({ min: 0.01, max: 1, noNaN: true }), fc.boolean()).map(([fraction, apply]) => new CommitAndApply(fraction, apply)),
  ],
  { maxCommands: 40 },
);

/**
 * Runs `numRuns` generated programs under fast-check's `seed` on a log over a fresh
 * MemoryStorage. @throws Error (fast-check's report: the seed, the shrunk program and what differed).
 */
export function checkRaftLog(seed: number, numRuns: number): void {
  // Outside fast-check first, so that a stub's NotImplementedError reaches the student as it is.
  checkReads({ terms: [], committed: 0, applied: 0, stabled: 0, trail: [] }, { log: new RaftLog(new MemoryStorage()), storage: new MemoryStorage() });
  fc.assert(
    fc.property(raftLogCommands, (commands) => {
      const setup = (): { model: LogModel; real: LogWorld } => {
        const storage = new MemoryStorage();
        return { model: { terms: [], committed: 0, applied: 0, stabled: 0, trail: [] }, real: { storage, log: new RaftLog(storage) } };
      };
      fc.modelRun(setup, commands);
    }),
    { seed, numRuns, includeErrorInReport: true },
  );
}
