/**
 * The cluster test kit: N raftstores on the simulated network, in virtual time.
 *
 * @module
 */
import * as fs from 'node:fs';
import { MemoryEngine } from '../../common/engine/memory-engine';
import { errorResponse, type RaftCmdRequest, type RaftCmdResponse } from '../../common/raftstore/raft-cmd';
import { notLeaderError, requestTimeoutError } from '../../common/raftstore/raftstore-error';
import type { Region } from '../../common/raftstore/region';
import type { StoreEngines } from '../../common/raftstore/store-engines';
import { copyStoreMessage, describeStoreMessage, type StoreMessage } from '../../common/raftstore/store-message';
import { SimulatedRuntime } from '../../common/runtime/simulated-runtime';
import { SimulationEventError, SimulationStuckError } from '../../common/runtime/simulation-errors';
import { RELIABLE_LINK, type LinkOptions } from '../../common/sim/link-options';
import { SimNode, type StartOptions } from '../../common/sim/sim-node';
import { SimulatedNetwork } from '../../common/sim/simulated-network';
import { linearizabilityTraceEvent, Trace } from '../../common/sim/trace';
import { bootstrapStore } from '../src/bootstrap';
import { MockSchedulerClient } from '../src/mock-scheduler-client';
import type { Peer } from '../src/peer';
import { DEFAULT_RAFTSTORE_CONFIG, type RaftstoreConfig } from '../src/raftstore-config';
import { Store } from '../src/store';
import { ClusterAuditor, ObservedEngine } from '../../common/testkit/cluster-auditor';
import { HistoryRecorder } from '../../common/testkit/history';
import { formatLinearizabilityResult } from '../../common/testkit/linearizability';
import { checkKvLinearizability, type KvInput, type KvOutput } from '../../common/testkit/linearizability-kv-model';
import { ClusterClient, type ClusterClientOptions } from './cluster-client';
import { ScenarioFailure } from '../../common/testkit/scenario-failure';

/** Options of {@link Cluster}. */
export interface ClusterOptions {
  /** The run's seed: every draw (network, elections, clients) derives from it. */
  readonly seed: number;
  /** How many stores (each holds a replica of the one region). */
  readonly storeCount: number;
  /** Raftstore timing (default `DEFAULT_RAFTSTORE_CONFIG`: 10 ms ticks). */
  readonly config?: RaftstoreConfig;
  /** The default behaviour of every link (default {@link RELIABLE_LINK}). */
  readonly link?: Partial<LinkOptions>;
  /** Record a JSON-lines trace (default false; `TINYKV_TRACE=1` turns it on, `TINYKV_TRACE_FILE=path` also streams it to a file). */
  readonly traceEnabled?: boolean;
}

/** The process a simulated node runs: the store, behind a delivery hook. */
export interface StoreProcess {
  /** The running store. */
  readonly store: Store;
  /** Delivers a message (runs the cluster's delivery hooks first). */
  receive(from: number, message: StoreMessage): void;
}

/** Called before a store receives a message; tests use it to arm crashes at the right moment. */
export type DeliveryHook = (storeId: number, message: StoreMessage) => void;

/**
 * A cluster of raftstores replicating one region over a {@link SimulatedNetwork}, each store
 * on a {@link SimNode} that can crash and restart on its engines. Stores are numbered 1..N.
 * The cluster owns the history recorder (through its clients) and a {@link ClusterAuditor}
 * that checks durability and election safety as the run goes.
 *
 * @example
 * ```ts
 * const cluster = new Cluster({ seed: 1, storeCount: 3 });
 * cluster.start();
 * const client = cluster.client(1);
 * await cluster.run(client.put(Buffer.from('k'), Buffer.from('v')), 5_000, 'the put');
 * cluster.assertLinearizableAndSafe();
 * ```
 */
export class Cluster {
  /** The virtual-time runtime. */
  readonly runtime: SimulatedRuntime;
  /** The network between stores. */
  readonly network: SimulatedNetwork<StoreMessage>;
  /** The run's trace (disabled unless asked for). */
  readonly trace: Trace;
  /** The mock scheduler (ids, where the region is). */
  readonly scheduler = new MockSchedulerClient();
  /** The one region (2B). */
  readonly region: Region;
  /** The safety auditor. */
  readonly auditor: ClusterAuditor;
  /** Raftstore timing. */
  readonly config: RaftstoreConfig;
  /** The run's seed. */
  readonly seed: number;
  private readonly nodes = new Map<number, SimNode<StoreMessage, StoreProcess, 'kv' | 'raft'>>();
  private readonly durable = new Map<number, StoreEngines>();
  private readonly deliveryHooks: DeliveryHook[] = [];
  private readonly clients = new Map<number, ClusterClient>();
  /** Every client operation of the run, for the linearizability check. */
  readonly history: HistoryRecorder<KvInput, KvOutput>;

  /** @param options - seed, size, timing, link behaviour, trace. */
  constructor(options: ClusterOptions) {
    this.seed = options.seed;
    this.config = options.config ?? DEFAULT_RAFTSTORE_CONFIG;
    this.runtime = new SimulatedRuntime({ seed: options.seed });
    // `tinykv replay --trace FILE` sets TINYKV_TRACE_FILE: every line is appended as it is recorded,
    // so a run that fails half-way still leaves its trace for the timeline page.
    const traceFile = process.env.TINYKV_TRACE_FILE;
    const traceEnabled = options.traceEnabled ?? (process.env.TINYKV_TRACE === '1' || Boolean(traceFile));
    const onLine = traceFile ? (line: string) => fs.appendFileSync(traceFile, `${line}\n`) : undefined;
    this.trace = traceEnabled ? new Trace(this.runtime, onLine ? { onLine } : {}) : Trace.disabled();
    this.network = new SimulatedNetwork<StoreMessage>({
      runtime: this.runtime,
      trace: this.trace,
      defaultLink: { ...RELIABLE_LINK, ...options.link },
      describeMessage: describeStoreMessage,
      copyMessage: copyStoreMessage,
    });
    this.auditor = new ClusterAuditor(this.durable);
    this.history = new HistoryRecorder<KvInput, KvOutput>({ clock: this.runtime, trace: this.trace, describeInput: describeKvInput });
    this.runtime.addPendingReporter(() => this.history.describeOpenOperations());
    // Installed first, so it sees every message; it never drops anything.
    this.network.addFilter({ name: 'durability-auditor', matches: (message, from) => (this.auditor.checkSend(from, message), false) });
    const storeIds = Array.from({ length: options.storeCount }, (_, i) => i + 1);
    this.region = this.scheduler.bootstrapRegion(storeIds);
    for (const storeId of storeIds) this.addStore(storeId);
  }

  private addStore(storeId: number): void {
    const engines: StoreEngines = { kv: new MemoryEngine(), raft: new MemoryEngine() };
    bootstrapStore(engines, this.region);
    this.durable.set(storeId, engines);
    const observedKv = new ObservedEngine(engines.kv, (batch) => this.auditor.checkKvWrite(storeId, batch));
    const node = new SimNode<StoreMessage, StoreProcess, 'kv' | 'raft'>({
      nodeId: storeId,
      runtime: this.runtime,
      network: this.network,
      engines: { kv: observedKv, raft: engines.raft },
      trace: this.trace,
      startProcess: (context) => {
        const store = new Store({
          storeId,
          engines: context.engines,
          runtime: context.runtime,
          send: context.send,
          config: this.config,
          trace: context.trace,
          observer: { onRoleChange: (id, regionId, role, term) => this.auditor.checkRole(id, regionId, role, term) },
        });
        return {
          store,
          receive: (from, message) => {
            for (const hook of this.deliveryHooks) hook(storeId, message);
            store.receive(from, message);
          },
        };
      },
    });
    this.nodes.set(storeId, node);
  }

  /** Starts every store. */
  start(): void {
    for (const node of this.nodes.values()) node.start();
  }

  /** The ids of every store, ascending. */
  storeIds(): number[] {
    return [...this.nodes.keys()];
  }

  /**
   * The simulated node of store `storeId`.
   *
   * @throws RangeError for an unknown store.
   */
  node(storeId: number): SimNode<StoreMessage, StoreProcess, 'kv' | 'raft'> {
    const node = this.nodes.get(storeId);
    if (node === undefined) throw new RangeError(`The cluster has no store ${storeId}; stores are numbered 1..${this.nodes.size}.`);
    return node;
  }

  /** The durable engines of store `storeId` (what survives its crashes). */
  durableEngines(storeId: number): StoreEngines {
    this.node(storeId);
    return this.durable.get(storeId) as StoreEngines;
  }

  /** The peer of the region on store `storeId`, or undefined when the store is down. */
  peer(storeId: number): Peer | undefined {
    const node = this.node(storeId);
    return node.isUp ? node.process.store.peerOf(this.region.id)?.peer : undefined;
  }

  /** Crashes store `storeId` now (memory lost, engines kept). Does nothing when it is down. */
  crash(storeId: number, reason = 'crashed by the scenario'): void {
    const node = this.node(storeId);
    if (node.isUp) node.crash(reason);
  }

  /** Restarts a crashed store on its engines. Does nothing when it is up. */
  restart(storeId: number, options: StartOptions = {}): void {
    const node = this.node(storeId);
    if (!node.isUp) node.restart(options);
  }

  /** Adds a hook run before every delivery to a store; returns a function that removes it. */
  onDelivery(hook: DeliveryHook): () => void {
    this.deliveryHooks.push(hook);
    return () => {
      const index = this.deliveryHooks.indexOf(hook);
      if (index >= 0) this.deliveryHooks.splice(index, 1);
    };
  }

  /** The store whose peer is leader in the highest term, among stores that are up; undefined when none. */
  leaderStoreId(): number | undefined {
    let best: { storeId: number; term: number } | undefined;
    for (const storeId of this.storeIds()) {
      const peer = this.peer(storeId);
      if (peer === undefined || !peer.isLeader()) continue;
      if (best === undefined || peer.term() > best.term) best = { storeId, term: peer.term() };
    }
    return best?.storeId;
  }

  /**
   * Runs the simulation until a leader exists among the stores that are up.
   *
   * @returns the leader's store id.
   * @throws ScenarioFailure (liveness) when none is elected within `maxVirtualMs`.
   */
  async waitForLeader(maxVirtualMs = 5_000): Promise<number> {
    const deadline = this.runtime.now() + maxVirtualMs;
    while (this.runtime.now() < deadline) {
      const leader = this.leaderStoreId();
      if (leader !== undefined) return leader;
      await this.runFor(this.config.baseTickMs);
    }
    throw new ScenarioFailure('liveness', `No leader was elected within ${maxVirtualMs} virtual ms (now ${this.runtime.now()} ms).`);
  }

  /**
   * Sends a command to store `storeId` as a client would, and waits for its answer.
   *
   * @param storeId - where to send it.
   * @param request - the command.
   * @param timeoutMs - how long to wait (virtual ms) before answering `request-timeout`.
   * @returns the store's answer; `not-leader` without hint when the store is down (nothing reached it).
   */
  sendCommand(storeId: number, request: RaftCmdRequest, timeoutMs: number): Promise<RaftCmdResponse> {
    return new Promise((resolve) => {
      let answered = false;
      const timer = this.runtime.setTimer(
        timeoutMs,
        () => finish(errorResponse(requestTimeoutError(request.header.regionId, timeoutMs))),
        `client-timeout store-${storeId}`,
      );
      const finish = (response: RaftCmdResponse): void => {
        if (answered) return;
        answered = true;
        this.runtime.cancel(timer);
        resolve(response);
      };
      const node = this.node(storeId);
      const reached = node.run((process) => process.store.propose(request, finish));
      // A store that is down refuses the connection: the command surely had no effect.
      if (!reached && !node.isUp && !answered) finish(errorResponse(notLeaderError(request.header.regionId, undefined)));
    });
  }

  /** A client (one per id; the same id gives the same client). */
  client(clientId: number, options: Partial<ClusterClientOptions> = {}): ClusterClient {
    let client = this.clients.get(clientId);
    if (client === undefined) {
      client = new ClusterClient(this, clientId, options);
      this.clients.set(clientId, client);
    }
    return client;
  }

  /**
   * Drives the simulation until `promise` settles.
   *
   * @throws ScenarioFailure `liveness` when it does not settle within `maxVirtualMs`,
   *   `crash` when store code threw (anything but an injected crash).
   */
  async run<T>(promise: Promise<T>, maxVirtualMs: number, description: string): Promise<T> {
    try {
      return await this.runtime.runUntil(promise, { maxVirtualMs, description });
    } catch (error) {
      throw classify(error);
    }
  }

  /** Drives the simulation for `durationMs` virtual ms (classifying failures as {@link run} does). */
  async runFor(durationMs: number): Promise<void> {
    try {
      await this.runtime.runFor(durationMs);
    } catch (error) {
      throw classify(error);
    }
  }

  /**
   * Throws when the history is not proven linearizable or the auditor found a violation.
   *
   * @throws ScenarioFailure `correctness`.
   */
  assertSafe(): void {
    const verdict = checkKvLinearizability(this.history.operations());
    if (verdict.result !== 'ok') {
      const event = linearizabilityTraceEvent(verdict);
      if (event) this.trace.record(event);
      const what = verdict.result === 'unknown' ? 'could not be proven linearizable (search budget exhausted)' : 'is not linearizable';
      throw new ScenarioFailure('correctness', `The history of ${verdict.operationCount} client operations ${what}:\n${formatLinearizabilityResult(verdict)}`);
    }
    if (this.auditor.violations.length > 0) {
      throw new ScenarioFailure('correctness', `The safety auditor found ${this.auditor.violations.length} violation(s):\n  ${this.auditor.violations.join('\n  ')}`);
    }
  }
}

function describeKvInput(input: KvInput): unknown {
  switch (input.kind) {
    case 'scan':
      return { kind: 'scan', startKey: input.startKey.toString('latin1'), endKey: input.endKey?.toString('latin1') };
    case 'get':
    case 'delete':
      return { kind: input.kind, key: input.key.toString('latin1') };
    default:
      return { kind: input.kind, key: input.key.toString('latin1'), value: input.value.toString('latin1') };
  }
}

function classify(error: unknown): unknown {
  if (error instanceof ScenarioFailure) return error;
  if (error instanceof SimulationStuckError) return new ScenarioFailure('liveness', error.message, error);
  if (error instanceof SimulationEventError) return new ScenarioFailure('crash', error.message, error);
  return error;
}
