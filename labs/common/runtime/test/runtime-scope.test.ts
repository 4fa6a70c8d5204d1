// Goal: a runtime scope owns the timers of one process: disposing it cancels them all and
// refuses new ones; its error handler sees what its callbacks throw; labels carry its name.
// Method: a scope over a fresh SimulatedRuntime, stepped by hand.
import { delay } from '../delay';
import { RuntimeScope } from '../runtime-scope';
import { SimulatedRuntime } from '../simulated-runtime';

describe('RuntimeScope', () => {
  test('dispose cancels every pending timer of the scope and ignores new ones', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const scope = new RuntimeScope(runtime, 'store-1#1');
    const fired: string[] = [];
    scope.setTimer(10, () => fired.push('tick'), 'tick');
    scope.schedule(() => fired.push('soon'));
    runtime.setTimer(20, () => fired.push('outside'));
    expect(scope.pendingCount).toBe(2);
    scope.dispose();
    scope.setTimer(1, () => fired.push('after death'));
    while (runtime.step());
    expect(fired).toEqual(['outside']);
    expect(scope.isDisposed).toBe(true);
    expect(scope.run(() => fired.push('run'))).toBe(false);
  });

  test('prefixes owner labels and rng labels with the scope label', async () => {
    const runtime = new SimulatedRuntime({ seed: 5 });
    const scope = new RuntimeScope(runtime, 'store-2#3');
    scope.setTimer(50, () => {}, 'raft-tick');
    expect(runtime.pendingReport().groups.map((group) => group.owner)).toEqual(['store-2#3/raft-tick']);
    expect(scope.rng('raft').int(0, 1e9)).toBe(runtime.rng('store-2#3/raft').int(0, 1e9));
  });

  test('hands errors thrown by its callbacks to onError', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const caught: unknown[] = [];
    const scope = new RuntimeScope(runtime, 'p', { onError: (error) => caught.push(error) });
    scope.setTimer(1, () => {
      throw new Error('inside');
    });
    expect(scope.run(() => {
      throw new Error('entered');
    })).toBe(false);
    while (runtime.step());
    expect(caught.map((error) => (error as Error).message)).toEqual(['entered', 'inside']);
  });

  test('cancel ignores handles that belong to someone else', () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const scope = new RuntimeScope(runtime, 'p');
    let fired = false;
    const foreign = runtime.setTimer(1, () => (fired = true));
    scope.cancel(foreign);
    while (runtime.step());
    expect(fired).toBe(true);
  });

  test('delay on a scope resolves on the virtual clock', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const scope = new RuntimeScope(runtime, 'client-1');
    await runtime.runUntil(delay(scope, 250, 'backoff'), { maxVirtualMs: 1_000 });
    expect(runtime.now()).toBe(250);
  });
});
