/**
 * The trace page: one self-contained HTML file (inline style, script and data; no network)
 * that draws a simulation trace as a timeline — a lane per node (per store, in a cluster
 * trace), messages as arrows, drops, roles and terms, crash and partition bands, the client
 * operations with the ones a linearizability verdict flagged in red, and red marks where a
 * store broke a rule the auditor checks. `tinykv replay ... --trace FILE` writes one; open it
 * as `FILE.html#t=1200-1500` to start on that stretch of virtual time.
 *
 * @module
 */
import * as fs from 'node:fs';
import { writeFileAtomically } from './atomic-write';
import { buildTracePageModel, type TracePageModel, type TracePageModelOptions } from './trace-page-model';
import { ROLE_COLOURS, TRACE_PAGE_SCRIPT, TRACE_PAGE_STYLE, VIOLATION_COLOUR } from './trace-page-script';

/** Options of {@link renderTracePage}. */
export interface TracePageOptions extends TracePageModelOptions {
  /** The page's title (default `tinykv trace`). */
  readonly title?: string;
}

/**
 * Escapes text for HTML element content and attribute values.
 *
 * @param text - any text.
 * @returns the text with `&`, `<`, `>`, `"` and `'` escaped.
 */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/**
 * Serialises a value as JSON that is safe inside a `<script>` element: `<`, `>` and `&` are
 * written as `\u` escapes (so no `</script>` or `<!--` can appear), and so are U+2028 and
 * U+2029. `JSON.parse` of the result gives the value back.
 *
 * @param value - any JSON-able value.
 * @returns the escaped JSON text.
 */
export function jsonForScriptTag(value: unknown): string {
  return JSON.stringify(value).replace(/[<>&\u2028\u2029]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function summaryOf(model: TracePageModel): string {
  const parts = [
    `${model.lineCount} trace lines`,
    `${model.startMs} ms to ${model.endMs} ms (virtual)`,
    `${model.nodes.length} ${model.nodeNoun}s`,
    `${model.arrows.length} messages delivered`,
    `${model.drops.length} dropped`,
    `${model.crashes.length} crashes`,
    `${model.partitions.length} partitions`,
    `${model.operations.length} client operations`,
  ];
  const verdicts = model.verdicts.map((verdict) => `linearizability: ${verdict.result} (${verdict.unorderedCount} operations could not be ordered, shown in red)`);
  const violations = model.violations.length > 0 ? [`${model.violations.length} violation(s) caught by the auditor, marked in red (the first at ${model.violations[0].atMs} ms)`] : [];
  return [parts.join(' · '), ...verdicts, ...violations].join('<br>');
}

const LEGEND: readonly (readonly [string, string])[] = [
  ['leader', `background:${ROLE_COLOURS.leader}`],
  ['candidate', `background:${ROLE_COLOURS.candidate}`],
  ['follower', `background:${ROLE_COLOURS.follower}`],
  ['node down (crash → restart)', 'background:rgba(55,65,81,0.28)'],
  ['partition / isolation', 'background:rgba(253,230,138,0.6)'],
  ['message (send → deliver)', 'background:#2563eb;height:2px'],
  ['dropped message (ends in ×)', 'background:#b45309;height:2px'],
  ['client operation', 'background:#10b981'],
  ['outcome unknown', 'background:#d1d5db'],
  ['not linearizable (flagged by the checker; ▼ on the axis)', 'background:#dc2626'],
  ['violation: a store broke a rule the auditor checks (▼ on the axis)', `background:${VIOLATION_COLOUR};width:3px`],
];

/** How to read the page's ids, shown when the lanes are stores. */
const STORE_NOTATION =
  'Each lane is a store (a machine), named "store N"; under its name, the peers it hosts: a peer is the replica of a region on that store, and its id differs from the store id. ' +
  'A message reads "r1 3->2 MsgAppend ...": region 1, from peer 3 to peer 2.';

function legendHtml(): string {
  return LEGEND.map(([label, style]) => `<span><i style="${style}"></i>${escapeHtml(label)}</span>`).join('');
}

/**
 * Renders a trace as a self-contained HTML page. The same lines and options always give the
 * same bytes (nothing in the page depends on the time or the machine).
 *
 * @param traceLines - the trace's JSON lines, in order (blank lines are skipped).
 * @param options - the title, and caps on how many messages and operations are drawn.
 * @returns the HTML text.
 * @throws TraceParseError when a line is not a trace event.
 *
 * @example
 * ```ts
 * const html = renderTracePage(trace.lines(), { title: '[2B] partitions, seed 17' });
 * ```
 */
export function renderTracePage(traceLines: readonly string[], options: TracePageOptions = {}): string {
  const model = buildTracePageModel(traceLines, options);
  const title = escapeHtml(options.title ?? 'tinykv trace');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${title}</title>`,
    `<style>${TRACE_PAGE_STYLE}</style>`,
    '</head>',
    '<body data-render="pending">',
    `<h1>${title}</h1>`,
    `<div id="summary">${summaryOf(model)}</div>`,
    `<div id="omissions">${model.omissions.map(escapeHtml).join(' ')}</div>`,
    `<div id="legend">${legendHtml()}</div>`,
    `<div id="help">${model.nodeNoun === 'store' ? `${escapeHtml(STORE_NOTATION)}<br>` : ''}Mouse wheel: zoom around the pointer · drag: pan · double-click: show everything · hover: details · the address (#t=FROM-TO, virtual ms) keeps the view. <span id="view-range"></span></div>`,
    '<div id="render-error"></div>',
    '<svg id="timeline" xmlns="http://www.w3.org/2000/svg"></svg>',
    `<script type="application/json" id="trace-model">${jsonForScriptTag(model)}</script>`,
    `<script>${TRACE_PAGE_SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/**
 * Reads a trace file (JSON lines) and writes its page, atomically (a reader never sees half
 * a page).
 *
 * @param traceFile - the trace, one JSON event per line.
 * @param htmlFile - where to write the page (its folder is created if needed).
 * @param options - the title (default: the trace file's name) and drawing caps.
 * @throws Error when the trace file cannot be read; TraceParseError when a line is not a trace event.
 */
export function writeTracePage(traceFile: string, htmlFile: string, options: TracePageOptions = {}): void {
  const text = fs.readFileSync(traceFile, 'utf8');
  writeFileAtomically(htmlFile, renderTracePage(text.split('\n'), { title: `tinykv trace: ${traceFile}`, ...options }));
}
