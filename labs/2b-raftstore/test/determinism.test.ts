// Goal: a 2B run is a pure function of its seed, so a failing seed can always be replayed.
// Method: run the same small cluster workload (elections, writes, a partition, a crash and a
// restart) twice under one seed with the trace on and compare the JSON-lines traces line by
// line; the next seed must give a different trace. The seed comes from forEachSeed, so a
// failure prints it with the command that replays it, and a difference is shown as the first
// line where the two traces part, not as two whole traces.
import { forEachSeed } from '../../common/testkit/seeds';
import { Cluster } from '../testkit/cluster';

/** Kinds of trace event the workload must produce, or the comparison proves little. */
const EXPECTED_KINDS = ['role', 'deliver', 'invoke', 'return', 'crash', 'restart'];

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

/** Where two traces part: undefined when they are identical. */
function firstDifference(first: string, second: string): string | undefined {
  if (first === second) return undefined;
  const a = first.split('\n');
  const b = second.split('\n');
  let line = 0;
  while (line < a.length && line < b.length && a[line] === b[line]) line++;
  return `line ${line + 1} (of ${a.length} and ${b.length}): first run ${a[line] ?? '(trace ended)'} / second run ${b[line] ?? '(trace ended)'}`;
}

describe('[2B] determinism', () => {
  test('[2B] the same seed gives a byte-identical trace of elections, messages, client operations and crashes', () =>
    forEachSeed(1, async (seed) => {
      const first = await tracedRun(seed);
      const missingKinds = EXPECTED_KINDS.filter((kind) => !first.includes(`"kind":"${kind}"`));
      expect({ seed, missingKinds }).toEqual({ seed, missingKinds: [] });
      const difference = firstDifference(first, await tracedRun(seed));
      if (difference !== undefined) {
        throw new Error(
          `Two runs of seed ${seed} gave different traces, first at ${difference}. Something in the code under test depends on more than ` +
            'the seed: randomness or time not taken from the runtime it was given, real timers, or state kept between runs (a module-level variable).',
        );
      }
      const nextSeedIdentical = (await tracedRun(seed + 1)) === first;
      expect({ seed, nextSeedIdentical }).toEqual({ seed, nextSeedIdentical: false });
    }),
  );
});
