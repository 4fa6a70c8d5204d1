/**
 * A test client of the cluster: finds the leader, retries, and records every operation.
 *
 * @module
 */
import { CF_DEFAULT } from '../../common/engine/engine';
import type { RaftCmdResponse, Request, Response } from '../../common/raftstore/raft-cmd';
import { findPeerOnStore } from '../../common/raftstore/region';
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
export type ClientOutcome = { readonly outcome: 'ok'; readonly output: KvOutput } | { readonly outcome: 'unknown' } | { readonly outcome: 'refused' };

/**
 * A client that behaves like TinyKV's test cluster client: it sends a command to the store
 * it believes leads, follows not-leader hints, retries refusals (which prove the command had
 * no effect) after a pause, and records the operation in the cluster's history. A timeout
 * makes the outcome unknown: the operation is closed as such and not retried, since a late
 * execution of a retried command would be a second, unrecorded operation.
 */
export class ClusterClient {
  private targetStoreId: number;
  private readonly options: ClusterClientOptions;
  /** Stores that timed out recently, until when (virtual ms): their leader hints are not followed. */
  private readonly suspectedUntilMs = new Map<number, number>();

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
    this.targetStoreId = cluster.storeIds()[0];
  }

  /** Sets `key` to `value`. */
  put(key: Buffer, value: Buffer): Promise<ClientOutcome> {
    return this.execute({ kind: 'put', key, value }, [{ cmdType: 'put', cf: CF_DEFAULT, key, value }]);
  }

  /** Reads `key` (through the Raft log, so the read is linearizable). */
  get(key: Buffer): Promise<ClientOutcome> {
    return this.execute({ kind: 'get', key }, [{ cmdType: 'get', cf: CF_DEFAULT, key }]);
  }

  /** Removes `key`. */
  delete(key: Buffer): Promise<ClientOutcome> {
    return this.execute({ kind: 'delete', key }, [{ cmdType: 'delete', cf: CF_DEFAULT, key }]);
  }

  /** Reads every pair with `startKey <= key < endKey` (empty end: to the end) from one snapshot. */
  scan(startKey: Buffer, endKey: Buffer = Buffer.alloc(0)): Promise<ClientOutcome> {
    return this.execute({ kind: 'scan', startKey, endKey }, [{ cmdType: 'snap' }]);
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
    throw new Error(`Client ${this.clientId} could not ${what} within ${timeoutMs} virtual ms: every attempt timed out or was refused.`);
  }

  /**
   * Sends a command to one store once, outside the history (for tests of error answers).
   *
   * @param storeId - the store to address.
   * @param requests - the operations.
   * @returns the raw answer.
   */
  sendOnce(storeId: number, requests: readonly Request[]): Promise<RaftCmdResponse> {
    return this.cluster.sendCommand(storeId, this.command(storeId, requests), this.options.requestTimeoutMs);
  }

  private command(storeId: number, requests: readonly Request[]) {
    const region = this.cluster.region;
    const peer = findPeerOnStore(region, storeId) ?? region.peers[0];
    return { header: { regionId: region.id, peer, regionEpoch: region.epoch, term: 0 }, requests };
  }

  private async execute(input: KvInput, requests: readonly Request[]): Promise<ClientOutcome> {
    const runtime = this.cluster.runtime;
    const history = this.cluster.history;
    const operation = history.invoke(this.clientId, input);
    const deadline = runtime.now() + this.options.operationDeadlineMs;
    while (runtime.now() < deadline) {
      const response = await this.sendOnce(this.targetStoreId, requests);
      const error = response.header.error;
      if (error === undefined) {
        const output = outputOf(input, response.responses);
        history.complete(operation, output);
        return { outcome: 'ok', output };
      }
      if (error.kind === 'request-timeout') {
        history.completeUnknown(operation, 'timeout');
        // A leader cut off in a minority keeps its followers' hints pointing at it: avoid it for a while.
        this.suspectedUntilMs.set(this.targetStoreId, runtime.now() + 4 * this.options.requestTimeoutMs);
        this.moveToNextStore();
        return { outcome: 'unknown' };
      }
      if (error.kind === 'not-leader' && error.leader !== undefined && error.leader.storeId !== this.targetStoreId && !this.isSuspected(error.leader.storeId)) {
        this.targetStoreId = error.leader.storeId;
        continue;
      }
      if (error.kind === 'not-leader') this.moveToNextStore();
      await delay(runtime, this.options.retryBackoffMs, `client-${this.clientId}/backoff`);
    }
    // Every attempt was refused before it could take effect.
    history.discard(operation);
    return { outcome: 'refused' };
  }

  private isSuspected(storeId: number): boolean {
    return (this.suspectedUntilMs.get(storeId) ?? 0) > this.cluster.runtime.now();
  }

  /** Moves to the next store in id order, skipping suspected ones unless every store is suspected. */
  private moveToNextStore(): void {
    const ids = this.cluster.storeIds();
    const start = ids.indexOf(this.targetStoreId);
    for (let step = 1; step <= ids.length; step++) {
      const candidate = ids[(start + step) % ids.length];
      if (!this.isSuspected(candidate) || step === ids.length) {
        this.targetStoreId = candidate;
        return;
      }
    }
  }
}

function outputOf(input: KvInput, responses: readonly Response[]): KvOutput {
  const response = responses[0];
  if (response === undefined) throw new Error(`The store answered a ${input.kind} with no response; a command gets one response per request.`);
  switch (response.cmdType) {
    case 'get':
      return { kind: 'get', value: response.value };
    case 'snap': {
      if (input.kind !== 'scan') throw new Error(`The store answered a ${input.kind} with a snapshot.`);
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
