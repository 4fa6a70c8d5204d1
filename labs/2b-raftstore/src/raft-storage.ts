/**
 * `RaftStorage`: stage 1's `Storage` interface served by a Raft-replicated region (provided).
 *
 * @module
 */
import type { ColumnFamily, EngineIterator, ReadView } from '../../common/engine/engine';
import { EngineError } from '../../common/engine/engine';
import { dataEndKey, dataKey, userKeyOf } from '../../common/raftstore/meta-keys';
import type { RaftCmdRequest, RaftCmdResponse, Request } from '../../common/raftstore/raft-cmd';
import type { RaftstoreError } from '../../common/raftstore/raftstore-error';
import type { PeerMeta, Region, RegionEpoch } from '../../common/raftstore/region';
import type { Modify, RequestContext, Storage, StorageReader } from '../../common/storage/storage';

/** Thrown by {@link RaftStorage} when the region refuses or times out; the server turns it into a `regionError`. */
export class RegionErrorException extends Error {
  /** @param regionError - the raftstore's error. */
  constructor(readonly regionError: RaftstoreError) {
    super(regionError.message);
    this.name = 'RegionErrorException';
  }
}

/** Where a command goes when the request context does not say: the region, its epoch and the peer to address. */
export interface RaftStorageTarget {
  readonly regionId: number;
  readonly regionEpoch: RegionEpoch;
  readonly peer: PeerMeta;
}

/**
 * A {@link Storage} whose writes and reads are raft commands: `write` proposes puts and
 * deletes and resolves once they are applied; `reader` proposes a `snap` and reads the
 * view it returns. The server on top does not know its storage is replicated.
 *
 * @example
 * ```ts
 * const storage = new RaftStorage((request) => cluster.sendCommand(leaderStoreId, request, 1_000), target);
 * await storage.write({}, [{ kind: 'put', cf: 'default', key, value }]);
 * ```
 */
export class RaftStorage implements Storage {
  /**
   * @param execute - sends a command to the store and resolves with its answer.
   * @param target - the region and peer to use when the request context names none.
   */
  constructor(
    private readonly execute: (request: RaftCmdRequest) => Promise<RaftCmdResponse>,
    private readonly target: RaftStorageTarget,
  ) {}

  async start(): Promise<void> {}

  async stop(): Promise<void> {}

  /** @throws RegionErrorException when the region refuses the command or does not answer. */
  async write(ctx: RequestContext, batch: readonly Modify[]): Promise<void> {
    const requests: Request[] = batch.map((modify) =>
      modify.kind === 'put' ? { cmdType: 'put', cf: modify.cf, key: modify.key, value: modify.value } : { cmdType: 'delete', cf: modify.cf, key: modify.key },
    );
    await this.run(ctx, requests);
  }

  /** @throws RegionErrorException when the region refuses the command or does not answer. */
  async reader(ctx: RequestContext): Promise<StorageReader> {
    const response = await this.run(ctx, [{ cmdType: 'snap' }]);
    const snap = response.responses[0];
    if (snap === undefined || snap.cmdType !== 'snap') throw new Error('The store answered a snap command without a snapshot; a command gets one response per request.');
    return new RegionReader(snap.view, snap.region);
  }

  private async run(ctx: RequestContext, requests: Request[]): Promise<RaftCmdResponse> {
    const header = {
      regionId: ctx.regionId ?? this.target.regionId,
      regionEpoch: ctx.regionEpoch ?? this.target.regionEpoch,
      peer: ctx.peer ?? this.target.peer,
      term: 0,
    };
    const response = await this.execute({ header, requests });
    if (response.header.error !== undefined) throw new RegionErrorException(response.header.error);
    return response;
  }
}

/** A stage-1 reader over a kv-engine view: user keys only, bounded by the region. */
class RegionReader implements StorageReader {
  constructor(
    private readonly view: ReadView,
    private readonly region: Region,
  ) {}

  getCF(cf: ColumnFamily, key: Buffer): Buffer | undefined {
    return this.view.get(cf, dataKey(key));
  }

  iterCF(cf: ColumnFamily): EngineIterator {
    return new RegionIterator(this.view.iterator(cf), this.region);
  }

  close(): void {
    this.view.close();
  }
}

/** Iterates user keys of one region: seeks through the `z` prefix and stops at the region's end. */
class RegionIterator implements EngineIterator {
  private readonly endKey: Buffer;

  constructor(
    private readonly inner: EngineIterator,
    private readonly region: Region,
  ) {
    this.endKey = dataEndKey(region.endKey);
  }

  seek(key: Buffer): void {
    this.inner.seek(dataKey(Buffer.compare(key, this.region.startKey) < 0 ? this.region.startKey : key));
  }

  seekToFirst(): void {
    this.seek(this.region.startKey);
  }

  valid(): boolean {
    return this.inner.valid() && Buffer.compare(this.inner.key(), this.endKey) < 0;
  }

  key(): Buffer {
    this.assertValid('key');
    return Buffer.from(userKeyOf(this.inner.key()));
  }

  value(): Buffer {
    this.assertValid('value');
    return this.inner.value();
  }

  next(): void {
    this.assertValid('next');
    this.inner.next();
  }

  close(): void {
    this.inner.close();
  }

  private assertValid(method: string): void {
    if (!this.valid()) throw new EngineError('iterator-invalid', `RegionIterator.${method} was called on an iterator that is not positioned at an entry; check valid() first.`);
  }
}
