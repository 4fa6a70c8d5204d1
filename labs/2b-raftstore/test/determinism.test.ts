// Goal: a 2B run is a pure function of its seed, so a failing seed can always be replayed.
// Method: run the same small cluster workload (elections, writes, a partition, a crash and a
// restart) twice with the trace on and compare the JSON-lines traces byte for byte; a
// different seed must give a different trace.
import { Cluster } from '../testkit/cluster';

async function tracedRun(seed: number): Promise<string> {
  const cluster = new Cluster({ seed, storeCount: 3, traceEnabled: true, link: { jitterMs: 5, duplicateProbability: 0.1 } });
  cluster.start();
  const leader = await cluster.waitForLeader();
  for (let i = 0; i < 5; i++) await cluster.run(cluster.client(1).mustPut(Buffer.from(`k${i}`), Buffer.from(`v${i}`)), 10_000, `put ${i}`);
  cluster.network.isolate(leader);
  await cluster.run(cluster.client(2).mustPut(Buffer.from('k0'), Buffer.from('after')), 10_000, 'the put after the isolation');
  cluster.crash(leader);
  cluster.network.heal();
  cluster.restart(leader);
  await cluster.runFor(500);
  cluster.assertSafe();
  return cluster.trace.text();
}

describe('[2B] determinism', () => {
  test('[2B] the same seed gives a byte-identical trace of elections, messages, client operations and crashes', async () => {
    const first = await tracedRun(11);
    const second = await tracedRun(11);
    expect(first.length).toBeGreaterThan(0);
    for (const kind of ['"kind":"role"', '"kind":"deliver"', '"kind":"invoke"', '"kind":"return"', '"kind":"crash"', '"kind":"restart"']) expect(first).toContain(kind);
    expect(second).toBe(first);
    expect(await tracedRun(12)).not.toBe(first);
  });
});
