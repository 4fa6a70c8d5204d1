/**
 * Pictures of a balancing run: regions per store over virtual time, as an SVG chart and as a
 * text table, drawn from the scenario's samples (the `balance` lines of its trace).
 *
 * @module
 */
import type { BalancePhase, BalanceSample } from './balance-scenario';

/** One line per store, told apart by colour (then by dash, past the palette). */
const STORE_COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2'];

/** Background of each phase, and its label. */
const PHASES: Record<BalancePhase, { readonly fill: string; readonly label: string }> = {
  loading: { fill: '#f4f4f4', label: 'clients load, regions split' },
  settling: { fill: '#e8e8e8', label: 'settle' },
  balancing: { fill: '#e6f0fa', label: 'balance-region moves replicas' },
  resting: { fill: '#eaf6ea', label: 'clients stop: at rest' },
};

/** Options of {@link balanceChartSvg}. */
export interface BalanceChartOptions {
  /** A title over the chart. */
  readonly title: string;
  /** Width in pixels (default 760). */
  readonly widthPx?: number;
  /** Height in pixels (default 380). */
  readonly heightPx?: number;
}

/** The last sample of every instant, in time order (the scenario may sample twice at one time). */
function byInstant(samples: readonly BalanceSample[]): BalanceSample[] {
  const last = new Map<number, BalanceSample>();
  for (const sample of samples) last.set(sample.atMs, sample);
  return [...last.values()].sort((a, b) => a.atMs - b.atMs);
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Contiguous runs of one phase: `[phase, fromMs, toMs]`. */
function phaseSpans(samples: readonly BalanceSample[]): [BalancePhase, number, number][] {
  const spans: [BalancePhase, number, number][] = [];
  for (const sample of samples) {
    const last = spans[spans.length - 1];
    if (last !== undefined && last[0] === sample.phase) last[2] = sample.atMs;
    else {
      if (last !== undefined) last[2] = sample.atMs;
      spans.push([sample.phase, sample.atMs, sample.atMs]);
    }
  }
  return spans;
}

/**
 * Draws the number of regions on every store over virtual time, with the phases of the run as
 * background bands and a tick on the time axis for every balance move started.
 *
 * @param samples - the run's samples, in any order (at least two instants).
 * @returns a standalone SVG document.
 * @throws RangeError when the samples span fewer than two instants.
 */
export function balanceChartSvg(samples: readonly BalanceSample[], options: BalanceChartOptions): string {
  const points = byInstant(samples);
  if (points.length < 2) throw new RangeError('A balance chart needs samples from at least two instants.');
  const width = options.widthPx ?? 760;
  const height = options.heightPx ?? 380;
  const margin = { left: 50, right: 110, top: 46, bottom: 70 };
  const plotWidth = width - margin.left - margin.right;
  const plotHeight = height - margin.top - margin.bottom;
  const t0 = points[0].atMs;
  const t1 = points[points.length - 1].atMs;
  const storeIds = points[0].stores.map((load) => load.storeId);
  const maxRegions = Math.max(1, ...points.flatMap((point) => point.stores.map((load) => load.regionCount)));
  const yMax = Math.ceil(maxRegions / 5) * 5;
  const x = (ms: number): number => margin.left + ((ms - t0) / (t1 - t0)) * plotWidth;
  const y = (count: number): number => margin.top + plotHeight - (count / yMax) * plotHeight;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#ffffff"/>`);
  out.push(`<text x="${width / 2}" y="20" text-anchor="middle" font-size="14" font-weight="bold">${escapeXml(options.title)}</text>`);
  for (const [phase, from, to] of phaseSpans(points)) {
    out.push(`<rect x="${x(from).toFixed(1)}" y="${margin.top}" width="${Math.max(0, x(to) - x(from)).toFixed(1)}" height="${plotHeight}" fill="${PHASES[phase].fill}"/>`);
    out.push(`<text x="${((x(from) + x(to)) / 2).toFixed(1)}" y="${margin.top - 6}" text-anchor="middle" font-size="10" fill="#555">${escapeXml(PHASES[phase].label)}</text>`);
  }
  for (let count = 0; count <= yMax; count += 5) {
    out.push(`<line x1="${margin.left}" x2="${margin.left + plotWidth}" y1="${y(count).toFixed(1)}" y2="${y(count).toFixed(1)}" stroke="#cccccc" stroke-width="0.5"/>`);
    out.push(`<text x="${margin.left - 6}" y="${(y(count) + 4).toFixed(1)}" text-anchor="end">${count}</text>`);
  }
  for (let second = Math.ceil(t0 / 1000); second * 1000 <= t1; second++) {
    const at = x(second * 1000).toFixed(1);
    out.push(`<line x1="${at}" x2="${at}" y1="${margin.top + plotHeight}" y2="${margin.top + plotHeight + 4}" stroke="#333"/>`);
    out.push(`<text x="${at}" y="${margin.top + plotHeight + 16}" text-anchor="middle">${second}</text>`);
  }
  out.push(`<text x="${margin.left + plotWidth / 2}" y="${height - 10}" text-anchor="middle">virtual time (s); each mark under the time axis is a balance move started</text>`);
  out.push(`<text transform="translate(14 ${margin.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">regions on the store</text>`);
  for (let i = 1; i < points.length; i++) {
    if (points[i].moves === points[i - 1].moves) continue;
    const at = x(points[i].atMs).toFixed(1);
    out.push(`<line x1="${at}" x2="${at}" y1="${margin.top + plotHeight + 24}" y2="${margin.top + plotHeight + 34}" stroke="#1f4e79" stroke-width="1.5"/>`);
  }
  storeIds.forEach((storeId, index) => {
    const colour = STORE_COLOURS[index % STORE_COLOURS.length];
    const dash = index >= STORE_COLOURS.length ? ' stroke-dasharray="4 3"' : '';
    const path = points.map((point, i) => `${i === 0 ? 'M' : 'L'}${x(point.atMs).toFixed(1)},${y(point.stores[index]?.regionCount ?? 0).toFixed(1)}`).join(' ');
    out.push(`<path d="${path}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`);
    const legendY = margin.top + 14 + index * 18;
    out.push(`<line x1="${margin.left + plotWidth + 12}" x2="${margin.left + plotWidth + 32}" y1="${legendY - 4}" y2="${legendY - 4}" stroke="${colour}" stroke-width="2"${dash}/>`);
    out.push(`<text x="${margin.left + plotWidth + 38}" y="${legendY}">store ${storeId}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}

/**
 * The same run as a text table: one row every `everyMs` (and the last instant), with the phase,
 * each store's region count and bytes, and the moves started so far.
 *
 * @param samples - the run's samples, in any order (at least one).
 * @param everyMs - the spacing of the rows, in virtual ms.
 */
export function balanceChartText(samples: readonly BalanceSample[], everyMs = 500): string {
  const points = byInstant(samples);
  const rows: BalanceSample[] = [];
  let nextMs = -Infinity;
  for (const point of points) {
    if (point.atMs < nextMs) continue;
    rows.push(point);
    nextMs = point.atMs + everyMs;
  }
  const final = points[points.length - 1];
  if (final !== undefined && rows[rows.length - 1] !== final) rows.push(final);
  const storeIds = (points[0]?.stores ?? []).map((load) => load.storeId);
  const header = ['  time', 'phase     ', ...storeIds.map((id) => `  store ${id}`), 'moves'].join('  ');
  const lines = rows.map((row) =>
    [`${(row.atMs / 1000).toFixed(1).padStart(5)}s`, row.phase.padEnd(10), ...row.stores.map((load) => `${String(load.regionCount).padStart(3)} ${String(load.sizeBytes).padStart(4)}B`), String(row.moves).padStart(5)].join('  '),
  );
  return [header, ...lines].join('\n');
}
