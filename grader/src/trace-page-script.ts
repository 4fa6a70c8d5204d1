/**
 * The trace page's script and style: browser code, kept as text and inlined into the page by
 * trace-page.ts. The script reads the model (see trace-page-model.ts) from the
 * `<script type="application/json" id="trace-model">` tag and draws it as SVG. Every drawn
 * thing has a class and data attributes (`lane`, `arrow`, `drop`, `role`, `crash-band`,
 * `partition-band`, `op`, `illegal`, `violation`, `flag-mark`) so tests can count them in the
 * DOM. The page opens on the time range in its address (`page.html#t=1200-1500`, virtual ms)
 * and keeps the address in step as you zoom and pan, so a view can be shared. When drawn,
 * the body carries `data-render="done"` and `data-timeline-origin="x,y"` (where the timeline's
 * top-left corner is on the page, in CSS pixels: what a screenshot test needs to find a lane).
 *
 * The script is plain ES2017 without template literals, so it can live in this file's
 * template string unchanged.
 *
 * @module
 */

/**
 * The colour of each role, for the lanes and the legend alike (one source, so they cannot
 * disagree). Role names are lower case: the model lowers the `Leader` a store records.
 */
export const ROLE_COLOURS: Readonly<Record<'leader' | 'candidate' | 'follower', string>> = Object.freeze({
  leader: '#f59e0b',
  candidate: '#a855f7',
  follower: '#93c5fd',
});

/** The colour of a violation mark (the auditor caught a store breaking a rule). */
export const VIOLATION_COLOUR = '#dc2626';

/** The page's CSS. */
export const TRACE_PAGE_STYLE = String.raw`
body { font: 13px/1.4 system-ui, sans-serif; margin: 12px; color: #1f2937; background: #fff; }
h1 { font-size: 18px; margin: 0 0 4px; }
#summary { color: #4b5563; margin-bottom: 4px; }
#omissions { color: #b45309; font-weight: 600; }
#render-error { color: #b91c1c; font-weight: 700; white-space: pre-wrap; }
#legend { display: flex; flex-wrap: wrap; gap: 14px; margin: 6px 0; }
#legend span { display: inline-flex; align-items: center; gap: 5px; }
#legend i { display: inline-block; width: 18px; height: 10px; border: 1px solid #6b7280; }
#help { color: #6b7280; font-size: 12px; }
svg { border: 1px solid #d1d5db; user-select: none; cursor: grab; display: block; }
svg text { font-size: 11px; fill: #111827; }
.axis-line { stroke: #9ca3af; }
.axis-tick { stroke: #e5e7eb; }
.lane-line { stroke: #9ca3af; stroke-width: 1; }
.lane-label, .client-label, .area-label { font-weight: 600; }
.arrow { stroke: #2563eb; stroke-opacity: 0.55; stroke-width: 1.2; }
.drop-line { stroke: #b45309; stroke-opacity: 0.8; stroke-width: 1.2; stroke-dasharray: 3 2; }
.drop-x { stroke: #b45309; stroke-width: 2; }
.role { stroke: none; fill: #9ca3af; }
${Object.entries(ROLE_COLOURS)
  .map(([role, colour]) => `.role.${role} { fill: ${colour}; }`)
  .join('\n')}
.role-label { font-size: 10px; }
.lane-detail { font-size: 10px; fill: #6b7280; }
.violation-line { stroke: ${VIOLATION_COLOUR}; stroke-width: 2; }
.violation-mark, .flag-mark { fill: ${VIOLATION_COLOUR}; stroke: #7f1d1d; stroke-width: 1; }
.op-label { font-size: 10px; fill: #374151; }
.crash-band { fill: #374151; fill-opacity: 0.28; }
.crash-label { fill: #111827; font-size: 10px; }
.partition-band { fill: #fde68a; fill-opacity: 0.45; stroke: #f59e0b; stroke-opacity: 0.6; }
.partition-band.isolate { fill: #fecaca; }
.partition-label { font-size: 10px; fill: #92400e; }
.op { fill: #10b981; fill-opacity: 0.75; stroke: #047857; }
.op.outcome-unknown { fill: #d1d5db; stroke: #6b7280; stroke-dasharray: 4 2; }
.op.outcome-discarded { fill: #f3f4f6; stroke: #9ca3af; }
.op.illegal { fill: #dc2626; stroke: #7f1d1d; stroke-width: 2; fill-opacity: 0.9; }
.op.undecided { fill: #f87171; stroke: #7f1d1d; stroke-dasharray: 2 2; }
`;

/** The page's script (ES2017, no template literals). */
export const TRACE_PAGE_SCRIPT = String.raw`
(function () {
  'use strict';
  var SVG_NS = 'http://www.w3.org/2000/svg';
  var LEFT = 90, RIGHT = 20, AXIS_HEIGHT = 28, PARTITION_ROW = 18, LANE_HEIGHT = 64, CLIENT_ROW = 22, AREA_GAP = 26;
  var model = JSON.parse(document.getElementById('trace-model').textContent);
  var svg = document.getElementById('timeline');
  var view = viewFromAddress() || fullView();
  var layout = computeLayout();

  function fullView() {
    return { startMs: model.startMs, endMs: Math.max(model.endMs, model.startMs + 1) };
  }

  /** '#t=1200-1500' gives that range (virtual ms); anything else gives null. */
  function viewFromAddress() {
    var match = /^#t=(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    if (!match) return null;
    var startMs = Number(match[1]), endMs = Number(match[2]);
    return endMs > startMs ? { startMs: startMs, endMs: endMs } : null;
  }

  function writeAddress() {
    try {
      history.replaceState(null, '', '#t=' + Math.round(view.startMs) + '-' + Math.max(Math.round(view.startMs) + 1, Math.round(view.endMs)));
    } catch (ignored) {
      // Some viewers forbid changing the address of a local file: the view still works.
    }
  }

  function laneName(node) {
    for (var i = 0; i < model.laneLabels.length; i++) if (model.laneLabels[i].node === node) return model.laneLabels[i].label;
    return model.nodeNoun + ' ' + node;
  }

  function computeLayout() {
    var width = Math.max(900, document.documentElement.clientWidth - 30);
    var lanesTop = AXIS_HEIGHT + PARTITION_ROW;
    var lanesBottom = lanesTop + model.nodes.length * LANE_HEIGHT;
    var clientsTop = lanesBottom + AREA_GAP;
    var height = clientsTop + model.clients.length * CLIENT_ROW + 10;
    return { width: width, height: height, lanesTop: lanesTop, lanesBottom: lanesBottom, clientsTop: clientsTop };
  }

  function x(atMs) {
    return LEFT + ((atMs - view.startMs) / (view.endMs - view.startMs)) * (layout.width - LEFT - RIGHT);
  }

  function laneY(node) {
    return layout.lanesTop + model.nodes.indexOf(node) * LANE_HEIGHT + LANE_HEIGHT / 2;
  }

  function clientY(client) {
    return layout.clientsTop + model.clients.indexOf(client) * CLIENT_ROW;
  }

  function element(parent, name, attributes, text) {
    var node = document.createElementNS(SVG_NS, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, String(attributes[key])); });
    if (text !== undefined) node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  function withTitle(node, text) {
    element(node, 'title', {}, text);
    return node;
  }

  function niceStep(spanMs) {
    var rough = spanMs / 10;
    var power = Math.pow(10, Math.floor(Math.log10(Math.max(rough, 1e-9))));
    var steps = [1, 2, 5, 10];
    for (var i = 0; i < steps.length; i++) if (steps[i] * power >= rough) return steps[i] * power;
    return 10 * power;
  }

  /** Grid lines go in the clipped plot (behind everything); labels outside it, so the first one is not cut in half. */
  function drawAxis(plot, labels) {
    var step = niceStep(view.endMs - view.startMs);
    element(plot, 'line', { class: 'axis-line', x1: LEFT, x2: layout.width - RIGHT, y1: AXIS_HEIGHT, y2: AXIS_HEIGHT });
    for (var t = Math.ceil(view.startMs / step) * step; t <= view.endMs; t += step) {
      var label = Number(t.toFixed(3)) + ' ms';
      element(plot, 'line', { class: 'axis-tick', x1: x(t), x2: x(t), y1: AXIS_HEIGHT - 5, y2: layout.height });
      element(labels, 'text', { class: 'axis-label', x: x(t), y: AXIS_HEIGHT - 8, 'text-anchor': 'middle' }, label);
    }
  }

  function drawLaneLabels(group) {
    model.laneLabels.forEach(function (lane) {
      element(group, 'text', { class: 'lane-label', x: 8, y: laneY(lane.node) + 4 }, lane.label);
      if (lane.detail) element(group, 'text', { class: 'lane-detail', x: 8, y: laneY(lane.node) + 17 }, lane.detail);
    });
    if (model.clients.length > 0) element(group, 'text', { class: 'area-label', x: 8, y: layout.clientsTop - 8 }, 'clients');
    model.clients.forEach(function (client) {
      element(group, 'text', { class: 'client-label', x: 8, y: clientY(client) + 15 }, 'client ' + client);
    });
  }

  function drawPartitions(group) {
    model.partitions.forEach(function (band) {
      var text = band.kind === 'isolate' ? 'isolate ' + band.groups[0][0]
        : 'partition ' + band.groups.map(function (g) { return '{' + g.join(',') + '}'; }).join(' | ');
      var rect = element(group, 'rect', {
        class: 'partition-band ' + band.kind, 'data-kind': band.kind,
        'data-groups': band.groups.map(function (g) { return g.join(','); }).join('|'),
        x: x(band.startMs), y: AXIS_HEIGHT + 2, width: Math.max(1, x(band.endMs) - x(band.startMs)),
        height: layout.lanesBottom - AXIS_HEIGHT - 2,
      });
      withTitle(rect, text + ' from ' + band.startMs + ' ms to ' + band.endMs + ' ms');
      element(group, 'text', { class: 'partition-label', x: x(band.startMs) + 3, y: AXIS_HEIGHT + 14 }, text);
    });
  }

  function drawLanes(group) {
    model.nodes.forEach(function (node) {
      var y = laneY(node);
      var lane = element(group, 'g', { class: 'lane', 'data-node': node });
      element(lane, 'line', { class: 'lane-line', x1: LEFT, x2: layout.width - RIGHT, y1: y, y2: y });
    });
  }

  function drawCrashes(group) {
    model.crashes.forEach(function (band) {
      var y = laneY(band.node) - LANE_HEIGHT / 2 + 4;
      var rect = element(group, 'rect', {
        class: 'crash-band', 'data-node': band.node, x: x(band.startMs), y: y,
        width: Math.max(2, x(band.endMs) - x(band.startMs)), height: LANE_HEIGHT - 8,
      });
      withTitle(rect, laneName(band.node) + ' down from ' + band.startMs + ' ms to ' + band.endMs + ' ms: ' + band.reason);
      element(group, 'text', { class: 'crash-label', x: x(band.startMs) + 3, y: y + 11 }, 'down');
    });
  }

  function drawRoles(group) {
    model.roles.forEach(function (segment) {
      var y = laneY(segment.node);
      var width = Math.max(2, x(segment.endMs) - x(segment.startMs));
      var rect = element(group, 'rect', {
        class: 'role ' + segment.role, 'data-node': segment.node, 'data-role': segment.role, 'data-term': segment.term,
        x: x(segment.startMs), y: y - 4, width: width, height: 8,
      });
      var region = segment.region !== undefined ? ' (region ' + segment.region + ')' : '';
      withTitle(rect, laneName(segment.node) + region + ': ' + segment.role + ' in term ' + segment.term + ' from ' + segment.startMs + ' ms to ' + segment.endMs + ' ms');
      var short = segment.role.charAt(0).toUpperCase() + segment.term;
      if (width > 16) element(group, 'text', { class: 'role-label', x: x(segment.startMs) + 2, y: y - 7 }, short);
    });
  }

  function drawArrows(group) {
    model.arrows.forEach(function (arrow) {
      var line = element(group, 'line', {
        class: 'arrow', 'data-from': arrow.from, 'data-to': arrow.to, 'marker-end': 'url(#arrowhead)',
        x1: x(arrow.sentMs), y1: laneY(arrow.from), x2: x(arrow.deliveredMs), y2: laneY(arrow.to),
      });
      withTitle(line, arrow.label + ': ' + arrow.from + ' → ' + arrow.to + ', sent ' + arrow.sentMs + ' ms, delivered ' + arrow.deliveredMs + ' ms');
    });
  }

  function dropEnd(drop) {
    var fromY = laneY(drop.from), toY = laneY(drop.to);
    // Dropped on arrival: the arrow reaches the receiver. Dropped when sent: a short stub toward it.
    if (drop.droppedMs > drop.sentMs) return { x: x(drop.droppedMs), y: toY };
    return { x: x(drop.sentMs) + 8, y: fromY + (toY - fromY) * 0.3 };
  }

  function drawDrops(group) {
    model.drops.forEach(function (drop) {
      var end = dropEnd(drop);
      var g = element(group, 'g', { class: 'drop', 'data-from': drop.from, 'data-to': drop.to, 'data-reason': drop.reason });
      withTitle(g, drop.label + ': ' + drop.from + ' → ' + drop.to + ' dropped (' + drop.reason + ') at ' + drop.droppedMs + ' ms');
      element(g, 'line', { class: 'drop-line', x1: x(drop.sentMs), y1: laneY(drop.from), x2: end.x, y2: end.y });
      var d = 'M' + (end.x - 3) + ' ' + (end.y - 3) + 'L' + (end.x + 3) + ' ' + (end.y + 3)
        + 'M' + (end.x - 3) + ' ' + (end.y + 3) + 'L' + (end.x + 3) + ' ' + (end.y - 3);
      element(g, 'path', { class: 'drop-x', d: d });
    });
  }

  function drawOperations(group) {
    model.operations.forEach(function (op) {
      var classes = 'op outcome-' + op.outcome + (op.flagged === 'illegal' ? ' illegal' : op.flagged === 'unknown' ? ' undecided' : '');
      var rect = element(group, 'rect', {
        class: classes, 'data-op': op.id, 'data-client': op.client, x: x(op.invokeMs), y: clientY(op.client) + 4,
        width: Math.max(3, x(op.returnMs) - x(op.invokeMs)), height: CLIENT_ROW - 8,
      });
      element(group, 'text', { class: 'op-label', x: x(op.returnMs) + 4, y: clientY(op.client) + 15 }, op.label);
      withTitle(rect, op.label + ' (' + op.invokeMs + ' ms to ' + op.returnMs + ' ms' + (op.flagged ? ', flagged ' + op.flagged + ' by the linearizability checker' : '') + ')');
    });
  }

  /** A small downward triangle just under the axis: where something went wrong, visible at any zoom. */
  function axisMark(group, className, atMs, attributes, title) {
    var px = x(atMs);
    attributes.class = className;
    attributes.d = 'M' + (px - 5) + ' ' + (AXIS_HEIGHT + 1) + 'L' + (px + 5) + ' ' + (AXIS_HEIGHT + 1) + 'L' + px + ' ' + (AXIS_HEIGHT + 10) + 'z';
    withTitle(element(group, 'path', attributes), title);
  }

  function drawViolations(group) {
    model.violations.forEach(function (mark) {
      var onLane = mark.node !== undefined && model.nodes.indexOf(mark.node) >= 0;
      var top = onLane ? laneY(mark.node) - LANE_HEIGHT / 2 + 2 : AXIS_HEIGHT;
      var bottom = onLane ? laneY(mark.node) + LANE_HEIGHT / 2 - 2 : layout.lanesBottom;
      var where = onLane ? laneName(mark.node) + (mark.region !== undefined ? ' (region ' + mark.region + ')' : '') + ' at ' : 'at ';
      var title = 'violation: ' + where + mark.atMs + ' ms: ' + mark.text;
      var g = element(group, 'g', { class: 'violation', 'data-node': onLane ? mark.node : '', 'data-at': mark.atMs });
      withTitle(g, title);
      element(g, 'line', { class: 'violation-line', x1: x(mark.atMs), x2: x(mark.atMs), y1: top, y2: bottom });
      axisMark(g, 'violation-mark', mark.atMs, {}, title);
    });
  }

  function drawFlagMarks(group) {
    model.operations.forEach(function (op) {
      if (!op.flagged) return;
      axisMark(group, 'flag-mark', op.returnMs, { 'data-op': op.id }, op.label + ': flagged ' + op.flagged + ' by the linearizability checker');
    });
  }

  function drawDefinitions() {
    var defs = element(svg, 'defs', {});
    var marker = element(defs, 'marker', { id: 'arrowhead', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 6, markerHeight: 6, orient: 'auto-start-reverse' });
    element(marker, 'path', { d: 'M0 0L10 5L0 10z', fill: '#2563eb' });
    var clip = element(defs, 'clipPath', { id: 'plot-clip' });
    element(clip, 'rect', { x: LEFT, y: 0, width: layout.width - LEFT - RIGHT, height: layout.height });
  }

  function draw() {
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    svg.setAttribute('width', layout.width);
    svg.setAttribute('height', layout.height);
    drawDefinitions();
    var plot = element(svg, 'g', { 'clip-path': 'url(#plot-clip)' });
    drawAxis(plot, svg);
    drawPartitions(plot);
    drawLanes(plot);
    drawCrashes(plot);
    drawRoles(plot);
    drawArrows(plot);
    drawDrops(plot);
    drawOperations(plot);
    drawFlagMarks(plot);
    drawViolations(plot);
    drawLaneLabels(svg);
    document.getElementById('view-range').textContent = 'showing ' + view.startMs.toFixed(1) + ' ms to ' + view.endMs.toFixed(1) + ' ms';
  }

  function redraw() {
    draw();
    writeAddress();
  }

  function timeAt(clientX) {
    var box = svg.getBoundingClientRect();
    var fraction = (clientX - box.left - LEFT) / (layout.width - LEFT - RIGHT);
    return view.startMs + Math.min(1, Math.max(0, fraction)) * (view.endMs - view.startMs);
  }

  function zoom(event) {
    event.preventDefault();
    var anchorMs = timeAt(event.clientX);
    var factor = event.deltaY < 0 ? 0.8 : 1.25;
    var span = Math.max(0.5, Math.min(model.endMs - model.startMs + 1, (view.endMs - view.startMs) * factor));
    var fraction = (anchorMs - view.startMs) / (view.endMs - view.startMs);
    view.startMs = anchorMs - fraction * span;
    view.endMs = view.startMs + span;
    redraw();
  }

  function installPanning() {
    var dragFromX = null, dragView = null;
    svg.addEventListener('mousedown', function (event) { dragFromX = event.clientX; dragView = { startMs: view.startMs, endMs: view.endMs }; });
    window.addEventListener('mouseup', function () { dragFromX = null; });
    window.addEventListener('mousemove', function (event) {
      if (dragFromX === null) return;
      var shiftMs = ((event.clientX - dragFromX) / (layout.width - LEFT - RIGHT)) * (dragView.endMs - dragView.startMs);
      view.startMs = dragView.startMs - shiftMs;
      view.endMs = dragView.endMs - shiftMs;
      redraw();
    });
    svg.addEventListener('dblclick', function () { view = fullView(); redraw(); });
    svg.addEventListener('wheel', zoom, { passive: false });
    window.addEventListener('hashchange', function () {
      var asked = viewFromAddress();
      if (asked && (asked.startMs !== view.startMs || asked.endMs !== view.endMs)) { view = asked; draw(); }
    });
  }

  try {
    draw();
    installPanning();
    var box = svg.getBoundingClientRect();
    // Inside the border: where the drawing's (0, 0) is.
    document.body.setAttribute('data-timeline-origin', (box.left + window.scrollX + svg.clientLeft) + ',' + (box.top + window.scrollY + svg.clientTop));
    document.body.setAttribute('data-render', 'done');
  } catch (error) {
    document.body.setAttribute('data-render', 'error');
    document.getElementById('render-error').textContent = 'The timeline could not be drawn: ' + (error && error.stack ? error.stack : String(error));
  }
})();
`;
