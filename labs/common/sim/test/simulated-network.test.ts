// Goal: the simulated network delivers after the configured delay, reorders only with
// jitter, loses and duplicates messages at roughly the configured rates, honours partitions,
// isolation, heal and filters, bounds its queues, and draws per link from the seed.
// Method: small networks of recording nodes on a SimulatedRuntime; rates are measured over
// many messages under a fixed seed.
import { SimulatedRuntime } from '../../runtime/simulated-runtime';
import type { LinkOptions } from '../link-options';
import { SimulatedNetwork } from '../simulated-network';

interface Received {
  readonly atMs: number;
  readonly from: number;
  readonly to: number;
  readonly message: number;
}

function setUp(seed: number, defaultLink: Partial<LinkOptions> = {}, nodeIds: number[] = [1, 2, 3, 4, 5]) {
  const runtime = new SimulatedRuntime({ seed });
  const network = new SimulatedNetwork<number>({ runtime, defaultLink });
  const received: Received[] = [];
  for (const id of nodeIds) network.attach(id, (from, message) => received.push({ atMs: runtime.now(), from, to: id, message }));
  const drain = () => {
    while (runtime.step());
  };
  return { runtime, network, received, drain };
}

describe('SimulatedNetwork', () => {
  test('delivers each message after exactly delayMs when there is no jitter, in send order', () => {
    const { network, received, drain } = setUp(1, { delayMs: 7 });
    for (let i = 0; i < 5; i++) network.send(1, 2, i);
    drain();
    expect(received.map((r) => [r.atMs, r.message])).toEqual([[7, 0], [7, 1], [7, 2], [7, 3], [7, 4]]);
    expect(network.stats.delivered).toBe(5);
  });

  test('jitter spreads delays over [delayMs, delayMs + jitterMs] and reorders messages', () => {
    const { network, received, drain } = setUp(2, { delayMs: 5, jitterMs: 20 });
    for (let i = 0; i < 200; i++) network.send(1, 2, i);
    drain();
    expect(received).toHaveLength(200);
    expect(Math.min(...received.map((r) => r.atMs))).toBeGreaterThanOrEqual(5);
    expect(Math.max(...received.map((r) => r.atMs))).toBeLessThanOrEqual(25);
    const order = received.map((r) => r.message);
    expect(order).not.toEqual([...order].sort((a, b) => a - b));
  });

  test('drops about dropProbability of the messages', () => {
    const { network, received, drain } = setUp(3, { dropProbability: 0.3 });
    for (let i = 0; i < 10_000; i++) network.send(1, 2, i);
    drain();
    const lostRate = network.stats.dropped.lost / 10_000;
    expect(lostRate).toBeGreaterThan(0.27);
    expect(lostRate).toBeLessThan(0.33);
    expect(received.length + network.stats.dropped.lost).toBe(10_000);
  });

  test('duplicates about duplicateProbability of the messages, each copy delivered', () => {
    const { network, received, drain } = setUp(4, { duplicateProbability: 0.2, maxQueuedMessages: 50_000 });
    for (let i = 0; i < 10_000; i++) network.send(1, 2, i);
    drain();
    const duplicateRate = network.stats.duplicated / 10_000;
    expect(duplicateRate).toBeGreaterThan(0.17);
    expect(duplicateRate).toBeLessThan(0.23);
    expect(received).toHaveLength(10_000 + network.stats.duplicated);
  });

  test('a partition cuts links between groups only, both ways, and leaves unnamed nodes connected', () => {
    const { network, received, drain } = setUp(5);
    network.partition([[1, 2], [3, 4]]);
    for (const [from, to] of [[1, 2], [2, 1], [1, 3], [3, 1], [4, 2], [3, 4], [5, 1], [3, 5]]) network.send(from, to, from * 10 + to);
    drain();
    expect(received.map((r) => r.message).sort((a, b) => a - b)).toEqual([12, 21, 34, 35, 51]);
    expect(network.stats.dropped.partition).toBe(3);
    expect(network.canReach(1, 3)).toBe(false);
    expect(network.canReach(5, 3)).toBe(true);
  });

  test('isolate cuts one node from everyone and heal restores every link', () => {
    const { network, received, drain } = setUp(6);
    network.isolate(3);
    network.send(3, 1, 31);
    network.send(5, 3, 53);
    network.send(1, 2, 12);
    drain();
    expect(received.map((r) => r.message)).toEqual([12]);
    network.heal();
    network.send(3, 1, 31);
    drain();
    expect(received.map((r) => r.message)).toEqual([12, 31]);
  });

  test('a message in flight when its link is cut is dropped on arrival', () => {
    const { network, received, drain, runtime } = setUp(7, { delayMs: 10 });
    network.send(1, 2, 1);
    runtime.setTimer(5, () => network.partition([[1], [2]]));
    drain();
    expect(received).toHaveLength(0);
    expect(network.stats.dropped.partition).toBe(1);
  });

  test('rejects a node placed in two partition groups', () => {
    const { network } = setUp(8);
    expect(() => network.partition([[1, 2], [2, 3]])).toThrow(/Node 2 appears in two partition groups/);
  });

  test('filters drop matching messages by direction and predicate until removed', () => {
    const { network, received, drain } = setUp(9);
    const evens = network.addFilter({ name: 'drop-even', matches: (message) => message % 2 === 0 });
    const oneToTwo = network.addFilter({ name: 'cut 1->2', from: 1, to: 2 });
    network.send(1, 2, 1);
    network.send(2, 1, 3);
    network.send(2, 1, 4);
    network.send(1, 3, 5);
    drain();
    expect(received.map((r) => r.message)).toEqual([3, 5]);
    expect(network.stats.dropped.filter).toBe(2);
    network.removeFilter(oneToTwo);
    network.send(1, 2, 7);
    network.send(1, 2, 8);
    drain();
    expect(received.map((r) => r.message)).toEqual([3, 5, 7]);
    network.removeFilter(evens);
    network.send(1, 2, 8);
    drain();
    expect(received.map((r) => r.message)).toEqual([3, 5, 7, 8]);
  });

  test('a full link drops further messages and a detached node drops arrivals', () => {
    const { network, received, drain } = setUp(10, { maxQueuedMessages: 3 });
    for (let i = 0; i < 5; i++) network.send(1, 2, i);
    expect(network.inFlight(1, 2)).toBe(3);
    network.detach(3);
    network.send(1, 3, 99);
    drain();
    expect(received.map((r) => r.message)).toEqual([0, 1, 2]);
    expect(network.stats.dropped['queue-full']).toBe(2);
    expect(network.stats.dropped['node-down']).toBe(1);
    expect(network.inFlight(1, 2)).toBe(0);
  });

  test('per-link overrides change one direction only', () => {
    const { network, received, drain } = setUp(11, { delayMs: 1 });
    network.setLink(1, 2, { delayMs: 50 });
    network.send(1, 2, 12);
    network.send(2, 1, 21);
    drain();
    expect(received.map((r) => [r.message, r.atMs])).toEqual([[21, 1], [12, 50]]);
    expect(() => network.setLink(1, 2, { dropProbability: 2 })).toThrow(/dropProbability is 2/);
  });

  test('traffic on another link does not change the fates drawn on a link', () => {
    const fates = (extraTraffic: boolean) => {
      const { network, received, drain } = setUp(12, { dropProbability: 0.5, jitterMs: 10 });
      for (let i = 0; i < 50; i++) {
        network.send(1, 2, i);
        if (extraTraffic) network.send(3, 4, i);
      }
      drain();
      return received.filter((r) => r.to === 2).map((r) => `${r.message}@${r.atMs}`);
    };
    expect(fates(true)).toEqual(fates(false));
  });
});
