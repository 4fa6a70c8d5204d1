/**
 * A synthetic workload for the simulator itself: nodes that ping each other and persist
 * what they receive, under network faults, crashes and restarts. It exercises every part of
 * the simulator (runtime, network, crashable engines, nodes, trace, history) without any
 * store, and serves the determinism test, the benchmark and as a worked example of
 * {@link SimNode}.
 *
 * @module
 */
import { CF_DEFAULT } from '../engine/engine';
import type { Engine } from '../engine/engine';
import { MemoryEngine } from '../engine/memory-engine';
import { WriteBatch } from '../engine/write-batch';
import type { Rng } from '../runtime/rng';
import { SimulatedRuntime } from '../runtime/simulated-runtime';
import { HistoryRecorder } from '../testkit/history';
import type { LinkOptions } from './link-options';
import { SimNode, type SimNodeContext, type SimProcess } from './sim-node';
import { SimulatedNetwork } from './simulated-network';
import { Trace } from './trace';

/** A message of the ping workload. */
export interface PingMessage {
  /** `ping` asks for a `pong`. */
  readonly kind: 'ping' | 'pong';
  /** The sender's sequence number. */
  readonly sequence: number;
}

const RECEIVED_KEY = Buffer.from('received-pings');

/**
 * One ping process: pings a random peer every interval, persists every ping it receives.
 * Read it as the smallest example of a process hosted by a {@link SimNode}: state rebuilt
 * from the engines in the constructor, timers on the context's runtime, persist before reply.
 *
 * @example
 * ```ts
 * new SimNode({ nodeId: 1, runtime, network, engines: { kv: new MemoryEngine() },
 *   startProcess: (context) => new PingProcess(context, [2, 3], 10) });
 * ```
 */
export class PingProcess implements SimProcess<PingMessage> {
  private readonly rng: Rng;
  private sequence = 0;
  private sentSinceTrace = 0;
  /** Pings received over the node's whole life, read back from the engine at start. */
  receivedPings: number;

  /**
   * @param context - the node context.
   * @param peers - the other nodes' ids.
   * @param pingIntervalMs - the mean time between two pings.
   */
  constructor(
    private readonly context: SimNodeContext<PingMessage, 'kv'>,
    private readonly peers: readonly number[],
    private readonly pingIntervalMs: number,
  ) {
    this.rng = context.runtime.rng('ping');
    const stored = context.engines.kv.get(CF_DEFAULT, RECEIVED_KEY);
    this.receivedPings = stored === undefined ? 0 : stored.readUInt32BE(0);
    this.armTimer();
  }

  /** Counts (and persists) a ping and answers it; ignores pongs. */
  receive(from: number, message: PingMessage): void {
    if (message.kind === 'pong') return;
    const count = Buffer.alloc(4);
    count.writeUInt32BE(this.receivedPings + 1, 0);
    // Persist before answering: the answer promises the ping was counted.
    this.context.engines.kv.write(new WriteBatch().put(CF_DEFAULT, RECEIVED_KEY, count));
    this.receivedPings++;
    this.context.send(from, { kind: 'pong', sequence: message.sequence });
  }

  private armTimer(): void {
    const delayMs = this.rng.int(1, 2 * this.pingIntervalMs);
    this.context.runtime.setTimer(delayMs, () => this.ping(), 'ping-timer');
  }

  private ping(): void {
    this.context.send(this.rng.pick(this.peers), { kind: 'ping', sequence: ++this.sequence });
    if (++this.sentSinceTrace === 5) {
      this.context.trace.record({ kind: 'tick', node: this.context.nodeId, ticks: this.sentSinceTrace });
      this.sentSinceTrace = 0;
    }
    this.armTimer();
  }
}

/** Options of {@link createPingCluster}. */
export interface PingClusterOptions {
  /** The run's seed. */
  readonly seed: number;
  /** How many nodes (default 5). */
  readonly nodeCount?: number;
  /** Link behaviour (default: 2 ms delay, 8 ms jitter, 10% loss, 5% duplicates). */
  readonly link?: Partial<LinkOptions>;
  /** Mean virtual ms between two pings of a node (default 10). */
  readonly pingIntervalMs?: number;
  /** Virtual ms between two fault draws (partition, heal, crash, restart, armed crash); 0 for none (default 50). */
  readonly faultIntervalMs?: number;
  /** Whether to keep a trace (default false). */
  readonly trace?: boolean;
}

/** A running ping cluster. */
export interface PingCluster {
  readonly runtime: SimulatedRuntime;
  readonly network: SimulatedNetwork<PingMessage>;
  readonly nodes: readonly SimNode<PingMessage, PingProcess, 'kv'>[];
  readonly trace: Trace;
  /** Records a "read the counter of a node" client operation every 25 virtual ms. */
  readonly history: HistoryRecorder<{ node: number }, number>;
  /** Runs the cluster for `durationMs` virtual milliseconds. */
  run(durationMs: number): Promise<void>;
}

/**
 * Builds a ping cluster: nodes `1..nodeCount` on a lossy network, a fault injector drawing
 * from `runtime.rng('faults')`, and a probing client that records its reads in a history.
 *
 * @example
 * ```ts
 * const cluster = createPingCluster({ seed: 7, trace: true });
 * await cluster.run(2_000);
 * cluster.trace.text(); // identical for every run with seed 7
 * ```
 */
export function createPingCluster(options: PingClusterOptions): PingCluster {
  const nodeCount = options.nodeCount ?? 5;
  const pingIntervalMs = options.pingIntervalMs ?? 10;
  const faultIntervalMs = options.faultIntervalMs ?? 50;
  const runtime = new SimulatedRuntime({ seed: options.seed });
  const trace = options.trace ? new Trace(runtime) : Trace.disabled();
  const network = new SimulatedNetwork<PingMessage>({
    runtime,
    trace,
    defaultLink: options.link ?? { delayMs: 2, jitterMs: 8, dropProbability: 0.1, duplicateProbability: 0.05 },
    describeMessage: (message) => `${message.kind}#${message.sequence}`,
  });
  const ids = Array.from({ length: nodeCount }, (_, index) => index + 1);
  const nodes = ids.map(
    (nodeId) =>
      new SimNode<PingMessage, PingProcess, 'kv'>({
        nodeId,
        runtime,
        network,
        trace,
        engines: { kv: new MemoryEngine() as Engine },
        startProcess: (context) => new PingProcess(context, ids.filter((id) => id !== nodeId), pingIntervalMs),
      }),
  );
  nodes.forEach((node) => node.start());
  const history = new HistoryRecorder<{ node: number }, number>({ clock: runtime, trace });
  runtime.addPendingReporter(() => history.describeOpenOperations());
  if (faultIntervalMs > 0) armFaults(runtime, network, nodes, faultIntervalMs);
  armProbe(runtime, nodes, history);
  return { runtime, network, nodes, trace, history, run: (durationMs) => runtime.runFor(durationMs) };
}

function armFaults(runtime: SimulatedRuntime, network: SimulatedNetwork<PingMessage>, nodes: readonly SimNode<PingMessage, PingProcess, 'kv'>[], intervalMs: number): void {
  const rng = runtime.rng('faults');
  const ids = nodes.map((node) => node.nodeId);
  const injectFault = () => {
    const up = nodes.filter((node) => node.isUp);
    const down = nodes.filter((node) => !node.isUp);
    switch (rng.int(0, 4)) {
      case 0: {
        const shuffled = rng.shuffle(ids);
        const cut = rng.int(1, ids.length - 1);
        network.partition([shuffled.slice(0, cut), shuffled.slice(cut)]);
        break;
      }
      case 1:
        network.heal();
        break;
      case 2:
        if (up.length > 1) rng.pick(up).crash('crashed by the fault injector');
        break;
      case 3:
        if (down.length > 0) rng.pick(down).restart({ crashAtWrite: rng.chance(0.5) ? rng.int(1, 5) : undefined });
        break;
      default:
        if (up.length > 0) {
          const node = rng.pick(up);
          node.crashAtWrite(node.writeCount + rng.int(1, 3));
        }
    }
    runtime.setTimer(intervalMs, injectFault, 'fault-injector');
  };
  runtime.setTimer(intervalMs, injectFault, 'fault-injector');
}

function armProbe(runtime: SimulatedRuntime, nodes: readonly SimNode<PingMessage, PingProcess, 'kv'>[], history: HistoryRecorder<{ node: number }, number>): void {
  const rng = runtime.rng('client-1');
  const probe = () => {
    const node = rng.pick(nodes);
    const id = history.invoke(1, { node: node.nodeId });
    let count: number | undefined;
    node.run((process) => (count = process.receivedPings));
    if (count === undefined) history.completeUnknown(id, 'node down');
    else history.complete(id, count);
    runtime.setTimer(25, probe, 'client-1/probe');
  };
  runtime.setTimer(25, probe, 'client-1/probe');
}
