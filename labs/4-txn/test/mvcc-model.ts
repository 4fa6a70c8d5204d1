/**
 * A model-based test of the MVCC layer (stage 4A), with fast-check's `fc.commands` and
 * `fc.asyncModelRun`.
 *
 * The model is plain: per user key, a list of write records `{ startTs, commitTs, kind }`, the
 * values by start ts, and at most one lock. fast-check generates programs of transactions on a
 * handful of keys chosen to sit next to each other in the engine's order — keys that are
 * prefixes of one another, a key of exactly one 8-byte group and one a byte longer, keys that
 * differ only in their last byte — so that every key has many versions and a read that walks past
 * its key's versions lands on a neighbour's:
 * - begin: a transaction takes a start ts, locks its key and writes its value (a prewrite);
 * - commit / delete: it writes its write record at a later commit ts (transactions overlap:
 *   commit order differs from start order);
 * - rollback: it writes a rollback record at its start ts and removes its value;
 * - read: at any ts (exactly on a start or commit ts, between, before all, after all) every
 *   read method is compared with the model: getValue, getLock, currentWrite, mostRecentWrite.
 * All writes go through MvccTxn and reach storage through `writes()`, as a command's would.
 *
 * @module
 */
import fc from 'fast-check';
import type { MemoryKvStorage } from '../../common/storage/memory-kv-storage';
import { Lock } from '../src/lock-record';
import { MvccTxn, type WriteAt } from '../src/mvcc-txn';
import { Write, WriteKind } from '../src/write-record';
import { TxnFixture } from './txn-fixture';

const HANDOUT = 'labs/4-txn/README.md#stage-4a';

/**
 * Keys that sit next to each other in encoded order: prefixes of one another, one full 8-byte
 * group and one byte more, and neighbours that differ only in the last byte.
 */
export const ADJACENT_KEYS: readonly Buffer[] = [
  [0x61],
  [0x61, 0x00],
  [0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61],
  [0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x00],
  [0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x61, 0x62],
].map((bytes) => Buffer.from(bytes));

interface ModelRecord {
  readonly startTs: number;
  readonly commitTs: number;
  readonly kind: WriteKind;
}

interface ModelTxn {
  readonly key: number;
  readonly startTs: number;
  /** Undefined while it is only prewritten. */
  outcome?: 'committed' | 'rolled back';
}

/** What the engine must hold, per key index. */
export interface MvccModel {
  /** The last timestamp handed out. */
  clock: number;
  readonly records: ModelRecord[][];
  readonly values: Map<number, Buffer>[];
  readonly locks: (Lock | undefined)[];
  readonly txns: ModelTxn[];
  readonly trail: string[];
}

function keyName(key: number): string {
  return ADJACENT_KEYS[key].toString('hex');
}

function fail(model: MvccModel, what: string): never {
  throw new Error(`${what}\nCommands: ${model.trail.join(', ')}.\nSee ${HANDOUT}.`);
}

function describeWriteAt(found: WriteAt | undefined): string {
  return found === undefined ? 'undefined' : `{ kind ${WriteKind[found.write.kind]}, startTs ${found.write.startTs}, commitTs ${found.commitTs} }`;
}

function modelValue(model: MvccModel, key: number, readTs: number): Buffer | undefined {
  const visible = model.records[key].filter((record) => record.commitTs <= readTs).sort((a, b) => b.commitTs - a.commitTs);
  for (const record of visible) {
    if (record.kind === WriteKind.Rollback) continue;
    if (record.kind === WriteKind.Delete) return undefined;
    return model.values[key].get(record.startTs);
  }
  return undefined;
}

function toWriteAt(record: ModelRecord | undefined): string {
  return record === undefined ? 'undefined' : describeWriteAt({ write: new Write(record.startTs, record.kind), commitTs: record.commitTs });
}

async function withTxn<T>(storage: MemoryKvStorage, startTs: number, body: (txn: MvccTxn) => T): Promise<T> {
  const reader = await storage.reader({});
  try {
    return body(new MvccTxn(reader, startTs));
  } finally {
    reader.close();
  }
}

async function applyTxn(storage: MemoryKvStorage, startTs: number, body: (txn: MvccTxn) => void): Promise<void> {
  const reader = await storage.reader({});
  try {
    const txn = new MvccTxn(reader, startTs);
    body(txn);
    await storage.write({}, txn.writes());
  } finally {
    reader.close();
  }
}

/** A transaction starts on a key without a lock: lock and value (a prewrite of a put). */
class Begin implements fc.AsyncCommand<MvccModel, TxnFixture> {
  constructor(
    readonly key: number,
    readonly value: number,
  ) {}
  check(model: Readonly<MvccModel>): boolean {
    return model.locks[this.key] === undefined;
  }
  async run(model: MvccModel, fixture: TxnFixture): Promise<void> {
    const startTs = ++model.clock;
    const value = Buffer.from([this.value]);
    const lock = new Lock(ADJACENT_KEYS[this.key], startTs, 10, WriteKind.Put);
    model.trail.push(`begin(${keyName(this.key)} @${startTs} = ${this.value})`);
    await applyTxn(fixture.memory, startTs, (txn) => {
      txn.putLock(ADJACENT_KEYS[this.key], lock);
      txn.putValue(ADJACENT_KEYS[this.key], value);
    });
    model.locks[this.key] = lock;
    model.values[this.key].set(startTs, value);
    model.txns.push({ key: this.key, startTs });
  }
  toString(): string {
    return `begin(${this.key}, ${this.value})`;
  }
}

/** The oldest unfinished transaction on some key ends: committed as a put or a delete, or rolled back. */
class Finish implements fc.AsyncCommand<MvccModel, TxnFixture> {
  constructor(
    readonly pick: number,
    readonly how: 'put' | 'delete' | 'rollback',
  ) {}
  check(model: Readonly<MvccModel>): boolean {
    return model.txns.some((txn) => txn.outcome === undefined);
  }
  async run(model: MvccModel, fixture: TxnFixture): Promise<void> {
    const open = model.txns.filter((txn) => txn.outcome === undefined);
    const txn = open[this.pick % open.length];
    const key = ADJACENT_KEYS[txn.key];
    if (this.how === 'rollback') {
      model.trail.push(`rollback(${keyName(txn.key)} @${txn.startTs})`);
      await applyTxn(fixture.memory, txn.startTs, (mvcc) => {
        mvcc.deleteLock(key);
        mvcc.deleteValue(key);
        mvcc.putWrite(key, txn.startTs, new Write(txn.startTs, WriteKind.Rollback));
      });
      model.values[txn.key].delete(txn.startTs);
      model.records[txn.key].push({ startTs: txn.startTs, commitTs: txn.startTs, kind: WriteKind.Rollback });
      txn.outcome = 'rolled back';
    } else {
      const commitTs = ++model.clock;
      const kind = this.how === 'put' ? WriteKind.Put : WriteKind.Delete;
      model.trail.push(`commit(${keyName(txn.key)} @${txn.startTs}->${commitTs} as ${this.how})`);
      await applyTxn(fixture.memory, txn.startTs, (mvcc) => {
        mvcc.deleteLock(key);
        if (kind === WriteKind.Delete) mvcc.deleteValue(key);
        mvcc.putWrite(key, commitTs, new Write(txn.startTs, kind));
      });
      if (kind === WriteKind.Delete) model.values[txn.key].delete(txn.startTs);
      model.records[txn.key].push({ startTs: txn.startTs, commitTs, kind });
      txn.outcome = 'committed';
    }
    model.locks[txn.key] = undefined;
  }
  toString(): string {
    return `finish(${this.pick}, ${this.how})`;
  }
}

/** Lets time pass: the next timestamps are further apart (reads land between versions). */
class Wait implements fc.AsyncCommand<MvccModel, TxnFixture> {
  constructor(readonly ticks: number) {}
  check(): boolean {
    return true;
  }
  async run(model: MvccModel): Promise<void> {
    model.clock += this.ticks;
  }
  toString(): string {
    return `wait(${this.ticks})`;
  }
}

/** A `tsPick` that reads at every interesting ts. */
const EVERY_TS = -1;

/** Every start and commit ts of this key, one either side, 0 and past the clock, in order. */
function interestingStamps(model: MvccModel, key: number): number[] {
  const stamps = new Set<number>([0, model.clock + 1]);
  for (const record of model.records[key]) for (const ts of [record.startTs, record.commitTs]) for (const d of [-1, 0, 1]) stamps.add(Math.max(0, ts + d));
  for (const txn of model.txns) if (txn.key === key) stamps.add(txn.startTs);
  return [...stamps].sort((a, b) => a - b);
}

/** Reads one key at one ts (or at every interesting ts) with every read method and compares with the model. */
class Read implements fc.AsyncCommand<MvccModel, TxnFixture> {
  constructor(
    readonly key: number,
    readonly tsPick: number,
  ) {}
  check(): boolean {
    return true;
  }
  async run(model: MvccModel, fixture: TxnFixture): Promise<void> {
    const stamps = interestingStamps(model, this.key);
    if (this.tsPick === EVERY_TS) {
      for (const readTs of stamps) await this.readAt(model, fixture, readTs);
    } else {
      await this.readAt(model, fixture, stamps[this.tsPick % stamps.length]);
    }
  }

  private async readAt(model: MvccModel, fixture: TxnFixture, readTs: number): Promise<void> {
    const key = ADJACENT_KEYS[this.key];
    model.trail.push(`read(${keyName(this.key)} @${readTs})`);
    const seen = await withTxn(fixture.memory, readTs, (txn) => ({
      value: txn.getValue(key),
      lock: txn.getLock(key),
      current: txn.currentWrite(key),
      recent: txn.mostRecentWrite(key),
    }));
    const where = `key ${keyName(this.key)} read at ts ${readTs} (its records: ${model.records[this.key].map((r) => `${WriteKind[r.kind]} ${r.startTs}->${r.commitTs}`).join(', ') || 'none'})`;
    const expectedValue = modelValue(model, this.key, readTs);
    if (!sameBuffer(seen.value, expectedValue)) {
      fail(model, `getValue of ${where} returned ${describeBuffer(seen.value)}, expected ${describeBuffer(expectedValue)}: the value of the put committed last at or before the start ts, skipping rollbacks; a delete hides older values; never another key's.`);
    }
    const expectedLock = model.locks[this.key];
    if (JSON.stringify(seen.lock) !== JSON.stringify(expectedLock)) fail(model, `getLock of ${where} returned ${JSON.stringify(seen.lock)}, expected ${JSON.stringify(expectedLock)}.`);
    const current = model.records[this.key].find((record) => record.startTs === readTs);
    if (describeWriteAt(seen.current) !== toWriteAt(current)) {
      fail(model, `currentWrite of ${where} returned ${describeWriteAt(seen.current)}, expected ${toWriteAt(current)}: the record whose start ts is this transaction's, rollbacks included.`);
    }
    const recent = [...model.records[this.key]].sort((a, b) => b.commitTs - a.commitTs)[0];
    if (describeWriteAt(seen.recent) !== toWriteAt(recent)) {
      fail(model, `mostRecentWrite of ${where} returned ${describeWriteAt(seen.recent)}, expected ${toWriteAt(recent)}: the newest record of this key, whatever its ts.`);
    }
  }
  toString(): string {
    return `read(${this.key}, ${this.tsPick})`;
  }
}

function sameBuffer(a: Buffer | undefined, b: Buffer | undefined): boolean {
  return a === undefined || b === undefined ? a === b : a.equals(b);
}

function describeBuffer(value: Buffer | undefined): string {
  return value === undefined ? 'undefined' : `<${value.toString('hex')}>`;
}

const keyIndex = fc.integer({ min: 0, max: ADJACENT_KEYS.length - 1 });

/** The command mix: many versions per key, overlapping transactions, and reads everywhere. */
export const mvccCommands = fc.commands(
  [
    fc.tuple(keyIndex, fc.integer({ min: 0, max: 255 })).map(([key, value]) => new Begin(key, value)),
    fc.tuple(keyIndex, fc.integer({ min: 0, max: 255 })).map(([key, value]) => new Begin(key, value)),
    fc.tuple(fc.nat(), fc.constantFrom('put' as const, 'put' as const, 'delete' as const, 'rollback' as const)).map(([pick, how]) => new Finish(pick, how)),
    fc.tuple(fc.nat(), fc.constantFrom('put' as const, 'delete' as const, 'rollback' as const)).map(([pick, how]) => new Finish(pick, how)),
    fc.integer({ min: 1, max: 3 }).map((ticks) => new Wait(ticks)),
    fc.tuple(keyIndex, fc.nat()).map(([key, pick]) => new Read(key, pick)),
    fc.tuple(keyIndex, fc.nat()).map(([key, pick]) => new Read(key, pick)),
  ],
  // Longer programs than fast-check's default size, so that each key gathers many versions.
  { maxCommands: 120, size: 'large' },
);

/** A fresh engine and an empty model. */
export function newMvccWorld(): { model: MvccModel; real: TxnFixture } {
  const count = ADJACENT_KEYS.length;
  return {
    model: {
      clock: 0,
      records: Array.from({ length: count }, () => []),
      values: Array.from({ length: count }, () => new Map<number, Buffer>()),
      locks: Array.from({ length: count }, () => undefined),
      txns: [],
      trail: [],
    },
    real: new TxnFixture(),
  };
}

/**
 * Runs `numRuns` generated programs under fast-check's `seed`; after each, every key is read
 * at every interesting ts. @throws Error (fast-check's report: the seed, the shrunk program and what differed).
 */
export async function checkMvccAgainstModel(seed: number, numRuns: number): Promise<void> {
  const finalReads = ADJACENT_KEYS.map((_, key) => new Read(key, EVERY_TS));
  // Outside fast-check first, so that a stub's NotImplementedError reaches the student as it is.
  const first = newMvccWorld();
  await new Begin(0, 1).run(first.model, first.real);
  await new Finish(0, 'put').run(first.model, first.real);
  await new Read(0, EVERY_TS).run(first.model, first.real);
  await fc.assert(
    fc.asyncProperty(mvccCommands, async (commands) => {
      await fc.asyncModelRun(newMvccWorld, [...commands, ...finalReads]);
    }),
    { seed, numRuns, includeErrorInReport: true },
  );
}
