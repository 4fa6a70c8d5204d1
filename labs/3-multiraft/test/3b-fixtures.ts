/**
 * Helpers the 3B tests share: a multi-region cluster, reads of what stores hold, and waits.
 * Provided; students read it to understand the tests.
 *
 * @module
 */
import { CF_DEFAULT } from '../../common/engine/engine';
import { dataKey } from '../../common/raftstore/meta-keys';
import type { RaftCmdRequest } from '../../common/raftstore/raft-cmd';
import { findPeerOnStore, type PeerMeta, type Region } from '../../common/raftstore/region';
import { Cluster, type ClusterOptions } from '../../2b-raftstore/testkit/cluster';
import type { RaftstoreConfig } from '../../2b-raftstore/src/raftstore-config';

export const text = (value: string): Buffer => Buffer.from(value);

/** A started cluster whose stores talk to the (mock) scheduler, as 3B needs. */
export function multiRegionCluster(seed: number, storeCount = 5, config: Partial<RaftstoreConfig> = {}, options: Partial<ClusterOptions> = {}): Cluster {
  const cluster = new Cluster({ seed, storeCount, config, schedulerHeartbeats: true, ...options });
  cluster.start();
  return cluster;
}

/** Puts until it succeeds (each attempt recorded in the history). */
export async function mustPut(cluster: Cluster, key: string, value: string, clientId = 1): Promise<void> {
  await cluster.run(cluster.client(clientId).mustPut(text(key), text(value)), 30_000, `put ${key}=${value}`);
}

/** Gets until it succeeds; the value as a string, or undefined when absent. */
export async function mustGet(cluster: Cluster, key: string, clientId = 1): Promise<string | undefined> {
  return (await cluster.run(cluster.client(clientId).mustGet(text(key)), 30_000, `get ${key}`))?.toString('latin1');
}

/** The value of user key `key` in store `storeId`'s durable kv engine (what survives a crash). */
export function storedValue(cluster: Cluster, storeId: number, key: string): string | undefined {
  return cluster.durableEngines(storeId).kv.get(CF_DEFAULT, dataKey(text(key)))?.toString('latin1');
}

/** Runs the simulation until `condition` holds (checked every 50 virtual ms) or fails the test with `what`. */
export async function eventually(cluster: Cluster, condition: () => boolean, what: string, timeoutMs = 5_000): Promise<void> {
  const deadline = cluster.runtime.now() + timeoutMs;
  while (!condition()) {
    if (cluster.runtime.now() >= deadline) throw cluster.failure('liveness', `After ${timeoutMs} virtual ms, still not true: ${what}.`);
    await cluster.runFor(50);
  }
}

/** The store leading region `regionId`, waiting (in virtual time) while none is elected. */
export async function regionLeader(cluster: Cluster, regionId: number, timeoutMs = 5_000): Promise<number> {
  await eventually(cluster, () => cluster.leaderOf(regionId) !== undefined, `region ${regionId} has a leader`, timeoutMs);
  return cluster.leaderOf(regionId) as number;
}

/** The region as the scheduler knows it. @throws Error when it knows none with this id. */
export function regionNow(cluster: Cluster, regionId: number): Region {
  const region = cluster.scheduler.regionById(regionId);
  if (region === undefined) throw new Error(`The scheduler knows no region ${regionId}.`);
  return region;
}

/** Store `storeId`'s peer of region `regionId` as the scheduler knows it. @throws Error when it has none. */
export function peerOn(cluster: Cluster, regionId: number, storeId: number): PeerMeta {
  const peer = findPeerOnStore(regionNow(cluster, regionId), storeId);
  if (peer === undefined) throw new Error(`Region ${regionId} has no peer on store ${storeId}.`);
  return peer;
}

/** A command addressed to region `region`'s peer on `storeId`, with the region's current epoch. */
export function commandTo(region: Region, storeId: number, rest: Omit<RaftCmdRequest, 'header'>): RaftCmdRequest {
  const peer = findPeerOnStore(region, storeId) ?? region.peers[0];
  return { header: { regionId: region.id, peer, regionEpoch: region.epoch, term: 0 }, ...rest };
}
