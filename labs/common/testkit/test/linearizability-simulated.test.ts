// Goal: the recorder, the simulated network and the checker work together end to end: a
// single-server key/value service that deduplicates requests is linearizable under loss,
// duplication, reordering and client timeouts, and the same service without deduplication
// (duplicated appends applied twice) is caught.
// Method: one server node and five clients on a SimulatedNetwork; each client issues random
// get/put/append/scan requests, waits for the reply or a 40 ms timeout (unknown outcome), and
// every operation goes through a HistoryRecorder; the history is then checked.
import { delay } from '../../runtime/delay';
import { SimulatedRuntime } from '../../runtime/simulated-runtime';
import { SimulatedNetwork } from '../../sim/simulated-network';
import { HistoryRecorder } from '../history';
import { checkKvLinearizability, type KvInput, type KvOutput } from '../linearizability-kv-model';
import { forEachSeed } from '../seeds';

type Wire =
  | { readonly kind: 'request'; readonly client: number; readonly sequence: number; readonly input: KvInput }
  | { readonly kind: 'reply'; readonly sequence: number; readonly output: KvOutput };

const SERVER = 1;

function startServer(network: SimulatedNetwork<Wire>, deduplicate: boolean): void {
  const data = new Map<string, Buffer>();
  const lastReplyByClient = new Map<number, { sequence: number; output: KvOutput }>();
  const apply = (input: KvInput): KvOutput => {
    switch (input.kind) {
      case 'get':
        return { kind: 'get', value: data.get(input.key.toString('latin1')) };
      case 'put':
        data.set(input.key.toString('latin1'), input.value);
        return { kind: 'write' };
      case 'append':
        data.set(input.key.toString('latin1'), Buffer.concat([data.get(input.key.toString('latin1')) ?? Buffer.alloc(0), input.value]));
        return { kind: 'write' };
      case 'delete':
        data.delete(input.key.toString('latin1'));
        return { kind: 'write' };
      case 'scan': {
        const start = input.startKey.toString('latin1');
        const keys = [...data.keys()].filter((key) => key >= start).sort();
        return { kind: 'scan', pairs: keys.map((key) => ({ key: Buffer.from(key, 'latin1'), value: data.get(key) as Buffer })) };
      }
    }
  };
  network.attach(SERVER, (from, message) => {
    if (message.kind !== 'request') return;
    const last = lastReplyByClient.get(message.client);
    if (deduplicate && last !== undefined && last.sequence >= message.sequence) {
      if (last.sequence === message.sequence) network.send(SERVER, from, { kind: 'reply', sequence: last.sequence, output: last.output });
      return;
    }
    const output = apply(message.input);
    lastReplyByClient.set(message.client, { sequence: message.sequence, output });
    network.send(SERVER, from, { kind: 'reply', sequence: message.sequence, output });
  });
}

async function runClient(runtime: SimulatedRuntime, network: SimulatedNetwork<Wire>, recorder: HistoryRecorder<KvInput, KvOutput>, clientId: number, operations: number, withScans: boolean): Promise<void> {
  const rng = runtime.rng(`client-${clientId}`);
  const waiting = new Map<number, (output: KvOutput) => void>();
  network.attach(clientId, (_from, message) => {
    if (message.kind === 'reply') waiting.get(message.sequence)?.(message.output);
  });
  for (let sequence = 1; sequence <= operations; sequence++) {
    const key = Buffer.from(rng.pick(['a', 'b', 'c']));
    const choice = rng.int(0, withScans ? 3 : 2);
    const input: KvInput =
      choice === 0 ? { kind: 'get', key } : choice === 1 ? { kind: 'put', key, value: Buffer.from(`${clientId}.${sequence}`) } : choice === 2 ? { kind: 'append', key, value: Buffer.from(`${clientId}.${sequence};`) } : { kind: 'scan', startKey: Buffer.from('a') };
    const id = recorder.invoke(clientId, input);
    const reply = new Promise<KvOutput | undefined>((resolve) => {
      waiting.set(sequence, resolve);
      runtime.setTimer(40, () => resolve(undefined), `client-${clientId}/timeout`);
    });
    network.send(clientId, SERVER, { kind: 'request', client: clientId, sequence, input });
    const output = await reply;
    waiting.delete(sequence);
    if (output === undefined) recorder.completeUnknown(id, 'timeout');
    else recorder.complete(id, output);
    await delay(runtime, rng.int(0, 5), `client-${clientId}/think`);
  }
}

async function runService(seed: number, options: { deduplicate: boolean; withScans: boolean; duplicateProbability: number; operationsPerClient: number }) {
  const runtime = new SimulatedRuntime({ seed });
  const network = new SimulatedNetwork<Wire>({ runtime, defaultLink: { delayMs: 2, jitterMs: 15, dropProbability: 0.05, duplicateProbability: options.duplicateProbability } });
  const recorder = new HistoryRecorder<KvInput, KvOutput>({ clock: runtime });
  runtime.addPendingReporter(() => recorder.describeOpenOperations());
  startServer(network, options.deduplicate);
  const clients = [101, 102, 103, 104, 105].map((clientId) => runClient(runtime, network, recorder, clientId, options.operationsPerClient, options.withScans));
  await runtime.runUntil(Promise.all(clients), { maxVirtualMs: 60_000, description: 'the clients' });
  return { history: recorder.operations(), verdict: checkKvLinearizability(recorder.operations()) };
}

describe('linearizability checker on simulated services', () => {
  test('a deduplicating service is linearizable under loss, duplication, reordering and timeouts', () =>
    forEachSeed(5, async (seed) => {
      for (const withScans of [false, true]) {
        const { history, verdict } = await runService(seed, { deduplicate: true, withScans, duplicateProbability: 0.2, operationsPerClient: 40 });
        expect(history).toHaveLength(200);
        expect(history.some((operation) => operation.outcome === 'unknown')).toBe(true);
        expect(verdict.result === 'ok' ? 'ok' : verdict.explanation).toBe('ok');
      }
    }));

  // Refuting a history means exhausting every order, so this one uses shorter histories.
  test('a service that applies duplicated requests twice is caught', () =>
    forEachSeed(5, async (seed) => {
      const { verdict } = await runService(seed, { deduplicate: false, withScans: false, duplicateProbability: 0.3, operationsPerClient: 20 });
      expect(verdict.result).toBe('illegal');
      if (verdict.result === 'illegal') expect(verdict.unorderedOperations.length).toBeGreaterThan(0);
    }));
});
