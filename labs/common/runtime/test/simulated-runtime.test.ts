// Goal: the simulated runtime runs events in (virtual time, sequence) order, lets promise
// continuations settle at the virtual time of the event that resolved them, is deterministic
// per seed, and reports a stuck run (time-limit, idle, event-limit) instead of hanging.
// Method: small hand-built scenarios on a fresh runtime; no real timers anywhere.
import { delay } from '../delay';
import { SimulatedRuntime } from '../simulated-runtime';
import { SimulationEventError, SimulationStuckError } from '../simulation-errors';

describe('SimulatedRuntime', () => {
  test('runs timers in due-time order and same-time timers in the order they were set', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const order: string[] = [];
    runtime.setTimer(30, () => order.push(`c@${runtime.now()}`));
    runtime.setTimer(10, () => order.push(`a@${runtime.now()}`));
    runtime.setTimer(10, () => order.push(`b@${runtime.now()}`));
    runtime.setTimer(0, () => order.push(`zero@${runtime.now()}`));
    while (runtime.step());
    expect(order).toEqual(['zero@0', 'a@10', 'b@10', 'c@30']);
    expect(runtime.now()).toBe(30);
    expect(runtime.eventsProcessed).toBe(4);
  });

  test('schedule runs after the work already queued for now, before later timers', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const order: string[] = [];
    runtime.setTimer(5, () => {
      order.push('first');
      runtime.schedule(() => order.push('scheduled by first'));
    });
    runtime.setTimer(5, () => order.push('second'));
    runtime.setTimer(6, () => order.push('later'));
    while (runtime.step());
    expect(order).toEqual(['first', 'second', 'scheduled by first', 'later']);
  });

  test('a cancelled timer never runs and cancelling twice is harmless', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    let fired = false;
    const handle = runtime.setTimer(10, () => (fired = true));
    runtime.cancel(handle);
    runtime.cancel(handle);
    expect(runtime.pendingEventCount).toBe(0);
    expect(runtime.step()).toBe(false);
    expect(fired).toBe(false);
  });

  test('rejects negative, fractional and non-finite delays with a clear message', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    expect(() => runtime.setTimer(-1, () => {})).toThrow(/non-negative integer/);
    expect(() => runtime.setTimer(1.5, () => {})).toThrow(/non-negative integer/);
    expect(() => runtime.setTimer(Number.POSITIVE_INFINITY, () => {})).toThrow(RangeError);
  });

  test('runFor runs what is due in the interval and moves the clock to its end', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const fired: number[] = [];
    runtime.setTimer(40, () => fired.push(runtime.now()));
    runtime.setTimer(120, () => fired.push(runtime.now()));
    await runtime.runFor(100);
    expect(fired).toEqual([40]);
    expect(runtime.now()).toBe(100);
    expect(runtime.pendingEventCount).toBe(1);
  });

  test('runUntil returns the value and promise continuations run at the virtual time of their event', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const seen: string[] = [];
    // A "client" doing three requests in a row, each answered 10 ms later, with async layers in between.
    const answer = (value: string) => new Promise<string>((resolve) => runtime.setTimer(10, () => resolve(value)));
    const layered = async (value: string) => {
      const got = await answer(value);
      await Promise.resolve();
      return got;
    };
    const client = async () => {
      for (const value of ['a', 'b', 'c']) seen.push(`${await layered(value)}@${runtime.now()}`);
      return 'done';
    };
    // A background timer at 15 ms must run after the first reply's continuation, not before it.
    runtime.setTimer(15, () => seen.push(`background@${runtime.now()}`));
    await expect(runtime.runUntil(client(), { maxVirtualMs: 1_000 })).resolves.toBe('done');
    expect(seen).toEqual(['a@10', 'background@15', 'b@20', 'c@30']);
  });

  test('runUntilTrue stops as soon as the condition holds and reports when it never does', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    let count = 0;
    const tick = () => {
      count++;
      runtime.setTimer(10, tick, 'counter');
    };
    runtime.setTimer(10, tick, 'counter');
    await runtime.runUntilTrue(() => count === 5, { maxVirtualMs: 1_000 });
    expect(runtime.now()).toBe(50);
    const error = await runtime.runUntilTrue(() => count < 0, { maxVirtualMs: 100, description: 'a negative count' }).catch((caught: unknown) => caught);
    expect((error as SimulationStuckError).message).toMatch(/waiting for a negative count at virtual time 150 ms/);
  });

  test('runUntil rethrows what the promise rejected with', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const failing = (async () => {
      await delay(runtime, 5);
      throw new Error('request failed');
    })();
    await expect(runtime.runUntil(failing, { maxVirtualMs: 100 })).rejects.toThrow('request failed');
    expect(runtime.now()).toBe(5);
  });

  test('a run that does not finish in virtual time reports the time reached and the pending timers by owner', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const tick = () => runtime.setTimer(100, tick, 'store-1/raft-tick');
    tick();
    runtime.addPendingReporter(() => ['client 1 waits for a put']);
    const never = new Promise<void>(() => {});
    const error = await runtime.runUntil(never, { maxVirtualMs: 1_000, description: 'the put' }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SimulationStuckError);
    const stuck = error as SimulationStuckError;
    expect(stuck.reason).toBe('time-limit');
    expect(stuck.virtualTimeMs).toBe(1_000);
    expect(stuck.pending.groups).toEqual([{ owner: 'store-1/raft-tick', count: 1, nextAtMs: 1_100 }]);
    expect(stuck.message).toMatch(/the put at virtual time 1000 ms/);
    expect(stuck.message).toMatch(/store-1\/raft-tick: 1 pending/);
    expect(stuck.message).toMatch(/client 1 waits for a put/);
  });

  test('a run with nothing left to do reports a deadlock at once instead of waiting', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    runtime.setTimer(20, () => {});
    const error = await runtime.runUntil(new Promise<void>(() => {}), { maxVirtualMs: 1_000_000 }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SimulationStuckError);
    expect((error as SimulationStuckError).reason).toBe('idle');
    expect((error as SimulationStuckError).virtualTimeMs).toBe(20);
    expect((error as SimulationStuckError).message).toMatch(/nothing was left to run/);
  });

  test('an event budget stops a run that keeps itself busy', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const spin = () => runtime.schedule(spin, 'spinner');
    spin();
    const error = await runtime.runUntil(new Promise<void>(() => {}), { maxVirtualMs: 10, maxEvents: 500 }).catch((caught: unknown) => caught);
    expect((error as SimulationStuckError).reason).toBe('event-limit');
    expect((error as SimulationStuckError).eventsProcessed).toBe(500);
    expect(runtime.now()).toBe(0);
  });

  test('an error thrown by a callback fails the run with its owner and virtual time', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    runtime.setTimer(7, () => {
      throw new TypeError('boom');
    }, 'store-3/apply');
    const error = await runtime.runFor(10).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SimulationEventError);
    expect((error as SimulationEventError).owner).toBe('store-3/apply');
    expect((error as SimulationEventError).virtualTimeMs).toBe(7);
    expect((error as SimulationEventError).cause).toBeInstanceOf(TypeError);
  });

  test('refuses more pending callbacks than its bound', () => {
    const runtime = new SimulatedRuntime({ seed: 1, maxPendingEvents: 3 });
    for (let i = 0; i < 3; i++) runtime.setTimer(1, () => {});
    expect(() => runtime.setTimer(1, () => {}, 'storm')).toThrow(/"storm" asked for one more/);
  });

  test('refuses to be driven from inside a run', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    let nested: Promise<void> | undefined;
    runtime.setTimer(1, () => {
      nested = runtime.runFor(1);
    });
    await runtime.runFor(5);
    await expect(nested).rejects.toThrow(/already being driven/);
  });

  test('cancelled timers do not pile up in the queue', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    // An election timer reset 100 000 times: each reset cancels the previous one.
    let handle = runtime.setTimer(1_000, () => {});
    for (let i = 0; i < 100_000; i++) {
      runtime.cancel(handle);
      handle = runtime.setTimer(1_000, () => {});
    }
    expect(runtime.pendingEventCount).toBe(1);
    expect((runtime as unknown as { queue: { size: number } }).queue.size).toBeLessThan(3_000);
  });

  test('rng streams depend only on the seed and the label', () => {
    const draw = (seed: number, labels: string[]) => {
      const runtime = new SimulatedRuntime({ seed });
      const streams = labels.map((label) => runtime.rng(label));
      return streams.map((rng) => Array.from({ length: 5 }, () => rng.int(0, 1_000_000)));
    };
    const [network] = draw(9, ['network']);
    const [, networkWithClient] = draw(9, ['client-1', 'network']);
    expect(networkWithClient).toEqual(network);
    expect(draw(10, ['network'])[0]).not.toEqual(network);
  });

  test('the same seed gives the same order of events for randomly timed work', () => {
    const run = (seed: number) => {
      const runtime = new SimulatedRuntime({ seed });
      const log: string[] = [];
      for (let worker = 0; worker < 5; worker++) {
        const rng = runtime.rng(`worker-${worker}`);
        const work = (round: number) => {
          log.push(`${runtime.now()}:${worker}:${round}`);
          if (round < 20) runtime.setTimer(rng.int(0, 30), () => work(round + 1));
        };
        runtime.setTimer(rng.int(0, 30), () => work(0));
      }
      while (runtime.step());
      return log;
    };
    expect(run(3)).toEqual(run(3));
    expect(run(3)).not.toEqual(run(4));
    expect(run(3)).toHaveLength(105);
  });
});
