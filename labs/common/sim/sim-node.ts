/**
 * A simulated node: one store process that can be started, crashed and restarted on the
 * same durable engines.
 *
 * @module
 */
import type { Engine } from '../engine/engine';
import { RuntimeScope } from '../runtime/runtime-scope';
import type { Runtime } from '../runtime/runtime';
import { CrashableEngine } from './crashable-engine';
import { CrashPlan } from './crash-plan';
import { isCrashSignal, type CrashSignal } from './crash-signal';
import type { SimulatedNetwork } from './simulated-network';
import { Trace } from './trace';

/** What a process gets when it starts: everything it may use to talk to the world. */
export interface SimNodeContext<TMessage, TEngineName extends string> {
  /** The node's id on the network. */
  readonly nodeId: number;
  /** 1 for the first start, 2 after the first restart, and so on. */
  readonly incarnation: number;
  /** `store-<id>#<incarnation>`: the prefix of this incarnation's timer owners and rng labels. */
  readonly label: string;
  /** This incarnation's runtime: its timers die with it. Use it for every timer, tick and random draw. */
  readonly runtime: Runtime;
  /** This incarnation's engines (crashable wrappers over the durable ones), by name. */
  readonly engines: Readonly<Record<TEngineName, Engine>>;
  /** Sends a message to another node through the simulated network. */
  send(to: number, message: TMessage): void;
  /** The run's trace: record role/term changes and tick batches here. */
  readonly trace: Trace;
}

/** The store process as the node sees it: something that receives messages. */
export interface SimProcess<TMessage> {
  /** Handles one delivered message. Runs to completion; may throw `CrashSignal` (let it). */
  receive(from: number, message: TMessage): void;
}

/** Options of {@link SimNode}. */
export interface SimNodeOptions<TMessage, TProcess extends SimProcess<TMessage>, TEngineName extends string> {
  /** The node's id on the network (a positive integer). */
  readonly nodeId: number;
  /** The simulation's runtime. */
  readonly runtime: Runtime;
  /** The network the node attaches to. */
  readonly network: SimulatedNetwork<TMessage>;
  /** The durable engines by name (`{ kv, raft }`): they outlive every incarnation. */
  readonly engines: Readonly<Record<TEngineName, Engine>>;
  /**
   * Builds the process of a new incarnation from its context. It must rebuild all its state
   * from `context.engines` (it has no other memory) and set up its timers on `context.runtime`.
   */
  readonly startProcess: (context: SimNodeContext<TMessage, TEngineName>) => TProcess;
  /** The run's trace (default: none). */
  readonly trace?: Trace;
  /** The label prefix (default `store`), giving `store-<id>#<incarnation>`. */
  readonly labelPrefix?: string;
}

/** Options of {@link SimNode.start} and {@link SimNode.restart}. */
export interface StartOptions {
  /** Arms an injected crash at this write of the new incarnation (1-based, across all its engines). */
  readonly crashAtWrite?: number;
}

/** What ended the last incarnation. */
export interface CrashRecord {
  /** Virtual time of the crash. */
  readonly atMs: number;
  /** Which incarnation died. */
  readonly incarnation: number;
  /** Why, in words. */
  readonly reason: string;
  /** The signal, for an injected crash at a write. */
  readonly signal?: CrashSignal;
}

/**
 * Hosts one store on the simulated network and plays the role of its machine: it starts
 * the process, delivers its messages, and crashes and restarts it.
 *
 * A crash (by {@link crash} or by a `CrashSignal` from an engine write) drops everything in
 * memory: the incarnation's timers are cancelled, the node is detached from the network
 * (messages for it are dropped), its engine wrappers refuse further use, and the process
 * object is forgotten. The durable engines keep what was written before. {@link restart}
 * builds a new incarnation over the same engines.
 *
 * Enter the process's code only through the node: messages come through the network, and a
 * client that calls the store directly uses {@link run}, so that a crash inside is caught.
 *
 * @example
 * ```ts
 * const node = new SimNode({ nodeId: 1, runtime, network, engines: { kv: new MemoryEngine(), raft: new MemoryEngine() },
 *   startProcess: (context) => new Store(context) });
 * node.start();
 * node.crash('power cut');
 * node.restart({ crashAtWrite: 3 }); // the new incarnation dies at its third write
 * ```
 */
export class SimNode<TMessage, TProcess extends SimProcess<TMessage>, TEngineName extends string = string> {
  /** The node's id. */
  readonly nodeId: number;
  private readonly runtime: Runtime;
  private readonly network: SimulatedNetwork<TMessage>;
  private readonly durableEngines: Readonly<Record<TEngineName, Engine>>;
  private readonly startProcess: (context: SimNodeContext<TMessage, TEngineName>) => TProcess;
  private readonly trace: Trace;
  private readonly labelPrefix: string;
  private incarnationNumber = 0;
  private current: { process: TProcess | undefined; scope: RuntimeScope; plan: CrashPlan } | undefined;
  private crashes: CrashRecord[] = [];

  /** @param options - id, runtime, network, durable engines and the process factory. */
  constructor(options: SimNodeOptions<TMessage, TProcess, TEngineName>) {
    if (!Number.isSafeInteger(options.nodeId) || options.nodeId < 1) {
      throw new RangeError(`SimNode was given node id ${options.nodeId}; pass a positive integer.`);
    }
    this.nodeId = options.nodeId;
    this.runtime = options.runtime;
    this.network = options.network;
    this.durableEngines = options.engines;
    this.startProcess = options.startProcess;
    this.trace = options.trace ?? Trace.disabled();
    this.labelPrefix = options.labelPrefix ?? 'store';
  }

  /** True while an incarnation is running. */
  get isUp(): boolean {
    return this.current !== undefined;
  }

  /** The number of the current (or last) incarnation; 0 before the first start. */
  get incarnation(): number {
    return this.incarnationNumber;
  }

  /** The durable engines (for assertions after a crash: what survived). */
  get engines(): Readonly<Record<TEngineName, Engine>> {
    return this.durableEngines;
  }

  /** Every crash so far, oldest first. */
  get crashHistory(): readonly CrashRecord[] {
    return this.crashes;
  }

  /** How many engine writes the current incarnation has made (0 when down). */
  get writeCount(): number {
    return this.current?.plan.writeCount ?? 0;
  }

  /**
   * The running process.
   *
   * @throws Error when the node is down.
   */
  get process(): TProcess {
    const process = this.current?.process;
    if (process === undefined) throw new Error(`Node ${this.nodeId} is down; restart it before using its process.`);
    return process;
  }

  /**
   * Starts a new incarnation: new engine wrappers, a new runtime scope, attached to the network.
   *
   * @param options - optionally arm a crash at one of the new incarnation's writes.
   * @returns the new process.
   * @throws Error when the node is already up, or when it crashed (injected crash) while
   *   starting; whatever the process's constructor threw otherwise (the node is then down).
   */
  start(options: StartOptions = {}): TProcess {
    if (this.current !== undefined) throw new Error(`Node ${this.nodeId} is already up; crash it before starting it again.`);
    this.incarnationNumber++;
    const label = `${this.labelPrefix}-${this.nodeId}#${this.incarnationNumber}`;
    const plan = new CrashPlan(label);
    if (options.crashAtWrite !== undefined) plan.crashAtWrite(options.crashAtWrite);
    const scope = new RuntimeScope(this.runtime, label, { onError: (error) => this.onProcessError(scope, error) });
    const engines = Object.fromEntries(
      Object.entries<Engine>(this.durableEngines).map(([name, engine]) => [name, new CrashableEngine(engine, { label: name, plan })]),
    ) as unknown as Record<TEngineName, Engine>;
    const incarnation = { process: undefined as TProcess | undefined, scope, plan };
    this.current = incarnation;
    this.trace.record({ kind: this.incarnationNumber === 1 ? 'start' : 'restart', node: this.nodeId, incarnation: this.incarnationNumber });
    this.network.attach(this.nodeId, (from, message) => {
      scope.run(() => incarnation.process?.receive(from, message));
    });
    const context: SimNodeContext<TMessage, TEngineName> = {
      nodeId: this.nodeId,
      incarnation: this.incarnationNumber,
      label,
      runtime: scope,
      engines,
      send: (to, message) => {
        // A dead incarnation still unwinding must not talk.
        if (!scope.isDisposed) this.network.send(this.nodeId, to, message);
      },
      trace: this.trace,
    };
    try {
      scope.run(() => {
        incarnation.process = this.startProcess(context);
      });
    } catch (error) {
      // Not a crash signal (those are absorbed by the scope): a bug in the process. Leave the node down, not half up.
      this.crashNow(`the process failed to start: ${error instanceof Error ? error.message : String(error)}`, undefined);
      throw error;
    }
    if (this.current !== incarnation) {
      throw new Error(`Node ${this.nodeId} crashed while its process was starting (${this.crashes.at(-1)?.reason}); restart it.`);
    }
    return this.process;
  }

  /**
   * Restarts a crashed node over the same durable engines.
   *
   * @param options - optionally arm a crash in the new incarnation.
   * @returns the new process.
   * @throws Error when the node is up (crash it first).
   */
  restart(options: StartOptions = {}): TProcess {
    if (this.current !== undefined) throw new Error(`Node ${this.nodeId} is up; crash it before restarting it.`);
    if (this.incarnationNumber === 0) throw new Error(`Node ${this.nodeId} was never started; call start() first.`);
    return this.start(options);
  }

  /**
   * Arms an injected crash in the running incarnation at its write number `writeNumber`
   * (1-based, counted from the incarnation's start, across its engines).
   *
   * @throws Error when the node is down; RangeError when that write already happened.
   */
  crashAtWrite(writeNumber: number): void {
    if (this.current === undefined) throw new Error(`Node ${this.nodeId} is down; pass crashAtWrite to restart() instead.`);
    this.current.plan.crashAtWrite(writeNumber);
  }

  /**
   * Crashes the node now: memory and timers are gone, engines keep their contents.
   *
   * @param reason - why, for the trace and the crash history.
   * @throws Error when the node is already down.
   */
  crash(reason = 'crashed by the test'): void {
    if (this.current === undefined) throw new Error(`Node ${this.nodeId} is already down.`);
    this.crashNow(reason, undefined);
  }

  /**
   * Runs `work` against the live process under the crash guard: the way for a client or a
   * test to call into the store directly. A `CrashSignal` inside crashes the node instead of
   * reaching the caller.
   *
   * @param work - what to do with the process.
   * @returns true when `work` ran to completion; false when the node is down or crashed inside.
   */
  run(work: (process: TProcess) => void): boolean {
    const incarnation = this.current;
    if (incarnation === undefined || incarnation.process === undefined) return false;
    const process = incarnation.process;
    return incarnation.scope.run(() => work(process));
  }

  private onProcessError(scope: RuntimeScope, error: unknown): void {
    if (!isCrashSignal(error)) throw error;
    // The signal may come from an incarnation that is already dead (code still unwinding).
    if (this.current !== undefined && this.current.scope === scope) this.crashNow(error.message, error);
  }

  private crashNow(reason: string, signal: CrashSignal | undefined): void {
    const incarnation = this.current;
    if (incarnation === undefined) return;
    this.current = undefined;
    incarnation.plan.kill();
    incarnation.scope.dispose();
    this.network.detach(this.nodeId);
    const record: CrashRecord = { atMs: this.runtime.now(), incarnation: this.incarnationNumber, reason, signal };
    this.crashes.push(record);
    this.trace.record({
      kind: 'crash',
      node: this.nodeId,
      incarnation: this.incarnationNumber,
      reason,
      writeNumber: signal?.writeNumber,
    });
  }
}
