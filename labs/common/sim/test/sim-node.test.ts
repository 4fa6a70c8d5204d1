// Goal: a simulated node behaves like a machine that can lose power: a crash (asked for, or
// injected at the Nth engine write) drops its memory, timers and network attachment but
// keeps its engines; a restart rebuilds the process from the engines alone.
// Method: a tiny counting process that persists every message it receives, on a reliable
// network, driven step by step.
import { CF_DEFAULT } from '../../engine/engine';
import { MemoryEngine } from '../../engine/memory-engine';
import { WriteBatch } from '../../engine/write-batch';
import { SimulatedRuntime } from '../../runtime/simulated-runtime';
import { SimulationEventError } from '../../runtime/simulation-errors';
import { SimNode, type SimNodeContext, type SimProcess } from '../sim-node';
import { SimulatedNetwork } from '../simulated-network';
import { Trace } from '../trace';

const COUNT_KEY = Buffer.from('count');

/** Counts messages in the kv engine; ticks every 10 ms; throws a TypeError on message -1. */
class Counter implements SimProcess<number> {
  count: number;
  ticks = 0;
  constructor(private readonly context: SimNodeContext<number, 'kv' | 'raft'>) {
    this.count = Number(context.engines.kv.get(CF_DEFAULT, COUNT_KEY)?.toString() ?? '0');
    const tick = () => {
      this.ticks++;
      context.runtime.setTimer(10, tick, 'tick');
    };
    context.runtime.setTimer(10, tick, 'tick');
  }
  receive(_from: number, message: number): void {
    if (message === -1) throw new TypeError('a bug in the store');
    this.context.engines.kv.write(new WriteBatch().put(CF_DEFAULT, COUNT_KEY, Buffer.from(String(this.count + 1))));
    this.count++;
  }
}

function setUp() {
  const runtime = new SimulatedRuntime({ seed: 1 });
  const trace = new Trace(runtime);
  const network = new SimulatedNetwork<number>({ runtime, trace });
  network.attach(9, () => {});
  const node = new SimNode<number, Counter, 'kv' | 'raft'>({
    nodeId: 1,
    runtime,
    network,
    trace,
    engines: { kv: new MemoryEngine(), raft: new MemoryEngine() },
    startProcess: (context) => new Counter(context),
  });
  const drainUntil = (timeMs: number) => {
    while ((runtime.pendingReport().groups[0]?.nextAtMs ?? Infinity) <= timeMs) runtime.step();
  };
  return { runtime, network, node, trace, drainUntil };
}

describe('SimNode', () => {
  test('a crash drops timers, memory and the network attachment; a restart recovers from the engines', () => {
    const { runtime, network, node, drainUntil } = setUp();
    node.start();
    for (let i = 0; i < 3; i++) network.send(9, 1, i);
    drainUntil(25);
    expect(node.process.count).toBe(3);
    expect(node.process.ticks).toBe(2);
    node.crash('power cut');
    expect(node.isUp).toBe(false);
    expect(() => node.process).toThrow(/Node 1 is down/);
    expect(runtime.pendingReport().groups.filter((group) => group.owner.startsWith('store-1'))).toEqual([]);
    network.send(9, 1, 3);
    drainUntil(100);
    expect(network.stats.dropped['node-down']).toBe(1);
    const restarted = node.restart();
    expect(node.incarnation).toBe(2);
    expect(restarted.count).toBe(3);
    expect(restarted.ticks).toBe(0);
    expect(runtime.pendingReport().groups.map((group) => group.owner)).toEqual(['store-1#2/tick']);
  });

  test('a crash injected at the Nth write loses that write and kills the node where it stands', () => {
    const { network, node, drainUntil, trace } = setUp();
    node.start();
    node.crashAtWrite(3);
    for (let i = 0; i < 5; i++) network.send(9, 1, i);
    drainUntil(5);
    expect(node.isUp).toBe(false);
    expect(node.crashHistory).toHaveLength(1);
    expect(node.crashHistory[0].signal?.writeNumber).toBe(3);
    expect(node.engines.kv.get(CF_DEFAULT, COUNT_KEY)?.toString()).toBe('2');
    expect(network.stats.dropped['node-down']).toBe(2);
    expect(trace.lines().some((line) => line.includes('"kind":"crash"') && line.includes('"writeNumber":3'))).toBe(true);
    expect(node.restart().count).toBe(2);
  });

  test('restart can arm a crash in the new incarnation', () => {
    const { network, node, drainUntil } = setUp();
    node.start();
    node.crash();
    node.restart({ crashAtWrite: 1 });
    network.send(9, 1, 0);
    drainUntil(5);
    expect(node.isUp).toBe(false);
    expect(node.engines.kv.get(CF_DEFAULT, COUNT_KEY)).toBeUndefined();
  });

  test('run enters the process under the crash guard and says whether it completed', () => {
    const { node } = setUp();
    expect(node.run(() => {})).toBe(false);
    node.start();
    node.crashAtWrite(1);
    expect(node.run((process) => process.receive(9, 0))).toBe(false);
    expect(node.isUp).toBe(false);
    node.restart();
    expect(node.run((process) => process.receive(9, 0))).toBe(true);
    expect(node.process.count).toBe(1);
  });

  test('an error that is not a crash signal is a bug and fails the run', () => {
    const { network, node, runtime } = setUp();
    node.start();
    network.send(9, 1, -1);
    expect(() => {
      while (runtime.step());
    }).toThrow(SimulationEventError);
    expect(node.isUp).toBe(true);
  });

  test('a process that fails to start leaves the node down, not half up', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const network = new SimulatedNetwork<number>({ runtime });
    let failing = true;
    const node = new SimNode<number, SimProcess<number>, 'kv'>({
      nodeId: 2,
      runtime,
      network,
      engines: { kv: new MemoryEngine() },
      startProcess: () => {
        if (failing) throw new RangeError('bad config');
        return { receive: () => {} };
      },
    });
    expect(() => node.start()).toThrow('bad config');
    expect(node.isUp).toBe(false);
    expect(network.isAttached(2)).toBe(false);
    expect(node.crashHistory[0].reason).toMatch(/failed to start: bad config/);
    failing = false;
    node.restart();
    expect(node.isUp).toBe(true);
  });

  test('refuses to start twice or restart a node that is up', () => {
    const { node } = setUp();
    expect(() => node.restart()).toThrow(/never started/);
    node.start();
    expect(() => node.start()).toThrow(/already up/);
    expect(() => node.restart()).toThrow(/crash it before restarting/);
    node.crash();
    expect(() => node.crash()).toThrow(/already down/);
    expect(() => node.crashAtWrite(1)).toThrow(/pass crashAtWrite to restart/);
  });
});
