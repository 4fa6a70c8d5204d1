// Goal: an injected crash loses exactly the armed write, keeps every earlier write in the
// durable engine, and makes the dead incarnation's engines refuse all further use.
// Method: CrashableEngine wrappers over a MemoryEngine; a second wrapper plays the restart.
import { CF_DEFAULT } from '../../engine/engine';
import { MemoryEngine } from '../../engine/memory-engine';
import { WriteBatch } from '../../engine/write-batch';
import { CrashableEngine } from '../crashable-engine';
import { CrashPlan } from '../crash-plan';
import { CrashSignal, isCrashSignal } from '../crash-signal';

const key = (name: string) => Buffer.from(name);
const put = (name: string, value: string) => new WriteBatch().put(CF_DEFAULT, key(name), Buffer.from(value));

describe('CrashableEngine', () => {
  test('the Nth write is lost and throws CrashSignal; earlier writes survive for the restart', () => {
    const durable = new MemoryEngine();
    const plan = new CrashPlan('store-1#1');
    const engine = new CrashableEngine(durable, { label: 'kv', plan });
    plan.crashAtWrite(3);
    engine.write(put('a', '1'));
    engine.write(put('b', '2'));
    let thrown: unknown;
    try {
      engine.write(put('c', '3'));
    } catch (error) {
      thrown = error;
    }
    expect(isCrashSignal(thrown)).toBe(true);
    expect((thrown as CrashSignal).writeNumber).toBe(3);
    expect((thrown as CrashSignal).message).toMatch(/store-1#1 crashed at its write number 3 \(to the kv engine\)/);
    expect(durable.get(CF_DEFAULT, key('a'))?.toString()).toBe('1');
    expect(durable.get(CF_DEFAULT, key('b'))?.toString()).toBe('2');
    expect(durable.get(CF_DEFAULT, key('c'))).toBeUndefined();
    const restarted = new CrashableEngine(durable, { label: 'kv' });
    expect(restarted.get(CF_DEFAULT, key('b'))?.toString()).toBe('2');
  });

  test('after the crash every call of the dead incarnation throws and changes nothing', () => {
    const durable = new MemoryEngine();
    const engine = new CrashableEngine(durable, { label: 'raft' });
    engine.plan.crashAtWrite(1);
    expect(() => engine.write(put('a', '1'))).toThrow(CrashSignal);
    expect(() => engine.write(put('b', '2'))).toThrow(CrashSignal);
    expect(() => engine.get(CF_DEFAULT, key('a'))).toThrow(CrashSignal);
    expect(() => engine.view()).toThrow(CrashSignal);
    expect(durable.get(CF_DEFAULT, key('b'))).toBeUndefined();
    expect(engine.plan.crashed).toBe(true);
  });

  test('the two engines of a store share one write count; empty batches do not count', () => {
    const plan = new CrashPlan('store-2#1');
    const kv = new CrashableEngine(new MemoryEngine(), { label: 'kv', plan });
    const raftDurable = new MemoryEngine();
    const raft = new CrashableEngine(raftDurable, { label: 'raft', plan });
    plan.crashAtWrite(3);
    raft.write(put('entry-1', 'x'));
    kv.write(new WriteBatch());
    kv.write(put('k', 'v'));
    expect(plan.writeCount).toBe(2);
    expect(() => raft.write(put('entry-2', 'y'))).toThrow(/write number 3 \(to the raft engine\)/);
    expect(raftDurable.get(CF_DEFAULT, key('entry-1'))).toBeDefined();
    expect(raftDurable.get(CF_DEFAULT, key('entry-2'))).toBeUndefined();
  });

  test('kill makes the engines refuse use without any write', () => {
    const engine = new CrashableEngine(new MemoryEngine(), { label: 'kv' });
    engine.write(put('a', '1'));
    engine.plan.kill();
    expect(() => engine.get(CF_DEFAULT, key('a'))).toThrow(/refuses further use/);
  });

  test('refuses to arm a crash at a write that already happened', () => {
    const engine = new CrashableEngine(new MemoryEngine(), { label: 'kv' });
    engine.write(put('a', '1'));
    expect(() => engine.plan.crashAtWrite(1)).toThrow(/greater than the 1 writes already made/);
    expect(() => engine.plan.crashAtWrite(0)).toThrow(RangeError);
  });

  test('close closes the wrapper only, the durable engine stays open', () => {
    const durable = new MemoryEngine();
    const engine = new CrashableEngine(durable, { label: 'kv' });
    engine.close();
    expect(engine.closed).toBe(true);
    expect(durable.closed).toBe(false);
    expect(() => engine.write(put('a', '1'))).toThrow(/after close\(\)/);
    expect(engine.backend).toBe('memory+crashable');
  });
});
