// Goal: the history recorder stamps invoke and return with virtual time and with one event
// counter (the exact order within a millisecond), records unknown outcomes as open-ended,
// forgets discarded operations, and refuses to close an operation twice.
// Method: a recorder on a SimulatedRuntime clock advanced by hand.
import { SimulatedRuntime } from '../../runtime/simulated-runtime';
import { Trace } from '../../sim/trace';
import { HistoryRecorder } from '../history';

describe('HistoryRecorder', () => {
  test('records invoke and return virtual times, outputs and unknown outcomes', async () => {
    const runtime = new SimulatedRuntime({ seed: 1 });
    const trace = new Trace(runtime);
    const recorder = new HistoryRecorder<string, number>({ clock: runtime, trace });
    const first = recorder.invoke(1, 'get a');
    const second = recorder.invoke(2, 'put b');
    await runtime.runFor(30);
    recorder.complete(first, 7);
    await runtime.runFor(20);
    recorder.completeUnknown(second, 'timeout');
    const third = recorder.invoke(3, 'get c');
    expect(recorder.openCount).toBe(1);
    expect(recorder.describeOpenOperations()).toEqual(['client 3 waits for operation 3 ("get c") invoked at 50 ms']);
    expect(recorder.operations()).toEqual([
      { id: 1, clientId: 1, input: 'get a', invokeMs: 0, invokeSequence: 1, returnMs: 30, returnSequence: 3, outcome: 'ok', output: 7 },
      { id: 2, clientId: 2, input: 'put b', invokeMs: 0, invokeSequence: 2, returnMs: Infinity, returnSequence: Infinity, outcome: 'unknown' },
      { id: 3, clientId: 3, input: 'get c', invokeMs: 50, invokeSequence: 4, returnMs: Infinity, returnSequence: Infinity, outcome: 'unknown' },
    ]);
    recorder.discard(third);
    expect(recorder.operations().map((operation) => operation.id)).toEqual([1, 2]);
    expect(trace.lines()).toEqual([
      '{"atMs":0,"kind":"invoke","op":1,"client":1,"input":"get a"}',
      '{"atMs":0,"kind":"invoke","op":2,"client":2,"input":"put b"}',
      '{"atMs":30,"kind":"return","op":1,"client":1,"output":7}',
      '{"atMs":50,"kind":"return","op":2,"client":2,"outcome":"unknown","reason":"timeout"}',
      '{"atMs":50,"kind":"invoke","op":3,"client":3,"input":"get c"}',
      '{"atMs":50,"kind":"return","op":3,"client":3,"outcome":"discarded"}',
    ]);
  });

  test('numbers events in the order they happen, so that operations within one millisecond are ordered', () => {
    const recorder = new HistoryRecorder<string, number>({ clock: { now: () => 10 } });
    const first = recorder.invoke(1, 'put x');
    recorder.complete(first, 1);
    const second = recorder.invoke(2, 'get x');
    recorder.complete(second, 1);
    const [put, get] = recorder.operations();
    expect([put.invokeMs, put.returnMs, get.invokeMs, get.returnMs]).toEqual([10, 10, 10, 10]);
    expect(put.returnSequence).toBeLessThan(get.invokeSequence as number);
    expect([put.invokeSequence, put.returnSequence, get.invokeSequence, get.returnSequence]).toEqual([1, 2, 3, 4]);
  });

  test('refuses to close an operation twice or one that was never invoked', () => {
    const recorder = new HistoryRecorder<string, number>({ clock: { now: () => 0 } });
    const id = recorder.invoke(1, 'x');
    recorder.complete(id, 1);
    expect(() => recorder.complete(id, 2)).toThrow(/operation 1, which is already finished/);
    expect(() => recorder.completeUnknown(99 as typeof id)).toThrow(/operation 99, which is never invoked/);
  });
});
