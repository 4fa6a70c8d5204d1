/**
 * Benchmark section `txn`: committed Percolator transactions per second on the stage 4 server
 * over in-memory storage, uncontended and contended.
 *
 * Run it inside the reference workspace (the lead wires it into `npm run bench`): on the
 * student stubs every command throws.
 *
 * - uncontended: one client commits transactions of two fresh keys each, one after another;
 * - contended: 8 clients run concurrently (interleaved at every await) read-modify-write
 *   transactions over 4 hot keys; conflicts abort, live locks are retried after the clock moves.
 *
 * @module
 */
import { MemoryKvStorage } from '../labs/common/storage/memory-kv-storage';
import { PercolatorClient, TimestampOracle } from '../labs/common/testkit/percolator-client';
import { createRng } from '../labs/common/runtime/rng';
import { TxnServer } from '../labs/4-txn/src/txn-server';
import type { BenchRow } from './bench-row';

const UNCONTENDED_TRANSACTIONS = 5_000;
const CONTENDED_CLIENTS = 8;
const CONTENDED_ATTEMPTS_PER_CLIENT = 500;
const HOT_KEYS = 4;

function elapsedSeconds(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}

async function uncontended(): Promise<BenchRow> {
  const client = new PercolatorClient(new TxnServer(new MemoryKvStorage()), new TimestampOracle(), { lockTtlMs: 3 });
  const started = process.hrtime.bigint();
  let committed = 0;
  for (let i = 0; i < UNCONTENDED_TRANSACTIONS; i++) {
    const txn = client.begin();
    txn.set(`a${i}`, `value-${i}`);
    txn.set(`b${i}`, `value-${i}`);
    if (await txn.commit()) committed += 1;
  }
  const seconds = elapsedSeconds(started);
  return {
    section: 'txn',
    name: 'uncontended commits',
    value: Math.round(committed / seconds),
    unit: 'txns/s',
    note: `${committed} transactions of 2 fresh keys, one client, in-memory storage`,
  };
}

async function contended(): Promise<BenchRow> {
  const oracle = new TimestampOracle();
  const client = new PercolatorClient(new TxnServer(new MemoryKvStorage()), oracle, { lockTtlMs: 3 });
  const rng = createRng(42);
  let committed = 0;
  let aborted = 0;
  const runClient = async (clientRng: ReturnType<typeof createRng>) => {
    for (let attempt = 0; attempt < CONTENDED_ATTEMPTS_PER_CLIENT; attempt++) {
      const txn = client.begin();
      const key = `hot${clientRng.int(0, HOT_KEYS - 1)}`;
      const other = `hot${clientRng.int(0, HOT_KEYS - 1)}`;
      const read = await txn.get(key);
      if (read === 'blocked') {
        oracle.advance(1);
        aborted += 1;
        continue;
      }
      txn.set(key, `${read.value ?? ''}+`.slice(-32));
      txn.set(other, `by-${attempt}`);
      if (await txn.commit(5)) committed += 1;
      else aborted += 1;
    }
  };
  const started = process.hrtime.bigint();
  await Promise.all(Array.from({ length: CONTENDED_CLIENTS }, (_, index) => runClient(rng.split(`client-${index}`))));
  const seconds = elapsedSeconds(started);
  return {
    section: 'txn',
    name: 'contended commits',
    value: Math.round(committed / seconds),
    unit: 'txns/s',
    note: `${CONTENDED_CLIENTS} concurrent clients on ${HOT_KEYS} hot keys: ${committed} committed, ${aborted} aborted`,
  };
}

/** Runs both workloads on the reference server. */
export async function run(): Promise<BenchRow[]> {
  return [await uncontended(), await contended()];
}
