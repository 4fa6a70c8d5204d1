/**
 * Regions: the unit of replication of the raftstore (TinyKV's `metapb.Region`).
 *
 * @module
 */

/** One replica of a region: a peer id (the Raft node id) living on a store. */
export interface PeerMeta {
  /** The peer's id, also its Raft node id (ids start at 1). */
  readonly id: number;
  /** The store (machine) that hosts this peer. */
  readonly storeId: number;
}

/**
 * A region's version numbers. `confVer` grows with every membership change (3B), `version`
 * with every split or merge (3B). A request carrying an older epoch is refused with
 * `epoch-not-match`: the client's idea of the region is out of date.
 */
export interface RegionEpoch {
  /** Bumped by every conf change. */
  readonly confVer: number;
  /** Bumped by every split. */
  readonly version: number;
}

/**
 * A contiguous key range `[startKey, endKey)` replicated by one Raft group. An empty
 * `endKey` means "to the end of the key space"; an empty `startKey` means "from the first key".
 */
export interface Region {
  /** The region's id (ids start at 1). */
  readonly id: number;
  /** The first key the region holds (inclusive). */
  readonly startKey: Buffer;
  /** The first key it no longer holds (exclusive); empty for "no upper bound". */
  readonly endKey: Buffer;
  /** The region's epoch. */
  readonly epoch: RegionEpoch;
  /** Every replica of the region. */
  readonly peers: readonly PeerMeta[];
}

/** True when `key` lies in `[region.startKey, region.endKey)`. */
export function keyInRegion(key: Buffer, region: Region): boolean {
  if (Buffer.compare(key, region.startKey) < 0) return false;
  return region.endKey.length === 0 || Buffer.compare(key, region.endKey) < 0;
}

/** True when both epochs are the same. */
export function regionEpochEquals(a: RegionEpoch, b: RegionEpoch): boolean {
  return a.confVer === b.confVer && a.version === b.version;
}

/** The region's replica with id `peerId`, or undefined when the region has none. */
export function findPeer(region: Region, peerId: number): PeerMeta | undefined {
  return region.peers.find((peer) => peer.id === peerId);
}

/** The region's replica on store `storeId`, or undefined when the store holds none. */
export function findPeerOnStore(region: Region, storeId: number): PeerMeta | undefined {
  return region.peers.find((peer) => peer.storeId === storeId);
}

/**
 * Serialises a region for the region-state record (JSON with hex keys).
 *
 * @returns the bytes of the record.
 */
export function encodeRegion(region: Region): Buffer {
  return Buffer.from(
    JSON.stringify({
      id: region.id,
      startKey: region.startKey.toString('hex'),
      endKey: region.endKey.toString('hex'),
      epoch: region.epoch,
      peers: region.peers,
    }),
  );
}

/**
 * Reads back a region written by {@link encodeRegion}.
 *
 * @throws Error when the bytes are not a region record.
 */
export function decodeRegion(bytes: Buffer): Region {
  const raw = JSON.parse(bytes.toString('utf8')) as { id: number; startKey: string; endKey: string; epoch: RegionEpoch; peers: PeerMeta[] };
  if (typeof raw.id !== 'number' || !Array.isArray(raw.peers)) {
    throw new Error('The region-state record is corrupt: it has no region id or peer list.');
  }
  return {
    id: raw.id,
    startKey: Buffer.from(raw.startKey, 'hex'),
    endKey: Buffer.from(raw.endKey, 'hex'),
    epoch: { confVer: raw.epoch.confVer, version: raw.epoch.version },
    peers: raw.peers.map((peer) => ({ id: peer.id, storeId: peer.storeId })),
  };
}

/**
 * The record a store keeps in place of a region it no longer replicates (3B: its peer was
 * removed, or the region moved away): the region as it was last known, marked as a tombstone, so
 * that a delayed message from the old group does not recreate the peer. Layout: the region's
 * JSON (see {@link encodeRegion}) with `"tombstone": true` and `"destroyedPeerId"`: a message
 * for that peer id (or an older one) is stale; only a newer peer id of the store may be created.
 */
export function encodeTombstone(region: Region, destroyedPeerId: number): Buffer {
  const record = JSON.parse(encodeRegion(region).toString('utf8')) as Record<string, unknown>;
  return Buffer.from(JSON.stringify({ ...record, tombstone: true, destroyedPeerId }));
}

/** True when a region-state record is a tombstone written by {@link encodeTombstone}. */
export function isTombstoneRecord(bytes: Buffer): boolean {
  return (JSON.parse(bytes.toString('utf8')) as { tombstone?: unknown }).tombstone === true;
}

/** True when `region` has no peers yet: a peer created by a message, waiting for its first snapshot (3B). */
export function isUninitialized(region: Region): boolean {
  return region.peers.length === 0;
}

/** True when the two regions' key ranges share at least one key (empty end key: no upper bound). */
export function rangesOverlap(a: Region, b: Region): boolean {
  const aEndsBeforeB = a.endKey.length > 0 && Buffer.compare(a.endKey, b.startKey) <= 0;
  const bEndsBeforeA = b.endKey.length > 0 && Buffer.compare(b.endKey, a.startKey) <= 0;
  return !aEndsBeforeB && !bEndsBeforeA;
}

/** True when epoch `a` is older than `b` in either counter (a request or message built on `a` is stale). */
export function isEpochStale(a: RegionEpoch, b: RegionEpoch): boolean {
  return a.confVer < b.confVer || a.version < b.version;
}

/** Describes a region in one line: `region 1 [, ) epoch 1/1 peers 1@1,2@2`. */
export function describeRegion(region: Region): string {
  const peers = region.peers.map((peer) => `${peer.id}@${peer.storeId}`).join(',');
  return `region ${region.id} [${region.startKey.toString('latin1')}, ${region.endKey.toString('latin1')}) epoch ${region.epoch.confVer}/${region.epoch.version} peers ${peers}`;
}
