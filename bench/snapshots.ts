/**
 * Benchmark section `snapshots` (stage 2C and 3B): what a region snapshot costs as the region
 * grows (1k, 10k and 100k keys) — building it (scan + encode, the snapshot worker's work), sending
 * it (its size and the virtual time a link takes for it), installing it (decode + one kv write,
 * the peer storage's work) — and seeds per minute of the hardest 2C and 3B scenarios on one core.
 * Written against ../labs paths: it runs inside the reference workspace.
 *
 * @module
 */
import { CF_DEFAULT } from '../labs/common/engine/engine';
import { MemoryEngine } from '../labs/common/engine/memory-engine';
import { WriteBatch } from '../labs/common/engine/write-batch';
import { dataKey } from '../labs/common/raftstore/meta-keys';
import type { Region } from '../labs/common/raftstore/region';
import { encodeSnapshotData, regionPairs } from '../labs/common/raftstore/snapshot-data';
import { bootstrapStore } from '../labs/2b-raftstore/src/bootstrap';
import { PeerStorage } from '../labs/2b-raftstore/src/peer-storage';
import { SNAPSHOT_BYTES_PER_MS } from '../labs/2b-raftstore/testkit/cluster';
import { runScenario, type ScenarioOptions } from '../labs/2b-raftstore/testkit/scenario';
import type { BenchRow } from './bench-row';

const REGION: Region = { id: 1, startKey: Buffer.alloc(0), endKey: Buffer.alloc(0), epoch: { confVer: 1, version: 1 }, peers: [{ id: 1, storeId: 1 }] };

const HARDEST_2C: ScenarioOptions = { name: 'bench: 2C unreliable, recover, partitions', clientCount: 5, unreliable: true, crash: true, partitions: true, maxRaftLogEntries: 20 };
const HARDEST_3B: ScenarioOptions = { name: 'bench: 3B everything', clientCount: 5, split: true, confChange: true, maxRaftLogEntries: 100, unreliable: true, crash: true, partitions: true };

function msSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e6;
}

function filledEngine(keys: number): MemoryEngine {
  const kv = new MemoryEngine();
  const batch = new WriteBatch();
  for (let i = 0; i < keys; i++) batch.put(CF_DEFAULT, dataKey(Buffer.from(`key-${String(i).padStart(7, '0')}`)), Buffer.from(`value-${i}-${'x'.repeat(16)}`));
  kv.write(batch);
  return kv;
}

function snapshotRows(keys: number): BenchRow[] {
  const kv = filledEngine(keys);
  let started = process.hrtime.bigint();
  const view = kv.view();
  const data = encodeSnapshotData({ region: REGION, pairs: regionPairs(view, REGION) });
  view.close();
  const buildMs = msSince(started);
  const engines = { kv: new MemoryEngine(), raft: new MemoryEngine() };
  bootstrapStore(engines, REGION);
  const storage = new PeerStorage(engines, REGION, '[bench]');
  started = process.hrtime.bigint();
  const raftBatch = new WriteBatch();
  storage.applySnapshot({ data, metadata: { index: 10, term: 1, confState: { nodes: [1] } } }, raftBatch);
  engines.raft.write(raftBatch);
  const applyMs = msSince(started);
  const label = `${keys.toLocaleString('en-US')} keys`;
  return [
    { section: 'snapshots', name: `build (scan + encode), ${label}`, value: buildMs, unit: 'ms', note: `${(data.length / 1e6).toFixed(2)} MB` },
    { section: 'snapshots', name: `send, ${label}`, value: Math.floor(data.length / SNAPSHOT_BYTES_PER_MS), unit: 'virtual ms', note: `link time in the simulation (${SNAPSHOT_BYTES_PER_MS} bytes per virtual ms)` },
    { section: 'snapshots', name: `install (decode + write), ${label}`, value: applyMs, unit: 'ms', note: 'the reference PeerStorage.applySnapshot' },
  ];
}

async function seedsPerMinute(options: ScenarioOptions, seeds: number): Promise<number> {
  await runScenario(options, 1000); // warm-up
  const started = process.hrtime.bigint();
  for (let seed = 1; seed <= seeds; seed++) await runScenario(options, seed);
  return seeds / (msSince(started) / 60_000);
}

/** Runs the snapshots section. */
export async function run(): Promise<BenchRow[]> {
  const rows = [1_000, 10_000, 100_000].flatMap(snapshotRows);
  rows.push({ section: 'snapshots', name: 'seeds of the hardest 2C scenario', value: await seedsPerMinute(HARDEST_2C, 10), unit: 'seeds/min', note: 'unreliable + crash + partitions, log limit 20, one core; target >= 100' });
  rows.push({ section: 'snapshots', name: 'seeds of the hardest 3B scenario', value: await seedsPerMinute(HARDEST_3B, 10), unit: 'seeds/min', note: 'split + conf change + compaction + unreliable + crash + partitions, one core; target >= 60' });
  return rows;
}
