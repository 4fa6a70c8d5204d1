// Goal: log compaction and snapshots in the raftstore, end to end (TinyKV's TestOneSnapshot2C
// and what it leaves out): a store cut off while the others write past the GC limit catches up
// by a snapshot and keeps it across a restart; CompactLog moves the truncated state forward only
// and the raft-log GC deletes what it covers; a store restarted right after compaction reads
// nothing it deleted; a crash at any engine write of a snapshot install recovers.
// Method: 3-store clusters in virtual time with `raftLogGcCountLimit` set, faults placed by hand,
// the stores' durable engines read directly, and every history checked for linearizability and
// durability at the end (cluster.assertSafe()).
import { CF_DEFAULT, CF_LOCK } from '../../common/engine/engine';
import { MessageType } from '../../common/raft/message';
import { dataKey, raftLogKey } from '../../common/raftstore/meta-keys';
import { findPeerOnStore, type PeerMeta } from '../../common/raftstore/region';
import type { StoreMessage } from '../../common/raftstore/store-message';
import { forEachSeed } from '../../common/testkit/seeds';
import { Cluster } from '../../2b-raftstore/testkit/cluster';

const text = (value: string): Buffer => Buffer.from(value);
const LIMIT = 10;

function compactingCluster(seed: number, storeCount = 3): Cluster {
  const cluster = new Cluster({ seed, storeCount, config: { raftLogGcCountLimit: LIMIT } });
  cluster.start();
  return cluster;
}

async function mustPut(cluster: Cluster, key: string, value: string, clientId = 1): Promise<void> {
  await cluster.run(cluster.client(clientId).mustPut(text(key), text(value)), 20_000, `put ${key}=${value}`);
}

/** The value of user key `key` in store `storeId`'s durable kv engine (what survives a crash). */
function storedValue(cluster: Cluster, storeId: number, key: string, cf: typeof CF_DEFAULT | typeof CF_LOCK = CF_DEFAULT): string | undefined {
  return cluster.durableEngines(storeId).kv.get(cf, dataKey(text(key)))?.toString('latin1');
}

/** Counts the MsgSnapshot messages delivered to `storeId` from now on. */
function countSnapshotsDelivered(cluster: Cluster, storeId: number): () => number {
  let delivered = 0;
  cluster.onDelivery((to, message: StoreMessage) => {
    if (to === storeId && message.message.msgType === MessageType.MsgSnapshot) delivered++;
  });
  return () => delivered;
}

/** Every store's applied − truncated stays within twice the limit (TinyKV's "logs were not trimmed"). */
function expectLogsTrimmed(cluster: Cluster): void {
  for (const storeId of cluster.storeIds()) {
    for (const state of cluster.applyStates(storeId)) {
      expect({ store: storeId, region: state.regionId, untrimmedEntries: state.appliedIndex - state.truncatedIndex <= 2 * LIMIT }).toEqual({
        store: storeId,
        region: state.regionId,
        untrimmedEntries: true,
      });
    }
  }
}

describe('[2C] snapshots in the raftstore', () => {
  test('[2C] a store cut off while the others write past the GC limit catches up by a snapshot, and keeps it across a restart', () =>
    forEachSeed(3, async (seed) => {
      const cluster = compactingCluster(seed);
      const leader = await cluster.waitForLeader();
      const lagging = cluster.storeIds().find((id) => id !== leader) as number;
      await mustPut(cluster, 'k1', 'v1');
      await mustPut(cluster, 'k2', 'v2');
      cluster.network.isolate(lagging);
      for (let i = 3; i <= 30; i++) await mustPut(cluster, `k${i}`, `v${i}`);
      await cluster.run(
        (async () => {
          while ((await cluster.client(1).delete(text('k2'))).outcome !== 'ok');
        })(),
        20_000,
        'the delete of k2',
      );
      await cluster.runFor(500);
      expect({ store: lagging, k30: storedValue(cluster, lagging, 'k30') }).toEqual({ store: lagging, k30: undefined });
      // The others compacted past what the lagging store has: only a snapshot can catch it up.
      const others = cluster.storeIds().filter((id) => id !== lagging);
      for (const storeId of others) {
        const [state] = cluster.applyStates(storeId);
        expect({ store: storeId, compacted: state.truncatedIndex > 2 }).toEqual({ store: storeId, compacted: true });
      }
      const snapshots = countSnapshotsDelivered(cluster, lagging);
      cluster.network.heal();
      await cluster.runFor(1_000);
      expect({ store: lagging, snapshotsDelivered: snapshots() > 0 }).toEqual({ store: lagging, snapshotsDelivered: true });
      // k2 was deleted while the store was away: the snapshot must also remove what it no longer holds.
      const expected = { k1: 'v1', k2: undefined, k30: 'v30' };
      const stored = () => ({ store: lagging, k1: storedValue(cluster, lagging, 'k1'), k2: storedValue(cluster, lagging, 'k2'), k30: storedValue(cluster, lagging, 'k30') });
      expect(stored()).toEqual({ store: lagging, ...expected });
      cluster.crash(lagging, 'the test restarts the store that installed the snapshot');
      cluster.restart(lagging);
      await mustPut(cluster, 'after-restart', 'yes', 2);
      await cluster.runFor(1_000);
      expect(stored()).toEqual({ store: lagging, ...expected });
      expect({ store: lagging, afterRestart: storedValue(cluster, lagging, 'after-restart') }).toEqual({ store: lagging, afterRestart: 'yes' });
      expectLogsTrimmed(cluster);
      cluster.assertSafe();
    }));

  test('[2C] applying CompactLog moves the truncated state forward (never back) with the applied index, and the GC deletes the compacted entries from the raft engine', () =>
    forEachSeed(2, async (seed) => {
      const cluster = compactingCluster(seed);
      await cluster.waitForLeader();
      for (let i = 1; i <= 4 * LIMIT; i++) await mustPut(cluster, `k${i % 5}`, `v${i}`);
      await cluster.runFor(1_000);
      for (const storeId of cluster.storeIds()) {
        const [state] = cluster.applyStates(storeId);
        expect({ store: storeId, truncatedPastLimit: state.truncatedIndex >= LIMIT, truncatedAtMostApplied: state.truncatedIndex <= state.appliedIndex }).toEqual({
          store: storeId,
          truncatedPastLimit: true,
          truncatedAtMostApplied: true,
        });
        const raft = cluster.durableEngines(storeId).raft;
        // Every entry the truncated state covers is gone from the raft engine.
        const left = [1, Math.floor(state.truncatedIndex / 2), state.truncatedIndex].filter((index) => raft.get(CF_DEFAULT, raftLogKey(state.regionId, index)) !== undefined);
        expect({ store: storeId, compactedEntriesLeft: left }).toEqual({ store: storeId, compactedEntriesLeft: [] });
        // And the entries after it are still there.
        if (state.appliedIndex > state.truncatedIndex) {
          expect({ store: storeId, firstKeptEntry: raft.get(CF_DEFAULT, raftLogKey(state.regionId, state.truncatedIndex + 1)) !== undefined }).toEqual({
            store: storeId,
            firstKeptEntry: true,
          });
        }
      }
      expectLogsTrimmed(cluster);
      // An old CompactLog applied after a newer one (a former leader's, or a delayed one) must not
      // move the truncated state back to entries the GC already deleted.
      const leader = await cluster.waitForLeader();
      const before = cluster.applyStates(leader)[0];
      const seen = new Map(cluster.storeIds().map((storeId) => [storeId, cluster.applyStates(storeId)[0].truncatedIndex]));
      const peer = findPeerOnStore(cluster.region, leader) as PeerMeta;
      // Sent, then driven below in small steps (not through cluster.run, which would drive it whole).
      let answered: { error?: string } | undefined;
      void cluster
        .sendCommand(leader, { header: { regionId: cluster.region.id, peer, regionEpoch: cluster.region.epoch, term: 0 }, requests: [], adminRequest: { cmdType: 'compactLog', compactIndex: 2, compactTerm: before.truncatedTerm } }, 5_000)
        .then((response) => (answered = { error: response.header.error?.kind }), (error: Error) => (answered = { error: error.message }));
      // Every store is watched closely while the stale command is applied: the next GC tick
      // would compact again and hide a step back.
      for (let waited = 0; waited <= 300; waited += 2) {
        for (const storeId of cluster.storeIds()) {
          const now = cluster.applyStates(storeId)[0].truncatedIndex;
          expect({ store: storeId, atVirtualMs: waited, truncatedMovedBack: now < seen.get(storeId)! }).toEqual({ store: storeId, atVirtualMs: waited, truncatedMovedBack: false });
          seen.set(storeId, now);
        }
        await cluster.runFor(2);
      }
      expect({ staleCompactLogAnswered: answered }).toEqual({ staleCompactLogAnswered: { error: undefined } });
      cluster.assertSafe();
    }));

  test('[2C] a store restarted right after its log was compacted starts from its truncated state and reads no deleted entry', () =>
    forEachSeed(3, async (seed) => {
      const cluster = compactingCluster(seed);
      await cluster.waitForLeader();
      for (let i = 1; i <= 3 * LIMIT; i++) await mustPut(cluster, `k${i % 4}`, `v${i}`);
      await cluster.runFor(500);
      for (const storeId of cluster.storeIds()) {
        cluster.crash(storeId, 'the test restarts every store right after compaction');
        cluster.restart(storeId);
      }
      await mustPut(cluster, 'k0', 'after', 2);
      await cluster.runFor(500);
      for (const storeId of cluster.storeIds()) expect({ store: storeId, k0: storedValue(cluster, storeId, 'k0') }).toEqual({ store: storeId, k0: 'after' });
      cluster.assertSafe();
    }));

  test('[2C] a store that crashes at any engine write while installing a snapshot recovers to a consistent store', () =>
    forEachSeed(1, async (seed) => {
      // Exhaustive over the writes of one small install: crash at write 1, 2, ... of the store
      // from the moment the snapshot reaches it, until a crash point falls after the store
      // went quiet (the install and what follows it are all covered).
      for (let crashAt = 1; ; crashAt++) {
        const cluster = compactingCluster(seed);
        const leader = await cluster.waitForLeader();
        const lagging = cluster.storeIds().find((id) => id !== leader) as number;
        await mustPut(cluster, 'a', 'before');
        cluster.network.isolate(lagging);
        for (let i = 1; i <= 2 * LIMIT; i++) await mustPut(cluster, `k${i % 3}`, `v${i}`);
        await cluster.runFor(300);
        let armed = false;
        const remove = cluster.onDelivery((to, message) => {
          if (armed || to !== lagging || message.message.msgType !== MessageType.MsgSnapshot) return;
          armed = true;
          const node = cluster.node(lagging);
          node.crashAtWrite(node.writeCount + crashAt);
          remove();
        });
        cluster.network.heal();
        await cluster.runFor(1_000);
        expect({ crashAt, snapshotReachedTheStore: armed }).toEqual({ crashAt, snapshotReachedTheStore: true });
        const crashedDuringInstall = !cluster.node(lagging).isUp;
        // Past the last write of the install the armed crash would hit a later write: end here.
        if (!crashedDuringInstall) {
          expect({ crashAt, installWritesCovered: crashAt > 2 }).toEqual({ crashAt, installWritesCovered: true });
          cluster.assertSafe();
          break;
        }
        cluster.restart(lagging);
        await mustPut(cluster, 'a', 'after', 2);
        await cluster.runFor(1_500);
        expect({ crashAt, store: lagging, a: storedValue(cluster, lagging, 'a'), k1: storedValue(cluster, lagging, 'k1') }).toEqual({
          crashAt,
          store: lagging,
          a: 'after',
          k1: storedValue(cluster, leader, 'k1'),
        });
        cluster.assertSafe();
      }
    }));
});
