/**
 * Kit self-test: both engine backends against a plain model, with fast-check.
 *
 * Goal: under any mix of batches (put, delete, deleteRange), snapshots taken at any moment
 * and reads at any later moment, an engine reads exactly what a naive model reads. Method:
 * fast-check generates a program of steps; each step runs on the engine and on the model (a
 * Map per column family, sorted on demand with Buffer.compare) and every read is compared.
 * Keys come from a tiny alphabet of tricky bytes (0x00, 0x01, 0x7f, 0x80, 0xff) and are at
 * most 3 bytes long, so programs hit the same keys, prefixes and range bounds often.
 * Seeded from TINYKV_SEED / TINYKV_SEEDS through forEachSeed; fast-check gets the seed and
 * a modest numRuns explicitly, so a failure replays exactly.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { forEachSeed } from '../../testkit/seeds';
import { COLUMN_FAMILIES } from '../engine';
import type { ColumnFamily, Engine, ReadView } from '../engine';
import { LmdbEngine } from '../lmdb-engine';
import { MemoryEngine } from '../memory-engine';
import { WriteBatch } from '../write-batch';

/** The model: per column family, hex key → value. */
type ModelState = Record<ColumnFamily, Map<string, Buffer>>;

type ModelOp =
  | { readonly kind: 'put'; readonly cf: ColumnFamily; readonly key: Buffer; readonly value: Buffer }
  | { readonly kind: 'delete'; readonly cf: ColumnFamily; readonly key: Buffer }
  | { readonly kind: 'deleteRange'; readonly cf: ColumnFamily; readonly start: Buffer; readonly end: Buffer };

type Step =
  | { readonly kind: 'write'; readonly ops: readonly ModelOp[] }
  | { readonly kind: 'snapshot' }
  | { readonly kind: 'check'; readonly snapshot: number; readonly cf: ColumnFamily; readonly probe: Buffer }
  | { readonly kind: 'release'; readonly snapshot: number };

const keyArbitrary = fc
  .array(fc.constantFrom(0x00, 0x01, 0x7f, 0x80, 0xff), { maxLength: 3 })
  .map((octets) => Buffer.from(octets));
const cfArbitrary = fc.constantFrom(...COLUMN_FAMILIES);
const valueArbitrary = fc.uint8Array({ maxLength: 4 }).map((octets) => Buffer.from(octets));

const opArbitrary: fc.Arbitrary<ModelOp> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('put' as const), cf: cfArbitrary, key: keyArbitrary, value: valueArbitrary }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), cf: cfArbitrary, key: keyArbitrary }) },
  {
    weight: 1,
    arbitrary: fc.record({ cf: cfArbitrary, a: keyArbitrary, b: keyArbitrary }).map(({ cf, a, b }): ModelOp => {
      // Order the bounds; an empty end (either drawn, or kept as is) means "to the end".
      const [start, end] = b.length === 0 || Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
      return { kind: 'deleteRange', cf, start, end };
    }),
  },
);

const stepArbitrary: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('write' as const), ops: fc.array(opArbitrary, { minLength: 1, maxLength: 8 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('snapshot' as const) }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('check' as const), snapshot: fc.nat(), cf: cfArbitrary, probe: keyArbitrary }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const), snapshot: fc.nat() }) },
);

function emptyModel(): ModelState {
  return Object.fromEntries(COLUMN_FAMILIES.map((cf) => [cf, new Map<string, Buffer>()])) as ModelState;
}

function copyModel(model: ModelState): ModelState {
  return Object.fromEntries(COLUMN_FAMILIES.map((cf) => [cf, new Map(model[cf])])) as ModelState;
}

function applyToModel(model: ModelState, op: ModelOp): void {
  const family = model[op.cf];
  if (op.kind === 'put') family.set(op.key.toString('hex'), op.value);
  else if (op.kind === 'delete') family.delete(op.key.toString('hex'));
  else {
    for (const hexKey of [...family.keys()]) {
      const key = Buffer.from(hexKey, 'hex');
      const afterStart = Buffer.compare(key, op.start) >= 0;
      const beforeEnd = op.end.length === 0 || Buffer.compare(key, op.end) < 0;
      if (afterStart && beforeEnd) family.delete(hexKey);
    }
  }
}

/** The model's rows of `cf` with key >= `from`, in bytewise order, as [hex key, hex value]. */
function modelScan(model: ModelState, cf: ColumnFamily, from: Buffer): [string, string][] {
  return [...model[cf].entries()]
    .map(([hexKey, value]) => [Buffer.from(hexKey, 'hex'), value] as const)
    .filter(([key]) => Buffer.compare(key, from) >= 0)
    .sort(([left], [right]) => Buffer.compare(left, right))
    .map(([key, value]) => [key.toString('hex'), value.toString('hex')]);
}

function engineScan(view: ReadView, cf: ColumnFamily, from: Buffer): [string, string][] {
  const iterator = view.iterator(cf);
  const rows: [string, string][] = [];
  iterator.seek(from);
  while (iterator.valid()) {
    rows.push([iterator.key().toString('hex'), iterator.value().toString('hex')]);
    iterator.next();
  }
  iterator.close();
  return rows;
}

/** Runs one generated program on a fresh engine and the model; throws at the first difference. */
function runProgram(engine: Engine, steps: readonly Step[]): void {
  const model = emptyModel();
  // Snapshot 0 is always "the latest data": checked through a fresh view each time.
  const snapshots: { view: ReadView; model: ModelState }[] = [];
  try {
    for (const step of steps) {
      if (step.kind === 'write') {
        const batch = new WriteBatch();
        for (const op of step.ops) {
          if (op.kind === 'put') batch.put(op.cf, op.key, op.value);
          else if (op.kind === 'delete') batch.delete(op.cf, op.key);
          else batch.deleteRange(op.cf, op.start, op.end);
          applyToModel(model, op);
        }
        engine.write(batch);
      } else if (step.kind === 'snapshot') {
        snapshots.push({ view: engine.view(), model: copyModel(model) });
      } else if (step.kind === 'check') {
        const chosen =
          snapshots.length === 0 || step.snapshot % (snapshots.length + 1) === snapshots.length
            ? undefined
            : snapshots[step.snapshot % (snapshots.length + 1)];
        const view = chosen?.view ?? engine.view();
        const expected = chosen?.model ?? model;
        expect(engineScan(view, step.cf, step.probe)).toEqual(modelScan(expected, step.cf, step.probe));
        expect(engineScan(view, step.cf, Buffer.alloc(0))).toEqual(modelScan(expected, step.cf, Buffer.alloc(0)));
        expect(view.get(step.cf, step.probe)?.toString('hex')).toBe(expected[step.cf].get(step.probe.toString('hex'))?.toString('hex'));
        expect(engine.get(step.cf, step.probe)?.toString('hex')).toBe(model[step.cf].get(step.probe.toString('hex'))?.toString('hex'));
        if (chosen === undefined) view.close();
      } else if (snapshots.length > 0) {
        const [released] = snapshots.splice(step.snapshot % snapshots.length, 1);
        released.view.close();
      }
    }
    // Every snapshot still open must still show its own point in time.
    for (const snapshot of snapshots) {
      for (const cf of COLUMN_FAMILIES) {
        expect(engineScan(snapshot.view, cf, Buffer.alloc(0))).toEqual(modelScan(snapshot.model, cf, Buffer.alloc(0)));
      }
    }
  } finally {
    for (const snapshot of snapshots) snapshot.view.close();
  }
}

const programArbitrary = fc.array(stepArbitrary, { minLength: 1, maxLength: 40 });

describe('engine against a model (property)', () => {
  test('memory engine reads what the model reads, for any program of writes, snapshots and seeks', () =>
    forEachSeed(2, (seed) => {
      fc.assert(
        fc.property(programArbitrary, (steps) => {
          const engine = new MemoryEngine();
          try {
            runProgram(engine, steps);
          } finally {
            engine.close();
          }
        }),
        { seed, numRuns: 200 },
      );
    }));

  test('lmdb engine reads what the model reads, for any program of writes, snapshots and seeks', () => {
    const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-engine-model-'));
    let run = 0;
    return forEachSeed(2, (seed) => {
      fc.assert(
        fc.property(programArbitrary, (steps) => {
          const engine = LmdbEngine.open(path.join(directory, `run-${run++}`), { noSync: true });
          try {
            runProgram(engine, steps);
          } finally {
            engine.close();
          }
        }),
        { seed, numRuns: 60 },
      );
    }).finally(() => fs.rmSync(directory, { recursive: true, force: true }));
  });
});
