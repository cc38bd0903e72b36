// The streamlearn dashboard: polls /api/state and redraws. Everything is built with DOM calls and textContent,
// so a hold reason or a label is shown as text, never interpreted as markup. No library: the page works offline.
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
// The chart's default metric: the first of these that every version carries (the first snapshot may lack window metrics).
const PREFERRED = ['macro_f1', 'balanced_accuracy', 'roc_auc', 'accuracy', 'preq_balanced_accuracy', 'preq_log_loss'];
let chosenMetric = null;
let lastState = null;

function el(tag, attrs, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined && text !== null) e.textContent = String(text);
  return e;
}

function fmt(x, digits) {
  return x === undefined || x === null ? '-' : Number(x).toFixed(digits === undefined ? 4 : digits);
}

function count(x) {
  return x === undefined || x === null ? '-' : Number(x).toLocaleString('en');
}

// A time the page cannot show (a bad created_at or updated_at in a topic) is '-': toISOString's RangeError must not stop the drawing.
function time(ms) {
  const d = new Date(typeof ms === 'number' ? ms : NaN);
  return isNaN(d.getTime()) ? '-' : d.toISOString().substring(0, 19).replace('T', ' ');
}

function row(tbody, cells, attrs) {
  const tr = el('tr', attrs);
  for (const c of cells) {
    tr.appendChild(typeof c === 'object' && c !== null ? el('td', c.attrs, c.text) : el('td', {}, c));
  }
  tbody.appendChild(tr);
  return tr;
}

function num(text) {
  return { text: text, attrs: { class: 'num' } };
}

function metricNames(versions) {
  const names = new Set();
  versions.forEach(v => Object.keys(v.metrics).forEach(n => names.add(n)));
  return [...names].sort();
}

function defaultMetric(versions) {
  const inAll = PREFERRED.filter(m => versions.every(v => m in v.metrics));
  if (inAll.length) return inAll[0];
  const inAny = PREFERRED.filter(m => versions.some(v => m in v.metrics));
  return inAny.length ? inAny[0] : metricNames(versions)[0];
}

function drawMetricSelect(versions) {
  const select = document.getElementById('chart-metric');
  const names = metricNames(versions);
  if (!chosenMetric || !names.includes(chosenMetric)) chosenMetric = defaultMetric(versions);
  select.replaceChildren(...names.map(n => {
    const o = el('option', { value: n }, n);
    if (n === chosenMetric) o.selected = true;
    return o;
  }));
}

function drawVersionChart(state) {
  const chart = document.getElementById('version-chart');
  chart.replaceChildren();
  const W = 900, H = 260, left = 56, right = 16, top = 16, bottom = 36;
  const versions = state.versions;
  chart.setAttribute('data-metric', chosenMetric || '');
  if (!versions.length || !chosenMetric) {
    chart.appendChild(svg('text', { x: left, y: H / 2, class: 'chart-empty' }, versions.length
      ? 'no metrics yet: none of the ' + versions.length + ' versions shown carries one' : 'no version yet'));
    return;
  }
  const values = versions.filter(v => chosenMetric in v.metrics).map(v => v.metrics[chosenMetric]);
  let lo = Math.min(...values), hi = Math.max(...values);
  if (!(hi > lo)) { lo -= 0.5; hi += 0.5; }
  const pad = (hi - lo) * 0.08;
  lo -= pad; hi += pad;
  const step = versions.length > 1 ? (W - left - right) / (versions.length - 1) : 0;
  const xOf = new Map(versions.map((v, i) => [v.version, versions.length > 1 ? left + i * step : (W + left - right) / 2]));
  const y = value => top + (hi - value) / (hi - lo) * (H - top - bottom);
  for (let i = 0; i <= 4; i++) {
    const value = lo + (hi - lo) * i / 4;
    chart.appendChild(svg('line', { class: 'grid', x1: left, x2: W - right, y1: y(value), y2: y(value) }));
    chart.appendChild(svg('text', { x: left - 6, y: y(value) + 4, 'text-anchor': 'end' }, value.toFixed(3)));
  }
  chart.appendChild(svg('line', { class: 'axis', x1: left, x2: W - right, y1: H - bottom, y2: H - bottom }));
  chart.appendChild(svg('line', { class: 'axis', x1: left, x2: left, y1: top, y2: H - bottom }));
  const every = Math.max(1, Math.ceil(versions.length / 20));
  versions.forEach((v, i) => {
    if (i % every === 0 || i === versions.length - 1) {
      chart.appendChild(svg('text', { x: xOf.get(v.version), y: H - bottom + 16, 'text-anchor': 'middle' }, 'v' + v.version));
    }
  });
  chart.appendChild(svg('text', { x: (W + left) / 2, y: H - 4, 'text-anchor': 'middle' }, 'version'));
  // Rollbacks and roll-forwards: a dashed line from the version that served to the one that serves after.
  state.pointer_history.filter(p => p.kind === 'rollback' || p.kind === 'roll-forward').forEach(p => {
    if (p.previous === null || !xOf.has(p.previous) || !xOf.has(p.version)) return;
    const g = svg('g', { class: 'rollback', 'data-from': p.previous, 'data-to': p.version, 'data-kind': p.kind });
    g.appendChild(svg('line', { class: 'rollback-mark', x1: xOf.get(p.previous), x2: xOf.get(p.version), y1: top + 4, y2: top + 4 }));
    g.appendChild(svg('line', { class: 'rollback-mark', x1: xOf.get(p.version), x2: xOf.get(p.version), y1: top, y2: H - bottom }));
    g.appendChild(svg('text', { x: xOf.get(p.version) + 4, y: top + 16 }, p.kind + ' v' + p.previous + ' \u2192 v' + p.version));
    g.appendChild(svg('title', {}, p.kind + ' v' + p.previous + ' \u2192 v' + p.version + ': ' + p.reason));
    chart.appendChild(g);
  });
  const withValue = versions.filter(v => chosenMetric in v.metrics);
  chart.appendChild(svg('polyline', { class: 'series', points: withValue.map(v => xOf.get(v.version) + ',' + y(v.metrics[chosenMetric])).join(' ') }));
  for (const v of withValue) {
    const cx = xOf.get(v.version), cy = y(v.metrics[chosenMetric]);
    const current = v.version === state.current;
    const c = svg('circle', { class: 'point', cx: cx, cy: cy, r: 5, 'data-version': v.version, 'data-status': v.status,
      'data-current': current, 'data-value': v.metrics[chosenMetric] });
    c.appendChild(svg('title', {}, 'v' + v.version + ' ' + v.status + ' ' + chosenMetric + ' ' + fmt(v.metrics[chosenMetric])
      + (v.hold_reason ? ': ' + v.hold_reason : '')));
    chart.appendChild(c);
    if (current) chart.appendChild(svg('circle', { class: 'current-ring', cx: cx, cy: cy, r: 9, 'data-current-version': v.version }));
  }
}

function drawVersionList(state) {
  const tbody = document.querySelector('#version-list tbody');
  tbody.replaceChildren();
  for (const v of [...state.versions].reverse()) {
    const m = v.metrics;
    const current = v.version === state.current;
    const offsets = lineage(v.offsets);
    row(tbody, ['v' + v.version + (current ? ' (current)' : ''), v.parent === null ? '-' : 'v' + v.parent,
      v.status.toLowerCase(), time(v.created_at), num(count(v.trained_records)), num(count(v.synthetic_records)), num(count(m.n)),
      num(fmt(m.macro_f1)), num(fmt(m.balanced_accuracy)), num(fmt(m.roc_auc)), num(fmt(m.log_loss)), { text: offsets, attrs: { class: 'wrap' } }],
      { 'data-version': v.version, 'data-status': v.status, 'data-current': current,
        class: (current ? 'current ' : '') + (v.status === 'HELD' ? 'held' : '') });
  }
}

// "prefix.records.train-3": 1643 and its siblings as "records.train 620 · 431 · 452 · 1643" (partitions in order).
function lineage(offsets) {
  const byTopic = new Map();
  for (const [tp, o] of Object.entries(offsets)) {
    const m = /^(.*)-(\d+)$/.exec(tp);
    if (!m) continue;
    const base = (/((?:records|model)\.[\w-]+)$/.exec(m[1]) || [null, m[1]])[1];
    if (!byTopic.has(base)) byTopic.set(base, []);
    byTopic.get(base)[Number(m[2])] = o;
  }
  return [...byTopic.entries()].sort((a, b) => a[0] < b[0] ? -1 : 1).map(([t, os]) => t + ' ' + [...os].map(o => o === undefined ? '?' : o).join(' \u00b7 ')).join('; ');
}

function drawHeld(state) {
  const list = document.getElementById('held-list');
  const held = state.versions.filter(v => v.status === 'HELD');
  list.replaceChildren(...held.map(v => el('li', { 'data-version': v.version }, 'v' + v.version + ': ' + (v.hold_reason || 'no reason recorded'))));
  if (!held.length) list.appendChild(el('li', { class: 'muted' }, 'none: every version passed the quality gate'));
}

function drawPointers(state) {
  const tbody = document.querySelector('#pointer-history tbody');
  tbody.replaceChildren();
  for (const p of [...state.pointer_history].reverse()) {
    row(tbody, [num(p.offset), time(p.updated_at), p.kind, 'v' + p.version, p.previous === null ? '-' : 'v' + p.previous,
      p.head < 0 ? '-' : 'v' + p.head, { text: p.reason, attrs: { class: 'wrap' } }],
      { 'data-offset': p.offset, 'data-version': p.version, 'data-kind': p.kind });
  }
}

function drawBalance(state) {
  const chart = document.getElementById('balance-chart');
  chart.replaceChildren();
  const rows = state.balance.classes;
  document.getElementById('balance-ratio').textContent = fmt(state.balance.min_max_ratio, 3);
  if (!rows.length) {
    chart.appendChild(svg('text', { x: 10, y: 100 }, 'no training records yet'));
    return;
  }
  const W = 440, left = 70, right = 110, rowH = Math.max(8, Math.min(28, 180 / rows.length)), top = 6;
  chart.setAttribute('viewBox', '0 0 ' + W + ' ' + (top * 2 + rows.length * rowH));
  const max = Math.max(1, ...rows.map(r => Math.max(r.before, r.after, r.target)));
  const x = n => left + n / max * (W - left - right);
  rows.forEach((r, i) => {
    const y0 = top + i * rowH;
    const g = svg('g', { class: 'class-row', 'data-label': r.label, 'data-before': r.before, 'data-after': r.after, 'data-target': r.target });
    g.appendChild(svg('text', { x: left - 6, y: y0 + rowH * 0.7, 'text-anchor': 'end' }, r.label));
    g.appendChild(svg('rect', { class: 'bar-before', x: left, y: y0 + 1, height: rowH / 2 - 1, width: Math.max(0, x(r.before) - left) }));
    g.appendChild(svg('rect', { class: 'bar-after', x: left, y: y0 + rowH / 2, height: rowH / 2 - 1, width: Math.max(0, x(r.after) - left) }));
    if (r.target > 0) g.appendChild(svg('line', { class: 'bar-target', x1: x(r.target), x2: x(r.target), y1: y0, y2: y0 + rowH - 1 }));
    g.appendChild(svg('text', { x: Math.max(x(r.after), x(r.target)) + 4, y: y0 + rowH * 0.7 }, count(r.before) + ' \u2192 ' + count(r.after)));
    g.appendChild(svg('title', {}, r.label + ': ' + r.before + ' real, ' + r.after + ' written, target ' + r.target
      + (r.eligible ? '' : ' (too few records to rebalance)')));
    chart.appendChild(g);
  });
}

function drawDlq(state) {
  const tbody = document.querySelector('#dlq-list tbody');
  tbody.replaceChildren();
  const entries = Object.entries(state.dlq);
  entries.forEach(([reason, n]) => row(tbody, [reason, num(count(n))], { 'data-reason': reason, 'data-count': n }));
  if (!entries.length) row(tbody, ['none', num(0)], {});
  const counts = document.querySelector('#counts tbody');
  counts.replaceChildren();
  Object.entries(state.status.counts).forEach(([k, v]) => row(counts, [k, num(typeof v === 'boolean' ? (v ? 'yes' : 'no') : count(v))], { 'data-count': k }));
}

function drawLag(state) {
  const tbody = document.querySelector('#lag-list tbody');
  tbody.replaceChildren();
  for (const [who, part] of [['streams app', state.status.streams], ['updater', state.status.updater]]) {
    row(tbody, [who + ' (' + part.group + ')', 'all', num(count(part.lag))], { 'data-group': part.group, 'data-lag': part.lag, class: 'current' });
    Object.entries(part.lag_by_partition).forEach(([tp, n]) => row(tbody, ['', tp, num(count(n))], { 'data-group': part.group, 'data-partition': tp, 'data-lag': n }));
  }
}

// How fresh the state is: the server serves its last good reading (stale) while a new one runs.
function drawFreshness(state) {
  const updated = document.getElementById('updated-at');
  updated.textContent = time(state.generated_at) + (state.stale ? ' (stale: read ' + Math.round((state.age_ms || 0) / 1000) + ' s ago)' : '');
  updated.className = state.stale ? 'bad' : '';
  document.body.setAttribute('data-stale', state.stale ? 'true' : 'false');
}

function draw(state) {
  // The server reads the topics at most once per refresh: the same reading again changes nothing but its age.
  if (lastState && lastState.generated_at === state.generated_at) {
    lastState = state;
    drawFreshness(state);
    return;
  }
  lastState = state;
  document.getElementById('model-name').textContent = state.model;
  const current = document.getElementById('current-version');
  current.textContent = state.current === null ? 'none' : 'v' + state.current;
  current.setAttribute('data-version', state.current === null ? '' : state.current);
  document.getElementById('head-version').textContent = state.head === null ? '-' : 'v' + state.head;
  const caughtUp = document.getElementById('caught-up');
  caughtUp.textContent = state.status.caught_up ? 'caught up' : 'not caught up';
  caughtUp.className = state.status.caught_up ? 'ok' : 'bad';
  drawMetricSelect(state.versions);
  drawVersionChart(state);
  drawVersionList(state);
  drawHeld(state);
  drawPointers(state);
  drawBalance(state);
  drawDlq(state);
  drawLag(state);
  const hidden = document.getElementById('versions-not-shown');
  hidden.textContent = state.versions_not_shown > 0
    ? state.versions_not_shown + ' older of ' + state.versions_total + ' versions not shown (dashboard --versions)' : '';
  hidden.setAttribute('data-count', state.versions_not_shown || 0);
  drawFreshness(state);
  document.body.setAttribute('data-generated-at', state.generated_at);
}

function showError(message) {
  const e = document.getElementById('error');
  e.hidden = !message;
  e.textContent = message || '';
}

async function refresh() {
  let next = 5;
  try {
    const response = await fetch('/api/state', { cache: 'no-store' });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error || response.statusText);
    next = body.refresh_seconds || next;
    draw(body);
    showError(null);
  } catch (e) {
    showError('not updated: ' + e.message + (lastState ? ' (showing the last state read)' : ''));
  }
  setTimeout(refresh, next * 1000);
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('chart-metric').addEventListener('change', e => {
    chosenMetric = e.target.value;
    if (lastState) drawVersionChart(lastState);
  });
  refresh();
});
