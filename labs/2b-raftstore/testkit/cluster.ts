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
import { MessageType } from '../../common/raft/message';
import { SimulatedRuntime } from '../../common/runtime/simulated-runtime';
import { SimulationEventError, SimulationStuckError } from '../../common/runtime/simulation-errors';
import { RELIABLE_LINK, type LinkOptions } from '../../common/sim/link-options';
import { SimNode, type StartOptions } from '../../common/sim/sim-node';
import { SimulatedNetwork } from '../../common/sim/simulated-network';
import { linearizabilityTraceEvent, Trace } from '../../common/sim/trace';
import { bootstrapStore, loadRegions } from '../src/bootstrap';
import { CF_DEFAULT } from '../../common/engine/engine';
import { applyStateKey } from '../../common/raftstore/meta-keys';
import { decodeApplyState } from '../../common/raftstore/raft-apply-state';
import type { RegionHeartbeat } from '../../common/scheduler/heartbeat';
import type { SchedulerClient } from '../../common/scheduler/scheduler-client';
import type { Runtime } from '../../common/runtime/runtime';
import { delay } from '../../common/runtime/delay';
import { findPeerOnStore, keyInRegion, type PeerMeta } from '../../common/raftstore/region';
import { MockScheduler } from './mock-scheduler';
import type { SchedulerService } from './scheduler-service';
import type { Peer } from '../src/peer';
import { DEFAULT_RAFTSTORE_CONFIG, type RaftstoreConfig } from '../src/raftstore-config';
import { Store } from '../src/store';
import { ClusterAuditor, ObservedEngine } from '../../common/testkit/cluster-auditor';
import { HistoryRecorder } from '../../common/testkit/history';
import { formatLinearizabilityResult } from '../../common/testkit/linearizability';
import { checkKvLinearizability, type KvInput, type KvOutput } from '../../common/testkit/linearizability-kv-model';
import { ClusterClient, type ClusterClientOptions } from './cluster-client';
import { capLines, ScenarioFailure, type ScenarioFailureKind } from '../../common/testkit/scenario-failure';
import { AnswerAuditor } from './answer-auditor';
import { clusterFailureContext, type FocusRange } from './failure-report';

/** Options of {@link Cluster}. */
export interface ClusterOptions {
  /** The run's seed: every draw (network, elections, clients) derives from it. */
  readonly seed: number;
  /** How many stores (each holds a replica of the one region). */
  readonly storeCount: number;
  /** Raftstore timing and log compaction, over `DEFAULT_RAFTSTORE_CONFIG` (10 ms ticks, no compaction). */
  readonly config?: Partial<RaftstoreConfig>;
  /** The default behaviour of every link (default {@link RELIABLE_LINK}). */
  readonly link?: Partial<LinkOptions>;
  /** Record a JSON-lines trace (default false; `TINYKV_TRACE=1` turns it on, `TINYKV_TRACE_FILE=path` also streams it to a file). */
  readonly traceEnabled?: boolean;
  /**
   * 3B: connect the stores to a scheduler (region and store heartbeats, operator steps, split
   * ids). Off in 2B and 2C. Turned on by giving a `scheduler`.
   */
  readonly schedulerHeartbeats?: boolean;
  /** 3B/3C: the scheduler (default: the kit's {@link MockScheduler}). Giving one turns heartbeats on. */
  readonly scheduler?: SchedulerService;
  /**
   * 3C: builds the scheduler on the cluster's own runtime (a real scheduler needs the cluster's
   * clock and random source, which do not exist before the cluster). Wins over `scheduler`;
   * turns heartbeats on.
   */
  readonly createScheduler?: (runtime: SimulatedRuntime) => SchedulerService;
  /** The stores that hold the first region (default: every store); the others start empty (3C: an unbalanced start). */
  readonly bootstrapStores?: readonly number[];
}

/** Virtual ms a heartbeat or an answer takes between a store and the scheduler. */
const SCHEDULER_LATENCY_MS = 1;

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
  /** The scheduler: the mock unless a test gave one (3C). */
  readonly scheduler: SchedulerService;
  /** The first region (2B and 2C have only this one; from 3B it may shrink by splits, its id stays). */
  readonly region: Region;
  /** True when stores talk to the scheduler (3B). */
  readonly schedulerHeartbeats: boolean;
  /** The safety auditor. */
  readonly auditor: ClusterAuditor;
  /** Gives commands request ids and checks that every answer is its own command's. */
  readonly answers: AnswerAuditor;
  /** Raftstore timing. */
  readonly config: RaftstoreConfig;
  /** The run's seed. */
  readonly seed: number;
  private readonly nodes = new Map<number, SimNode<StoreMessage, StoreProcess, 'kv' | 'raft'>>();
  private readonly durable = new Map<number, StoreEngines>();
  private readonly deliveryHooks: DeliveryHook[] = [];
  private readonly clients = new Map<number, ClusterClient>();
  /** When the first violation was found (virtual ms): where a failure's timeline opens. */
  private firstViolationAtMs: number | undefined;
  /** How many MsgSnapshot messages stores sent (2C), duplicates by the network not counted. */
  snapshotsSent = 0;
  /** Every client operation of the run, for the linearizability check. */
  readonly history: HistoryRecorder<KvInput, KvOutput>;

  /** @param options - seed, size, timing, link behaviour, trace. */
  constructor(options: ClusterOptions) {
    this.seed = options.seed;
    this.config = { ...DEFAULT_RAFTSTORE_CONFIG, ...options.config };
    this.runtime = new SimulatedRuntime({ seed: options.seed });
    this.scheduler = options.createScheduler?.(this.runtime) ?? options.scheduler ?? new MockScheduler();
    this.schedulerHeartbeats = options.schedulerHeartbeats ?? (options.scheduler !== undefined || options.createScheduler !== undefined);
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
      transferDelayMs: snapshotTransferMs,
    });
    this.auditor = new ClusterAuditor(this.durable, {
      onViolation: (violation) => {
        this.firstViolationAtMs ??= this.runtime.now();
        this.trace.record({ kind: 'violation', node: violation.storeId, region: violation.regionId, text: violation.text });
      },
    });
    this.answers = new AnswerAuditor((storeId) => this.durableEngines(storeId), this.auditor);
    this.history = new HistoryRecorder<KvInput, KvOutput>({ clock: this.runtime, trace: this.trace, describeInput: describeKvInput });
    this.runtime.addPendingReporter(() => this.history.describeOpenOperations());
    // Installed first, so it sees every message; it never drops anything.
    this.network.addFilter({ name: 'durability-auditor', matches: (message, from) => (this.auditor.checkSend(from, message), false) });
    this.network.addFilter({ name: 'snapshot-counter', matches: (message) => (message.message.msgType === MessageType.MsgSnapshot && this.snapshotsSent++, false) });
    const storeIds = Array.from({ length: options.storeCount }, (_, i) => i + 1);
    this.region = this.scheduler.bootstrap(options.bootstrapStores ?? storeIds);
    // Lets the timeline page name lanes "store N (peer P)".
    this.trace.record({ kind: 'cluster', stores: storeIds, regions: [{ id: this.region.id, peers: this.region.peers.map((peer) => ({ ...peer })) }] });
    for (const storeId of storeIds) this.addStore(storeId);
    if (this.schedulerHeartbeats && this.scheduler.tick !== undefined) this.runtime.setTimer(this.config.schedulerHeartbeatTickMs, () => this.schedulerTick(), 'scheduler/tick');
  }

  private schedulerTick(): void {
    this.runtime.setTimer(this.config.schedulerHeartbeatTickMs, () => this.schedulerTick(), 'scheduler/tick');
    this.scheduler.tick?.();
  }

  /**
   * The scheduler as store `storeId` sees it in one incarnation: heartbeats reach the scheduler
   * and its answers come back after {@link SCHEDULER_LATENCY_MS}; a crash drops what is in flight
   * (the timers belong to the incarnation). The scheduler itself never fails or partitions.
   */
  private schedulerClientFor(storeId: number, runtime: Runtime): SchedulerClient {
    return {
      allocId: () => this.scheduler.allocId(),
      askSplit: (region) => this.scheduler.askSplit(region),
      storeHeartbeat: (heartbeat) => this.scheduler.handleStoreHeartbeat(heartbeat),
      regionHeartbeat: (heartbeat: RegionHeartbeat) => {
        runtime.setTimer(
          SCHEDULER_LATENCY_MS,
          () => {
            const response = this.scheduler.handleRegionHeartbeat(heartbeat);
            if (response === undefined) return;
            runtime.setTimer(SCHEDULER_LATENCY_MS, () => void this.node(storeId).run((process) => process.store.handleRegionHeartbeatResponse(response)), 'scheduler/answer');
          },
          'scheduler/heartbeat',
        );
      },
    };
  }

  private addStore(storeId: number): void {
    const engines: StoreEngines = { kv: new MemoryEngine(), raft: new MemoryEngine() };
    if (findPeerOnStore(this.region, storeId) !== undefined) bootstrapStore(engines, this.region, this.schedulerHeartbeats);
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
          ...(this.schedulerHeartbeats ? { scheduler: this.schedulerClientFor(storeId, context.runtime) } : {}),
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

  /** The peer of the first region (or of `regionId`) on store `storeId`, or undefined when the store is down or has none. */
  peer(storeId: number, regionId = this.region.id): Peer | undefined {
    const node = this.node(storeId);
    return node.isUp ? node.process.store.peerOf(regionId)?.peer : undefined;
  }

  /** The region holding `key` as the scheduler knows it (3B: regions split and move). */
  regionByKey(key: Buffer): Region | undefined {
    return this.scheduler.regionByKey(key) ?? (keyInRegion(key, this.region) ? this.region : undefined);
  }

  /** Every region the scheduler knows, in key order. */
  regions(): Region[] {
    return this.scheduler.regions();
  }

  /** The mock scheduler, for tests that set operators. @throws Error when the cluster runs another scheduler. */
  mockScheduler(): MockScheduler {
    if (!(this.scheduler instanceof MockScheduler)) throw new Error('This cluster runs its own scheduler, not the mock: it takes no operators from the test.');
    return this.scheduler;
  }

  /**
   * 3B: adds `peer` to region `regionId` through the scheduler and waits until the region's
   * leader reports it (and no longer pending). Like a client's call, drive it with {@link run}.
   *
   * @throws ScenarioFailure `liveness` when it is not done within `timeoutMs`.
   */
  async mustAddPeer(regionId: number, peer: PeerMeta, timeoutMs = 10_000): Promise<void> {
    this.mockScheduler().setOperator(regionId, { kind: 'add-peer', peer });
    await this.waitForOperator(regionId, `add peer ${peer.id} on store ${peer.storeId} to region ${regionId}`, timeoutMs);
  }

  /** 3B: removes `peer` from region `regionId` through the scheduler and waits until the leader reports it gone. */
  async mustRemovePeer(regionId: number, peer: PeerMeta, timeoutMs = 10_000): Promise<void> {
    this.mockScheduler().setOperator(regionId, { kind: 'remove-peer', peer });
    await this.waitForOperator(regionId, `remove peer ${peer.id} on store ${peer.storeId} from region ${regionId}`, timeoutMs);
  }

  /** 3B: hands leadership of region `regionId` to `peer` through the scheduler and waits until it leads. */
  async mustTransferLeader(regionId: number, peer: PeerMeta, timeoutMs = 10_000): Promise<void> {
    this.mockScheduler().setOperator(regionId, { kind: 'transfer-leader', peer });
    await this.waitForOperator(regionId, `transfer the leadership of region ${regionId} to peer ${peer.id} on store ${peer.storeId}`, timeoutMs);
  }

  private async waitForOperator(regionId: number, what: string, timeoutMs: number): Promise<void> {
    const scheduler = this.mockScheduler();
    const deadline = this.runtime.now() + timeoutMs;
    while (scheduler.operatorOf(regionId) !== undefined) {
      if (this.runtime.now() >= deadline) {
        throw this.failure('liveness', `The scheduler asked the stores to ${what}, and after ${timeoutMs} virtual ms the region's heartbeats still do not show it done (last report: ${describeKnown(this, regionId)}).`);
      }
      await delay(this.runtime, this.config.schedulerHeartbeatTickMs, 'test/wait-for-operator');
    }
  }

  /** The store whose peer of region `regionId` is leader in the highest term, among stores that are up. */
  leaderOf(regionId: number): number | undefined {
    let best: { storeId: number; term: number } | undefined;
    for (const storeId of this.storeIds()) {
      const peer = this.peer(storeId, regionId);
      if (peer === undefined || !peer.isLeader()) continue;
      if (best === undefined || peer.term() > best.term) best = { storeId, term: peer.term() };
    }
    return best?.storeId;
  }

  /** Store `storeId`'s peer of region `regionId` as the region names it, or undefined. */
  peerMeta(regionId: number, storeId: number): PeerMeta | undefined {
    const region = this.scheduler.regionById(regionId);
    return region === undefined ? undefined : findPeerOnStore(region, storeId);
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

  /** Every region's apply state in store `storeId`'s durable kv engine (what survives a crash), in region-id order. */
  applyStates(storeId: number): { regionId: number; appliedIndex: number; truncatedIndex: number; truncatedTerm: number }[] {
    const kv = this.durableEngines(storeId).kv;
    return loadRegions(kv).flatMap((region) => {
      const bytes = kv.get(CF_DEFAULT, applyStateKey(region.id));
      if (bytes === undefined) return [];
      const state = decodeApplyState(bytes);
      return [{ regionId: region.id, appliedIndex: state.appliedIndex, truncatedIndex: state.truncatedState.index, truncatedTerm: state.truncatedState.term }];
    });
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
    throw this.failure('liveness', `No leader was elected within ${maxVirtualMs} virtual ms (now ${this.runtime.now()} ms).`);
  }

  /**
   * Sends a command to store `storeId` as a client would, and waits for its answer.
   *
   * @param storeId - where to send it.
   * @param command - the command (the kit gives it a request id, see {@link AnswerAuditor}).
   * @param timeoutMs - how long to wait (virtual ms) before answering `request-timeout`.
   * @param clientId - the test client sending it, if any (named in reports).
   * @returns the store's answer; `not-leader` without hint when the store is down (nothing reached it).
   * @throws ScenarioFailure `correctness` (the promise rejects) when a success answer belongs
   *   to another command (see {@link AnswerAuditor}).
   */
  sendCommand(storeId: number, command: RaftCmdRequest, timeoutMs: number, clientId?: number): Promise<RaftCmdResponse> {
    const request = this.answers.stamp(command, clientId);
    return new Promise((resolve, reject) => {
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
        const violation = this.answers.checkAnswer(storeId, request, response);
        if (violation !== undefined) reject(this.failure('correctness', violation));
        else resolve(response);
      };
      const node = this.node(storeId);
      const reached = node.run((process) => proposeAndNote(process.store, request, finish, this.answers));
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
      throw this.explain(classify(error, this.region.id, this.auditor));
    }
  }

  /** Drives the simulation for `durationMs` virtual ms (classifying failures as {@link run} does). */
  async runFor(durationMs: number): Promise<void> {
    try {
      await this.runtime.runFor(durationMs);
    } catch (error) {
      throw this.explain(classify(error, this.region.id, this.auditor));
    }
  }

  /**
   * Throws when the history is not proven linearizable or the auditor found a violation.
   *
   * @throws ScenarioFailure `correctness`.
   */
  assertSafe(): void {
    // The auditor's violations come first: they name the store and the rule, and they are
    // often why the history is not linearizable.
    if (this.auditor.violationCount > 0) {
      const atMs = this.firstViolationAtMs ?? this.runtime.now();
      throw this.failure('correctness', this.auditor.formatViolations(), { fromMs: Math.max(0, atMs - 300), toMs: atMs + 50 });
    }
    const reported = this.scheduler.violations ?? [];
    if (reported.length > 0) throw this.failure('correctness', `The scheduler saw ${reported.length} report(s) that break the rules of conf changes:\n  ${reported.slice(0, 5).join('\n  ')}`);
    const verdict = checkKvLinearizability(this.history.operations());
    if (verdict.result !== 'ok') {
      const event = linearizabilityTraceEvent(verdict);
      if (event) this.trace.record(event);
      const what = verdict.result === 'unknown' ? 'could not be proven linearizable (search budget exhausted)' : 'is not linearizable';
      const unordered = 'unorderedOperations' in verdict ? verdict.unorderedOperations : [];
      const origins = unordered.flatMap((operation) => {
        const where = this.answers.describeOperation(operation.id);
        return where === undefined ? [] : [`  op ${operation.id} (client ${operation.clientId}) was ${where}`];
      });
      const report = capLines(formatLinearizabilityResult(verdict), MAX_REPORT_LINES);
      const detail = [`The history of ${verdict.operationCount} client operations ${what}:`, report, ...(origins.length > 0 ? ['Where the operations it could not order were proposed:', ...origins.slice(0, 10)] : [])];
      const focus = unordered.length > 0 ? focusOn(unordered) : undefined;
      throw this.failure('correctness', detail.join('\n'), focus);
    }
  }

  /**
   * A failure of this cluster, with the stores' state and the replay and `--trace` commands.
   *
   * @param focus - where the timeline page should open (default: the last 400 virtual ms and 100 after).
   */
  failure(kind: ScenarioFailureKind, detail: string, focus?: FocusRange): ScenarioFailure {
    return new ScenarioFailure(kind, detail).withContext(clusterFailureContext(this, detail, focus));
  }

  /** Adds the stores' state and the replay commands to a failure that has none yet; other errors pass unchanged. */
  explain(error: unknown): unknown {
    return error instanceof ScenarioFailure ? error.withContext(clusterFailureContext(this, error.detail)) : error;
  }
}

/** The most lines of a linearizability report a failure prints (the rest are counted). */
const MAX_REPORT_LINES = 40;

function focusOn(operations: readonly { readonly invokeMs: number; readonly returnMs?: number }[]): FocusRange {
  const fromMs = Math.min(...operations.map((operation) => operation.invokeMs));
  const toMs = Math.max(...operations.map((operation) => (Number.isFinite(operation.returnMs) ? (operation.returnMs as number) : operation.invokeMs)));
  return { fromMs: Math.max(0, fromMs - 50), toMs: toMs + 50 };
}

/**
 * Proposes a command to a store and notes where it landed: when the store did not answer at
 * once and its peer's log grew, the command is the leader's new last entry.
 */
function proposeAndNote(store: Store, request: RaftCmdRequest, callback: (response: RaftCmdResponse) => void, answers: AnswerAuditor): void {
  const regionId = request.header.regionId;
  const before = logEnd(store, regionId);
  let answeredAtOnce = false;
  store.propose(request, (response) => {
    answeredAtOnce = true;
    callback(response);
  });
  const after = logEnd(store, regionId);
  const requestId = request.header.requestId;
  if (answeredAtOnce || requestId === undefined || before === undefined || after === undefined || after.lastIndex <= before.lastIndex) return;
  answers.noteProposed(requestId, { storeId: store.storeId, peerId: after.peerId, regionId, index: after.lastIndex, term: after.term });
}

/** The last index and term of a store's peer, or undefined when it has none or its Raft cannot tell (a stub). */
function logEnd(store: Store, regionId: number): { lastIndex: number; term: number; peerId: number } | undefined {
  try {
    const peer = store.peerOf(regionId)?.peer;
    if (peer === undefined) return undefined;
    return { lastIndex: peer.rawNode.raft.raftLog.lastIndex(), term: peer.rawNode.raft.term, peerId: peer.meta.id };
  } catch {
    // The store's own code reports its errors when it runs; this note is optional.
    return undefined;
  }
}

/** Virtual bytes per millisecond a link carries: a snapshot takes time proportional to its size (2C). */
export const SNAPSHOT_BYTES_PER_MS = 10_000;

/** How long a message's payload takes to cross a link: only snapshots are big enough to matter. */
function snapshotTransferMs(message: StoreMessage): number {
  const snapshot = message.message.snapshot;
  return snapshot === undefined ? 0 : Math.floor(snapshot.data.length / SNAPSHOT_BYTES_PER_MS);
}

function describeKnown(cluster: Cluster, regionId: number): string {
  const region = cluster.scheduler.regionById(regionId);
  if (region === undefined) return 'none';
  return `epoch ${region.epoch.confVer}/${region.epoch.version}, peers ${region.peers.map((peer) => `${peer.id}@${peer.storeId}`).join(', ')}`;
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

function classify(error: unknown, regionId: number, auditor: ClusterAuditor): unknown {
  if (error instanceof ScenarioFailure) return error;
  if (error instanceof SimulationStuckError) return new ScenarioFailure('liveness', error.message, error);
  if (error instanceof SimulationEventError) {
    // Owners are "store-<id>#<incarnation>" (SimNode's labels): name the store and its peer.
    const store = /^store-(\d+)#/.exec(error.owner);
    if (store === null) return new ScenarioFailure('crash', error.message, error);
    const cause = error.cause instanceof Error ? `${error.cause.name}: ${error.cause.message}` : String(error.cause);
    return new ScenarioFailure('crash', `${auditor.describePeer(Number(store[1]), regionId)} threw at virtual time ${error.virtualTimeMs} ms: ${cause}`, error.cause instanceof Error ? error.cause : error);
  }
  return error;
}
