// Goal: the trace page draws what the trace says — one lane per store, an arrow per delivery,
// an X per drop, role segments in their legend colours, crash and partition bands, a bar per
// client operation, the operations a linearizability verdict flagged and the auditor's
// violations marked in red at their time — opens on the time range in its address
// (`page.html#t=100-200`), and is byte-for-byte deterministic and safe against `</script>`.
// Method: a known trace is recorded through the real simulator (3 ping nodes under a fixed
// seed, a scripted partition, crash and restart, role events recorded the way a store records
// them — `Leader`, with a region — a cluster layout event, key/value client operations, the
// real checker's verdict and a real auditor violation). Unit tests check the model and the
// HTML text without a browser; the browser tests render the page in headless Chromium
// (`--dump-dom`, after its script ran) and count the drawn elements by class, then take a
// screenshot and read the colour of each role segment's pixels from it (the screenshot is
// decoded by Chromium itself, on a canvas). Chromium is installed by scripts/ensure-chromium.sh;
// when it cannot be, the browser tests fail and say why.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { MemoryEngine } from '../../labs/common/engine/memory-engine';
import type { Engine } from '../../labs/common/engine/engine';
import { SimulatedRuntime } from '../../labs/common/runtime/simulated-runtime';
import { PingProcess, type PingMessage } from '../../labs/common/sim/ping-workload';
import { SimNode } from '../../labs/common/sim/sim-node';
import { SimulatedNetwork } from '../../labs/common/sim/simulated-network';
import { linearizabilityTraceEvent, Trace } from '../../labs/common/sim/trace';
import { ClusterAuditor } from '../../labs/common/testkit/cluster-auditor';
import { HistoryRecorder } from '../../labs/common/testkit/history';
import { checkKvLinearizability, type KvInput, type KvOutput } from '../../labs/common/testkit/linearizability-kv-model';
import { kitPath } from '../src/repo-paths';
import { escapeHtml, jsonForScriptTag, renderTracePage, writeTracePage } from '../src/trace-page';
import { buildTracePageModel, TraceParseError } from '../src/trace-page-model';
import { ROLE_COLOURS } from '../src/trace-page-script';

const CHROMIUM = '/usr/bin/chromium';
const WINDOW_SIZE = '1400,900';
const SEED = 7;

/** Records the known scenario through the real simulator and returns its trace lines. */
async function recordKnownTrace(): Promise<string[]> {
  const runtime = new SimulatedRuntime({ seed: SEED });
  const trace = new Trace(runtime);
  const network = new SimulatedNetwork<PingMessage>({
    runtime,
    trace,
    defaultLink: { delayMs: 3, jitterMs: 12, dropProbability: 0.1, duplicateProbability: 0.05 },
    describeMessage: (message) => `${message.kind}#${message.sequence}`,
  });
  const ids = [1, 2, 3];
  const nodes = ids.map(
    (nodeId) =>
      new SimNode<PingMessage, PingProcess, 'kv'>({
        nodeId,
        runtime,
        network,
        trace,
        engines: { kv: new MemoryEngine() as Engine },
        startProcess: (context) => new PingProcess(context, ids.filter((id) => id !== nodeId), 20),
      }),
  );
  nodes.forEach((node) => node.start());
  const history = new HistoryRecorder<KvInput, KvOutput>({
    clock: runtime,
    trace,
    describeInput: (input) => ('key' in input ? `${input.kind} ${input.key.toString()}${'value' in input ? `=${input.value.toString()}` : ''}` : input.kind),
    describeOutput: (output) => (output.kind === 'get' ? `value ${output.value?.toString() ?? 'absent'}` : output.kind),
  });
  const at = (atMs: number, action: () => void) => runtime.setTimer(atMs, action, 'scenario');
  // As the cluster kit does: its layout first, and every violation the auditor finds.
  trace.record({ kind: 'cluster', stores: ids, regions: [{ id: 1, peers: ids.map((storeId) => ({ id: storeId + 10, storeId })) }] });
  const auditor = new ClusterAuditor(new Map(), {
    onViolation: (violation) => trace.record({ kind: 'violation', node: violation.storeId, region: violation.regionId, text: violation.text }),
  });
  // As a store records them: StateType values (capitalised), with the region.
  const role = (node: number, name: 'Leader' | 'Candidate' | 'Follower', term: number) => {
    trace.record({ kind: 'role', node, region: 1, role: name, term });
    auditor.checkRole(node, 1, name, term);
  };
  at(5, () => role(1, 'Candidate', 2));
  at(8, () => [role(1, 'Leader', 2), role(2, 'Follower', 2), role(3, 'Follower', 2)]);
  at(80, () => network.partition([[1], [2, 3]]));
  at(100, () => role(2, 'Candidate', 3));
  at(105, () => role(2, 'Leader', 3));
  at(150, () => role(3, 'Leader', 3)); // a second leader in term 3: the auditor's violation
  at(160, () => network.heal());
  at(165, () => role(1, 'Follower', 3));
  at(190, () => nodes[2].crash('crashed by the scenario'));
  at(250, () => nodes[2].restart());
  // put x=1, then a get that sees 2 before anyone wrote 2: not linearizable.
  const x = Buffer.from('x');
  at(20, () => {
    const put = history.invoke(1, { kind: 'put', key: x, value: Buffer.from('1') });
    at(10, () => history.complete(put, { kind: 'write' }));
  });
  at(120, () => {
    const get = history.invoke(2, { kind: 'get', key: x });
    at(12, () => history.complete(get, { kind: 'get', value: Buffer.from('2') }));
  });
  at(200, () => {
    const put = history.invoke(1, { kind: 'put', key: x, value: Buffer.from('2') });
    at(15, () => history.complete(put, { kind: 'write' }));
  });
  at(230, () => {
    const get = history.invoke(2, { kind: 'get', key: x });
    at(20, () => history.completeUnknown(get, 'timeout'));
  });
  await runtime.runFor(300);
  const event = linearizabilityTraceEvent(checkKvLinearizability(history.operations()));
  if (event === undefined) throw new Error('The scenario was built to be non-linearizable but the checker passed it; fix the scenario.');
  trace.record(event);
  return [...trace.lines()];
}

/** What the trace says the page must draw, counted straight from its lines. */
function expectedCounts(lines: readonly string[]) {
  const events = lines.map((line) => JSON.parse(line) as { kind: string; unordered?: number[]; op?: number });
  const count = (kind: string) => events.filter((event) => event.kind === kind).length;
  const verdict = events.find((event) => event.kind === 'linearizability');
  return {
    deliveries: count('deliver'),
    drops: count('drop'),
    crashes: count('crash'),
    partitions: count('partition') + count('isolate'),
    roles: count('role'),
    violations: count('violation'),
    operations: count('invoke'),
    flagged: [...new Set(verdict?.unordered ?? [])].sort((left, right) => left - right),
  };
}

/** The elements of a DOM dump whose class list contains `className` (scripts removed first). */
function elementsWithClass(dom: string, className: string): string[] {
  const markup = dom.replace(/<script\b[\s\S]*?<\/script>/g, '');
  const tags = markup.match(/<[a-zA-Z]+\s[^>]*>/g) ?? [];
  return tags.filter((tag) => /\sclass="([^"]*)"/.exec(tag)?.[1].split(/\s+/).includes(className) ?? false);
}

function attribute(tag: string, name: string): string | undefined {
  return new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];
}

function chromiumArgs(profileDir: string): string[] {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    `--user-data-dir=${profileDir}`,
    '--virtual-time-budget=5000',
    // The DOM dumps and the screenshot must lay the page out alike, at one device pixel per CSS pixel.
    `--window-size=${WINDOW_SIZE}`,
    '--force-device-scale-factor=1',
    '--hide-scrollbars',
  ];
}

let knownTrace: string[];

beforeAll(async () => {
  knownTrace = await recordKnownTrace();
});

describe('trace page model and HTML', () => {
  test('[trace] the known trace exercises every drawn feature', () => {
    const expected = expectedCounts(knownTrace);
    expect(expected.deliveries).toBeGreaterThan(20);
    expect(expected.drops).toBeGreaterThan(0);
    expect(expected.crashes).toBe(1);
    expect(expected.partitions).toBe(1);
    expect(expected.operations).toBe(4);
    expect(expected.flagged.length).toBeGreaterThan(0);
    expect(expected.violations).toBe(1);
    // Messages carry ids, and a duplicate names its original.
    const sends = knownTrace.filter((line) => line.includes('"kind":"send"'));
    expect(sends.every((line) => /"msg":\d+/.test(line))).toBe(true);
    const duplicate = knownTrace.find((line) => line.includes('"kind":"duplicate"'));
    expect(duplicate).toMatch(/"msg":\d+,"of":\d+/);
  });

  test('[trace] the model pairs every delivery with its send and closes bands at restart and heal', () => {
    const model = buildTracePageModel(knownTrace);
    const expected = expectedCounts(knownTrace);
    expect(model.nodes).toEqual([1, 2, 3]);
    expect(model.nodeNoun).toBe('store');
    expect(model.laneLabels).toEqual([1, 2, 3].map((node) => ({ node, label: `store ${node}`, detail: `peer ${node + 10} (r1)` })));
    expect(model.clients).toEqual([1, 2]);
    expect(model.arrows).toHaveLength(expected.deliveries);
    expect(model.arrows.every((arrow) => arrow.sentMs <= arrow.deliveredMs && arrow.deliveredMs - arrow.sentMs <= 15)).toBe(true);
    expect(model.drops).toHaveLength(expected.drops);
    expect(model.crashes).toEqual([{ node: 3, startMs: 190, endMs: 250, reason: 'crashed by the scenario' }]);
    expect(model.partitions).toEqual([{ kind: 'partition', groups: [[1], [2, 3]], startMs: 80, endMs: 160 }]);
    expect(model.roles.find((segment) => segment.node === 1 && segment.role === 'leader')).toEqual({ node: 1, region: 1, role: 'leader', term: 2, startMs: 8, endMs: 165 });
    expect(model.violations).toEqual([{ node: 3, region: 1, atMs: 150, text: expect.stringContaining('were both leader in term 3') }]);
    expect(model.operations.map((operation) => operation.id)).toEqual([1, 2, 3, 4]);
    expect(model.operations[3]).toMatchObject({ outcome: 'unknown', returnMs: model.endMs });
    expect(model.operations.filter((operation) => operation.flagged === 'illegal').map((operation) => operation.id)).toEqual(expected.flagged);
    expect(model.omissions).toEqual([]);
  });

  test('[trace] the same trace gives the same HTML byte for byte, and a different one does not', async () => {
    const first = renderTracePage(knownTrace, { title: 'known' });
    const again = renderTracePage(await recordKnownTrace(), { title: 'known' });
    expect(again).toBe(first);
    expect(renderTracePage(knownTrace.slice(0, -1), { title: 'known' })).not.toBe(first);
  });

  test('[trace] data and title containing </script> cannot break out of the page', () => {
    const hostile = '</script><script>alert(1)</script><!--';
    const lines = [
      JSON.stringify({ atMs: 0, kind: 'send', msg: 1, from: 1, to: 2, message: hostile }),
      JSON.stringify({ atMs: 4, kind: 'deliver', msg: 1, from: 1, to: 2, message: hostile }),
      JSON.stringify({ atMs: 5, kind: 'invoke', op: 1, client: 1, input: '\u2028' + hostile }),
    ];
    const html = renderTracePage(lines, { title: hostile });
    // Exactly the page's own two script elements, and the hostile text appears only escaped.
    expect(html.match(/<script/g)).toHaveLength(2);
    expect(html.match(/<\/script>/g)).toHaveLength(2);
    expect(html).not.toContain('<!--');
    expect(html).toContain(`<title>${escapeHtml(hostile)}</title>`);
    const data = /<script type="application\/json" id="trace-model">([\s\S]*?)<\/script>/.exec(html)?.[1] ?? '';
    expect(data).not.toMatch(/[<>&\u2028]/);
    expect(JSON.parse(data).arrows[0].label).toBe(hostile);
    expect(JSON.parse(jsonForScriptTag({ text: '<&>\u2029' }))).toEqual({ text: '<&>\u2029' });
  });

  test('[trace] a big trace is capped and the page says so', () => {
    const lines: string[] = [];
    for (let message = 1; message <= 30; message++) {
      lines.push(JSON.stringify({ atMs: message, kind: 'send', msg: message, from: 1, to: 2, message: 'm' }));
      lines.push(JSON.stringify({ atMs: message + 1, kind: 'deliver', msg: message, from: 1, to: 2, message: 'm' }));
    }
    const model = buildTracePageModel(lines, { maxMessages: 10 });
    expect(model.arrows).toHaveLength(10);
    expect(model.omissions).toEqual(['Only the first 10 of 30 messages are drawn.']);
    expect(renderTracePage(lines, { maxMessages: 10 })).toContain('Only the first 10 of 30 messages are drawn.');
  });

  test('[trace] a trace without message ids (older format) still pairs deliveries by link and content', () => {
    const lines = fs.readFileSync(path.join(__dirname, 'fixtures/traces/without-message-ids.jsonl'), 'utf8').split('\n');
    const model = buildTracePageModel(lines);
    expect(model.arrows.map((arrow) => [arrow.from, arrow.to, arrow.sentMs, arrow.deliveredMs])).toEqual([
      [1, 2, 0, 3],
      [2, 1, 2, 4],
      [1, 2, 1, 5],
    ]);
    expect(model.drops).toEqual([{ from: 2, to: 3, sentMs: 6, droppedMs: 6, reason: 'partition', label: 'vote' }]);
  });

  test('[trace] a line that is not a trace event is refused with its line number', () => {
    expect(() => buildTracePageModel(['{"atMs":0,"kind":"heal"}', 'not json'])).toThrow(TraceParseError);
    expect(() => buildTracePageModel(['{"kind":"heal"}'])).toThrow(/line 1 has no numeric "atMs"/);
  });

  test('[trace] writeTracePage writes the page of a trace file atomically', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-trace-page-'));
    const traceFile = path.join(dir, 'run.trace');
    fs.writeFileSync(traceFile, `${knownTrace.join('\n')}\n`);
    const htmlFile = path.join(dir, 'out', 'run.html');
    writeTracePage(traceFile, htmlFile, { title: 'seed 7' });
    expect(fs.readFileSync(htmlFile, 'utf8')).toBe(renderTracePage(knownTrace, { title: 'seed 7' }));
    expect(fs.readdirSync(path.dirname(htmlFile))).toEqual(['run.html']);
  });
});

describe('trace page in headless Chromium', () => {
  let workDir: string;
  let htmlFile: string;
  let dom: string;

  beforeAll(() => {
    try {
      execFileSync('bash', [kitPath('scripts/ensure-chromium.sh')], { stdio: 'pipe', timeout: 15 * 60_000 });
    } catch (error) {
      const output = error instanceof Error && 'stderr' in error ? String((error as { stderr: unknown }).stderr) : String(error);
      throw new Error(`The trace page's browser test needs Chromium at ${CHROMIUM} and scripts/ensure-chromium.sh could not install it:\n${output}`);
    }
    workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinykv-trace-browser-'));
    htmlFile = path.join(workDir, 'trace.html');
    fs.writeFileSync(htmlFile, renderTracePage(knownTrace, { title: `ping workload, seed ${SEED}` }));
    dom = dumpDom(`file://${htmlFile}`);
  }, 20 * 60_000);

  function dumpDom(url: string): string {
    return execFileSync(CHROMIUM, [...chromiumArgs(path.join(workDir, 'profile')), '--dump-dom', url], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 120_000,
    });
  }

  /**
   * The colours of the screenshot's pixels at `points` (CSS pixels, scale factor 1), as
   * [r, g, b]. Chromium itself decodes the PNG: a page draws it (a data: URL, so the canvas is
   * not tainted) on a canvas and writes what getImageData reads into an attribute.
   */
  function pixelsAt(png: string, points: readonly { readonly x: number; readonly y: number }[]): number[][] {
    const sampler = path.join(workDir, 'sampler.html');
    const script = [
      'var points = ' + JSON.stringify(points.map((point) => [Math.round(point.x), Math.round(point.y)])) + ';',
      "var image = document.getElementById('shot');",
      'function sample() {',
      "  var canvas = document.createElement('canvas');",
      '  canvas.width = image.naturalWidth; canvas.height = image.naturalHeight;',
      "  var context = canvas.getContext('2d');",
      '  context.drawImage(image, 0, 0);',
      '  var colours = points.map(function (p) { var d = context.getImageData(p[0], p[1], 1, 1).data; return [d[0], d[1], d[2]]; });',
      "  document.body.setAttribute('data-pixels', JSON.stringify(colours));",
      '}',
      'if (image.complete) sample(); else image.onload = sample;',
    ].join('\n');
    fs.writeFileSync(sampler, `<!DOCTYPE html><html><body><img id="shot" src="data:image/png;base64,${fs.readFileSync(png).toString('base64')}"><script>${script}</script></body></html>`);
    const sampled = /data-pixels="([^"]*)"/.exec(dumpDom(`file://${sampler}`))?.[1];
    if (sampled === undefined) throw new Error('The pixel sampler page did not write its data-pixels attribute: Chromium could not decode the screenshot.');
    return JSON.parse(sampled.replace(/&quot;/g, '"')) as number[][];
  }

  test('[trace] the page script ran without error', () => {
    expect(dom).toMatch(/<body data-render="done"/);
  });

  test('[trace] one lane per store, named "store N" with its peer, one arrow per delivery, one X per drop', () => {
    const expected = expectedCounts(knownTrace);
    expect(elementsWithClass(dom, 'lane').map((tag) => attribute(tag, 'data-node'))).toEqual(['1', '2', '3']);
    for (const node of [1, 2, 3]) expect(dom).toContain(`>store ${node}</text>`);
    expect(dom).toContain('>peer 12 (r1)</text>');
    expect(dom).not.toMatch(/>node \d/);
    expect(elementsWithClass(dom, 'arrow')).toHaveLength(expected.deliveries);
    expect(elementsWithClass(dom, 'drop')).toHaveLength(expected.drops);
    expect(elementsWithClass(dom, 'drop-x')).toHaveLength(expected.drops);
  });

  test('[trace] roles, the crash band and the partition band are drawn on the right lanes', () => {
    const expected = expectedCounts(knownTrace);
    expect(elementsWithClass(dom, 'role')).toHaveLength(expected.roles);
    expect(elementsWithClass(dom, 'leader').map((tag) => attribute(tag, 'data-node')).sort()).toEqual(['1', '2', '3']);
    expect(elementsWithClass(dom, 'crash-band').map((tag) => attribute(tag, 'data-node'))).toEqual(['3']);
    expect(elementsWithClass(dom, 'partition-band').map((tag) => attribute(tag, 'data-groups'))).toEqual(['1|2,3']);
  });

  test('[trace] every client operation is a bar and the flagged ones are red, with a mark on the axis', () => {
    const expected = expectedCounts(knownTrace);
    expect(elementsWithClass(dom, 'op')).toHaveLength(expected.operations);
    const illegal = elementsWithClass(dom, 'illegal').map((tag) => Number(attribute(tag, 'data-op')));
    expect(illegal).toEqual(expected.flagged);
    expect(elementsWithClass(dom, 'flag-mark').map((tag) => Number(attribute(tag, 'data-op')))).toEqual(expected.flagged);
    expect(elementsWithClass(dom, 'outcome-unknown')).toHaveLength(1);
  });

  test("[trace] the auditor's violation is marked on its store's lane at its time", () => {
    const marks = elementsWithClass(dom, 'violation');
    expect(marks.map((tag) => [attribute(tag, 'data-node'), attribute(tag, 'data-at')])).toEqual([['3', '150']]);
    const line = elementsWithClass(dom, 'violation-line')[0];
    const model = buildTracePageModel(knownTrace);
    expect(Number(attribute(line, 'x1'))).toBeCloseTo(plotX(dom, 150, model.startMs, model.endMs), 3);
    expect(elementsWithClass(dom, 'violation-mark')).toHaveLength(1);
  });

  test('[trace] the page opens on the time range in its address (#t=100-200)', () => {
    const zoomed = dumpDom(`file://${htmlFile}#t=100-200`);
    expect(zoomed).toContain('showing 100.0 ms to 200.0 ms');
    // Store 2 became leader at 105 ms: 5% into the view.
    const leaderOf2 = elementsWithClass(zoomed, 'leader').find((tag) => attribute(tag, 'data-node') === '2') ?? '';
    expect(Number(attribute(leaderOf2, 'x'))).toBeCloseTo(plotX(zoomed, 105, 100, 200), 3);
    expect(dom).toContain(`showing ${buildTracePageModel(knownTrace).startMs.toFixed(1)} ms`);
  });

  test('[trace] every role segment is drawn in its legend colour (read from screenshot pixels)', () => {
    const png = path.join(workDir, 'trace.png');
    execFileSync(CHROMIUM, [...chromiumArgs(path.join(workDir, 'profile')), `--screenshot=${png}`, `file://${htmlFile}`], { stdio: 'pipe', timeout: 120_000 });
    const bytes = fs.readFileSync(png);
    expect(bytes.subarray(1, 4).toString('latin1')).toBe('PNG');
    const [originX, originY] = (/data-timeline-origin="([^"]*)"/.exec(dom)?.[1] ?? 'NaN,NaN').split(',').map(Number);
    expect([originX, originY].every(Number.isFinite)).toBe(true);
    // Sample 11 points across the middle of every segment wide enough to sample; arrows and marks
    // may cover a few of them, so the legend colour must win a majority.
    const segments = elementsWithClass(dom, 'role')
      .map((tag) => ({ node: attribute(tag, 'data-node'), role: attribute(tag, 'data-role') ?? '', x: Number(attribute(tag, 'x')), y: Number(attribute(tag, 'y')), width: Number(attribute(tag, 'width')), height: Number(attribute(tag, 'height')) }))
      .filter((segment) => segment.width >= 12);
    const SAMPLES = 11;
    const points = segments.flatMap((segment) =>
      Array.from({ length: SAMPLES }, (_, i) => ({ x: originX + segment.x + 2 + ((segment.width - 4) * i) / (SAMPLES - 1), y: originY + segment.y + segment.height / 2 })),
    );
    const colours = pixelsAt(png, points);
    const drawn = segments.map((segment, index) => {
      const seen = colours.slice(index * SAMPLES, (index + 1) * SAMPLES);
      // The legend names roles in lower case; a store records `Leader`.
      const legend = hexColour(ROLE_COLOURS[segment.role.toLowerCase() as keyof typeof ROLE_COLOURS] ?? '#??????');
      const matching = seen.filter((colour) => colour.every((channel, c) => Math.abs(channel - legend[c]) <= 16)).length;
      return { node: segment.node, role: segment.role, inLegendColour: matching > SAMPLES / 2, seen: seen.slice(0, 3).map((colour) => `rgb(${colour.join(',')})`) };
    });
    expect(new Set(drawn.map((segment) => segment.role.toLowerCase()))).toEqual(new Set(['leader', 'candidate', 'follower']));
    expect(drawn.filter((segment) => !segment.inLegendColour)).toEqual([]);
    // To look at the page and its screenshot, run with TINYKV_TRACE_PAGE_OUT=<folder>.
    const keep = process.env.TINYKV_TRACE_PAGE_OUT;
    if (keep !== undefined && keep !== '') {
      fs.mkdirSync(keep, { recursive: true });
      fs.copyFileSync(htmlFile, path.join(keep, 'trace.html'));
      fs.copyFileSync(png, path.join(keep, 'trace.png'));
    }
  });
});

/** Where the page draws time `atMs` when it shows `startMs..endMs` (the script's LEFT and RIGHT margins: 90 and 20 px). */
function plotX(dom: string, atMs: number, startMs: number, endMs: number): number {
  const width = Number(/<svg id="timeline"[^>]*\swidth="(\d+(?:\.\d+)?)"/.exec(dom)?.[1]);
  return 90 + ((atMs - startMs) / (endMs - startMs)) * (width - 90 - 20);
}

function hexColour(hex: string): number[] {
  return [1, 3, 5].map((offset) => parseInt(hex.slice(offset, offset + 2), 16));
}
