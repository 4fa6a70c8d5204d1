/**
 * A test client of the cluster: finds the leader, retries, and records every operation.
 *
 * @module
 */
import { CF_DEFAULT } from '../../common/engine/engine';
import type { RaftCmdRequest, RaftCmdResponse, Request, Response } from '../../common/raftstore/raft-cmd';
import { provesNoEffect } from '../../common/raftstore/raftstore-error';
import type { KvPair } from '../../common/proto/raw';
import { findPeerOnStore, keyInRegion, rangesOverlap, regionEpochEquals, type Region } from '../../common/raftstore/region';
import { scanUserPairs } from '../../common/raftstore/region-reader';
import { delay } from '../../common/runtime/delay';
import type { Cluster } from './cluster';
import type { KvInput, KvOutput } from '../../common/testkit/linearizability-kv-model';

/** Options of {@link ClusterClient}. */
export interface ClusterClientOptions {
  /** How long one attempt waits for an answer (virtual ms) before the outcome becomes unknown. */
  readonly requestTimeoutMs: number;
  /** The pause before retrying after a refusal (virtual ms). */
  readonly retryBackoffMs: number;
  /** How long an operation may keep retrying refusals before it gives up (virtual ms). */
  readonly operationDeadlineMs: number;
}

/** 500 ms per attempt, 20 ms between retries, 3 s per operation. */
export const DEFAULT_CLIENT_OPTIONS: ClusterClientOptions = Object.freeze({ requestTimeoutMs: 500, retryBackoffMs: 20, operationDeadlineMs: 3_000 });

/** What an operation ended with: its result, or `unknown` when the client cannot tell whether it took effect. */
export type ClientOutcome =
  | { readonly outcome: 'ok'; readonly output: KvOutput }
  | { readonly outcome: 'unknown' }
  /** Refused before it could take effect; `regionChanged` when a scan part's region changed under it (3B). */
  | { readonly outcome: 'refused'; readonly regionChanged?: boolean };

/**
 * A client that behaves like TinyKV's test cluster client: it finds the region of a key (from
 * its region cache, else the scheduler), sends the command to the store it believes leads that
 * region, follows not-leader hints, refreshes its region on epoch-not-match, key-not-in-region
 * and region-not-found (3B), retries refusals (which prove the command had no effect) after a
 * pause, and records the operation in the cluster's history. A timeout makes the outcome
 * unknown: the operation is closed as such and not retried, since a late execution of a retried
 * command would be a second, unrecorded operation. A scan that crosses regions is one operation
 * per region, each atomic on its own (as in TiKV).
 */
export class ClusterClient {
  private readonly options: ClusterClientOptions;
  /** Stores that timed out recently, until when (virtual ms): their leader hints are not followed. */
  private readonly suspectedUntilMs = new Map<number, number>();
  /** The regions this client knows, by id (3B: refreshed on epoch errors). */
  private readonly regionCache = new Map<number, Region>();
  /** The store the client believes leads each region. */
  private readonly leaderStore = new Map<number, number>();

  /**
   * @param cluster - the cluster.
   * @param clientId - a positive id, unique per client.
   * @param options - timeouts.
   */
  constructor(
    private readonly cluster: Cluster,
    readonly clientId: number,
    options: Partial<ClusterClientOptions> = {},
  ) {
    this.options = { ...DEFAULT_CLIENT_OPTIONS, ...options };
  }

  /** Sets `key` to `value`. */
  put(key: Buffer, value: Buffer): Promise<ClientOutcome> {
    return this.execute({ kind: 'put', key, value }, [{ cmdType: 'put', cf: CF_DEFAULT, key, value }], key);
  }

  /** Reads `key` (through the Raft log, so the read is linearizable). */
  get(key: Buffer): Promise<ClientOutcome> {
    return this.execute({ kind: 'get', key }, [{ cmdType: 'get', cf: CF_DEFAULT, key }], key);
  }

  /** Removes `key`. */
  delete(key: Buffer): Promise<ClientOutcome> {
    return this.execute({ kind: 'delete', key }, [{ cmdType: 'delete', cf: CF_DEFAULT, key }], key);
  }

  /**
   * Reads every pair with `startKey <= key < endKey` (empty end: to the end): one snapshot per
   * region the range crosses, each recorded as its own operation.
   *
   * @returns ok with every pair when every part succeeded; otherwise the first part's failure.
   */
  async scan(startKey: Buffer, endKey: Buffer = Buffer.alloc(0)): Promise<ClientOutcome> {
    const pairs: KvPair[] = [];
    const deadline = this.cluster.runtime.now() + this.options.operationDeadlineMs;
    let cursor = startKey;
    for (;;) {
      const region = this.regionFor(cursor);
      const partEnd = region === undefined || region.endKey.length === 0 || (endKey.length > 0 && Buffer.compare(endKey, region.endKey) <= 0) ? endKey : region.endKey;
      // The part's range is fixed by the region it was cut for: if that region changes before
      // the part is served, the part is dropped (nothing was read) and cut again.
      const outcome = await this.execute({ kind: 'scan', startKey: cursor, endKey: partEnd }, [{ cmdType: 'snap' }], cursor, region);
      if (outcome.outcome === 'refused' && outcome.regionChanged === true && this.cluster.runtime.now() < deadline) continue;
      if (outcome.outcome !== 'ok') return outcome;
      if (outcome.output.kind === 'scan') pairs.push(...outcome.output.pairs);
      if (partEnd.length === 0 || (endKey.length > 0 && Buffer.compare(partEnd, endKey) >= 0)) break;
      cursor = partEnd;
    }
    return { outcome: 'ok', output: { kind: 'scan', pairs } };
  }

  /**
   * Writes until a write succeeds: each attempt is its own recorded operation (an attempt
   * whose outcome is unknown stays in the history as such).
   *
   * @throws Error when no attempt succeeds within `timeoutMs` virtual ms.
   */
  async mustPut(key: Buffer, value: Buffer, timeoutMs = 10_000): Promise<void> {
    await this.retryUntilOk(() => this.put(key, value), timeoutMs, `put ${key.toString('latin1')}`);
  }

  /**
   * Reads until a read succeeds (each attempt recorded).
   *
   * @returns the value, or undefined when the key is absent.
   * @throws Error when no attempt succeeds within `timeoutMs` virtual ms.
   */
  async mustGet(key: Buffer, timeoutMs = 10_000): Promise<Buffer | undefined> {
    const output = await this.retryUntilOk(() => this.get(key), timeoutMs, `get ${key.toString('latin1')}`);
    return output.kind === 'get' ? output.value : undefined;
  }

  private async retryUntilOk(attempt: () => Promise<ClientOutcome>, timeoutMs: number, what: string): Promise<KvOutput> {
    const deadline = this.cluster.runtime.now() + timeoutMs;
    while (this.cluster.runtime.now() < deadline) {
      const outcome = await attempt();
      if (outcome.outcome === 'ok') return outcome.output;
    }
    throw this.cluster.failure('liveness', `Client ${this.clientId} could not ${what} within ${timeoutMs} virtual ms: every attempt timed out or was refused.`);
  }

  /**
   * Sends a command to one store once, outside the history (for tests of error answers). It
   * addresses the region of the first key of `requests` (the first region for a snap).
   *
   * @param storeId - the store to address.
   * @param requests - the operations.
   * @returns the raw answer.
   */
  sendOnce(storeId: number, requests: readonly Request[]): Promise<RaftCmdResponse> {
    const first = requests.find((request) => request.cmdType !== 'snap');
    const region = this.regionFor(first !== undefined ? first.key : Buffer.alloc(0)) ?? this.cluster.region;
    return this.sendCommand(storeId, this.cluster.answers.stamp(this.command(region, storeId, requests), this.clientId));
  }

  private sendCommand(storeId: number, request: RaftCmdRequest): Promise<RaftCmdResponse> {
    return this.cluster.sendCommand(storeId, request, this.options.requestTimeoutMs, this.clientId);
  }

  private command(region: Region, storeId: number, requests: readonly Request[]): RaftCmdRequest {
    // A store the cached region does not list yet still gets the command: it answers with its
    // own region (an epoch error) or serves it, which is how the client learns the change.
    const peer = findPeerOnStore(region, storeId) ?? { id: 0, storeId };
    return { header: { regionId: region.id, peer, regionEpoch: region.epoch, term: 0 }, requests };
  }

  /** The region holding `key`: from the cache, else from the scheduler (then cached). */
  private regionFor(key: Buffer): Region | undefined {
    for (const region of this.regionCache.values()) if (keyInRegion(key, region)) return region;
    const region = this.cluster.regionByKey(key);
    if (region !== undefined) this.remember(region);
    return region;
  }

  private remember(region: Region): void {
    for (const [id, known] of this.regionCache) if (id !== region.id && rangesOverlap(known, region)) this.regionCache.delete(id);
    this.regionCache.set(region.id, region);
  }

  private forget(regionId: number): void {
    this.regionCache.delete(regionId);
    this.leaderStore.delete(regionId);
  }

  private async execute(input: KvInput, requests: readonly Request[], routingKey: Buffer, cutFor?: Region): Promise<ClientOutcome> {
    const runtime = this.cluster.runtime;
    const history = this.cluster.history;
    const operation = history.invoke(this.clientId, input);
    const deadline = runtime.now() + this.options.operationDeadlineMs;
    // Leader hints followed in a row without a pause: bounded, so hints that go round in a
    // circle (stale regions, a leader that just stepped down) cannot spin without time passing.
    let hops = 0;
    while (runtime.now() < deadline) {
      const region = this.regionFor(routingKey);
      if (region === undefined || region.peers.length === 0) {
        await delay(runtime, this.options.retryBackoffMs, `client-${this.clientId}/backoff`);
        continue;
      }
      if (cutFor !== undefined && (cutFor.id !== region.id || !regionEpochEquals(cutFor.epoch, region.epoch))) {
        history.discard(operation);
        return { outcome: 'refused', regionChanged: true };
      }
      const storeId = this.targetStore(region);
      const request = this.cluster.answers.stamp(this.command(region, storeId, requests), this.clientId);
      const requestId = request.header.requestId as number;
      const response = await this.sendCommand(storeId, request);
      const error = response.header.error;
      if (error === undefined) {
        const output = this.outputOf(storeId, input, response.responses);
        this.cluster.answers.bindOperation(operation, requestId);
        history.complete(operation, output);
        return { outcome: 'ok', output };
      }
      if (!provesNoEffect(error)) {
        this.cluster.answers.bindOperation(operation, requestId);
        history.completeUnknown(operation, error.kind === 'request-timeout' ? 'timeout' : 'orphaned');
        // A leader cut off in a minority keeps its followers' hints pointing at it: avoid it for a while.
        this.suspectedUntilMs.set(storeId, runtime.now() + 4 * this.options.requestTimeoutMs);
        this.moveToNextStore(region, storeId);
        return { outcome: 'unknown' };
      }
      const hint = error.kind === 'not-leader' ? error.leader : undefined;
      if (hint !== undefined && hint.storeId !== storeId && !this.isSuspected(hint.storeId) && hops++ < region.peers.length) {
        // A leader the cached region does not list (a peer added since): the cache is stale.
        if (findPeerOnStore(region, hint.storeId) === undefined) this.forget(region.id);
        this.leaderStore.set(region.id, hint.storeId);
        continue;
      }
      hops = 0;
      if (error.kind === 'not-leader') this.moveToNextStore(region, storeId);
      else if (error.kind === 'epoch-not-match') {
        this.forget(region.id);
        if (error.currentRegion !== undefined && keyInRegion(routingKey, error.currentRegion)) this.remember(error.currentRegion);
      } else this.forget(region.id);
      await delay(runtime, this.options.retryBackoffMs, `client-${this.clientId}/backoff`);
    }
    // Every attempt was refused before it could take effect.
    history.discard(operation);
    return { outcome: 'refused' };
  }

  /** The store to send a region's command to: the one believed to lead it, else one of its peers' stores. */
  private targetStore(region: Region): number {
    const known = this.leaderStore.get(region.id);
    if (known !== undefined && findPeerOnStore(region, known) !== undefined) return known;
    const first = region.peers.find((peer) => !this.isSuspected(peer.storeId)) ?? region.peers[0];
    this.leaderStore.set(region.id, first.storeId);
    return first.storeId;
  }

  private isSuspected(storeId: number): boolean {
    return (this.suspectedUntilMs.get(storeId) ?? 0) > this.cluster.runtime.now();
  }

  /** Moves to the region's next store in peer order, skipping suspected ones unless every one is suspected. */
  private moveToNextStore(region: Region, current: number): void {
    const ids = region.peers.map((peer) => peer.storeId);
    const start = Math.max(0, ids.indexOf(current));
    for (let step = 1; step <= ids.length; step++) {
      const candidate = ids[(start + step) % ids.length];
      if (!this.isSuspected(candidate) || step === ids.length) {
        this.leaderStore.set(region.id, candidate);
        return;
      }
    }
  }

  /** The operation's result from a success answer (whose shape the cluster has already checked). */
  private outputOf(storeId: number, input: KvInput, responses: readonly Response[]): KvOutput {
    const response = responses[0];
    const wrong = (what: string) => this.cluster.failure('correctness', `store ${storeId} answered client ${this.clientId}'s ${input.kind} with ${what}; a command gets one response per request, of its type.`);
    if (response === undefined) throw wrong('no response');
    return outputOfResponse(input, response, wrong);
  }
}

function outputOfResponse(input: KvInput, response: Response, wrong: (what: string) => Error): KvOutput {
  switch (response.cmdType) {
    case 'get':
      return { kind: 'get', value: response.value };
    case 'snap': {
      if (input.kind !== 'scan') throw wrong('a snapshot');
      try {
        const pairs = scanUserPairs(response.view, response.region, CF_DEFAULT, input.startKey, input.endKey ?? Buffer.alloc(0), Number.MAX_SAFE_INTEGER);
        return { kind: 'scan', pairs };
      } finally {
        response.view.close();
      }
    }
    default:
      return { kind: 'write' };
  }
}
