// Goal: the same seed gives a byte-identical trace; a different seed gives a different one.
// Method: the synthetic ping workload (5 nodes pinging through a lossy, duplicating,
// reordering network with partitions, heals, crashes, injected write crashes and restarts,
// plus a probing client) run twice per seed for 3 virtual seconds, traces compared as text.
import { createPingCluster } from '../ping-workload';
import { formatTraceLine, Trace } from '../trace';

async function traceOf(seed: number): Promise<string> {
  const cluster = createPingCluster({ seed, trace: true });
  await cluster.run(3_000);
  return cluster.trace.text();
}

describe('trace', () => {
  test('the same seed gives a byte-identical trace of a faulty ping workload', async () => {
    const first = await traceOf(42);
    const second = await traceOf(42);
    expect(second).toBe(first);
    // The workload must actually exercise every kind of event, or the comparison proves little.
    const kinds = new Set(first.trim().split('\n').map((line) => (JSON.parse(line) as { kind: string }).kind));
    for (const kind of ['send', 'deliver', 'drop', 'duplicate', 'partition', 'heal', 'crash', 'restart', 'tick', 'invoke', 'return']) {
      expect(kinds).toContain(kind);
    }
    expect(first.split('\n').length).toBeGreaterThan(1_000);
  });

  test('a different seed gives a different trace', async () => {
    expect(await traceOf(43)).not.toBe(await traceOf(42));
  });

  test('every line is JSON with the virtual time first', async () => {
    const lines = (await traceOf(5)).trim().split('\n');
    let previousMs = 0;
    for (const line of lines.slice(0, 500)) {
      expect(line.startsWith('{"atMs":')).toBe(true);
      const atMs = (JSON.parse(line) as { atMs: number }).atMs;
      expect(atMs).toBeGreaterThanOrEqual(previousMs);
      previousMs = atMs;
    }
  });

  test('buffers are written as text when printable and as hex otherwise; a disabled trace keeps nothing', () => {
    expect(formatTraceLine(3, { kind: 'send', key: Buffer.from('k1'), raw: Buffer.from([0, 255]), big: 5n, none: undefined })).toBe(
      '{"atMs":3,"kind":"send","key":"k1","raw":"0x00ff","big":"5"}',
    );
    const disabled = Trace.disabled();
    disabled.record({ kind: 'role', node: 1 });
    expect(disabled.lines()).toEqual([]);
    const bounded = new Trace({ now: () => 0 }, { maxLines: 1 });
    bounded.record({ kind: 'a' });
    bounded.record({ kind: 'b' });
    expect(bounded.lines()).toHaveLength(1);
    expect(bounded.droppedLineCount).toBe(1);
  });
});
