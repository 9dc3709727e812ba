/**
 * A self-contained HTML report page: text, tables and uPlot line charts, with uPlot's script and stylesheet
 * inlined so the file opens offline. Chart data travels as JSON in `<script type="application/json">`
 * elements that a small inline script turns into charts; each chart's numbers are also listed in a
 * collapsible table and its markers in a list, so the page stays readable without JavaScript.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadChartAssets } from './assets.js'
import { DEFAULT_CHART_HEIGHT_PX, DEFAULT_CHART_WIDTH_PX, DEFAULT_MARKER_COLOR, DEFAULT_PAGE_FILE_NAME, SERIES_COLORS } from './constants.js'
import type { ReportCell, ReportChart, ReportPageInit, ReportSection, ReportTable } from './types.js'
import { validateChart, validateTable } from './validate.js'

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml (text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string)
}

/** JSON that is safe inside a `<script>` element (no `<`, so no `</script>` and no `<!--`). */
function scriptJson (value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')
}

function isNumericColumn (table: ReportTable, column: number): boolean {
  return table.rows.length > 0 && table.rows.every((row) => row[column] === null || typeof row[column] === 'number')
}

function cellText (cell: ReportCell): string {
  return cell === null ? '' : String(cell)
}

function renderTable (table: ReportTable): string {
  const align = table.columns.map((_, c) => table.align?.[c] ?? (isNumericColumn(table, c) ? 'right' : 'left'))
  const head = table.columns.map((name, c) => `<th class="${align[c]}">${escapeHtml(name)}</th>`).join('')
  const body = table.rows.map((row) =>
    `<tr>${row.map((cell, c) => `<td class="${align[c]}">${escapeHtml(cellText(cell))}</td>`).join('')}</tr>`
  ).join('\n')
  return `<table><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>`
}

function chartDataTable (chart: ReportChart): ReportTable {
  const tick = new Map((chart.xTicks ?? []).map((t) => [t.value, t.label]))
  return {
    columns: [chart.xLabel ?? 'x', ...chart.series.map((s) => s.label)],
    rows: chart.x.map((x, i) => [
      tick.get(x) ?? x,
      ...chart.series.map((s) => {
        const v = s.values[i]
        if (v === null) return null
        return chart.yFormat === 'percent' ? `${(v * 100).toFixed(2)}%` : v
      })
    ])
  }
}

/** A chart's markers in x order (ties keep their given order), numbered from 1 as on the chart's badges. */
interface NumberedMarker { n: number, x: number, label: string, color: string, dashed: boolean }

function numberMarkers (chart: ReportChart): NumberedMarker[] {
  return [...(chart.markers ?? [])]
    .sort((a, b) => a.x - b.x)
    .map((m, i) => ({ n: i + 1, x: m.x, label: m.label, color: m.color ?? DEFAULT_MARKER_COLOR, dashed: m.dashed === true }))
}

/** The markers as a plain list under the chart, so they read without JavaScript and page search finds them. */
function renderMarkerList (chart: ReportChart, markers: NumberedMarker[]): string {
  const tick = new Map((chart.xTicks ?? []).map((t) => [t.value, t.label]))
  const first = chart.x[0]
  const last = chart.x[chart.x.length - 1]
  const items = markers.map((m) => {
    const off = m.x < first || m.x > last
    const at = tick.get(m.x) ?? String(+m.x.toPrecision(6))
    return `<li${off ? ' class="off"' : ''}><span class="mk-n"><i style="background:${escapeHtml(m.color)}"></i>${m.n}</span>` +
      `<span class="mk-x">${escapeHtml(at)}</span> ${escapeHtml(m.label)}${off ? ' <em>(outside the chart)</em>' : ''}</li>`
  })
  return `<div class="markers"><div class="markers-title">Markers: number, ${escapeHtml(chart.xLabel ?? 'x')}, label</div>\n` +
    `<ol class="markers">\n${items.join('\n')}\n</ol></div>`
}

function renderChart (chart: ReportChart, index: number): string {
  const markers = numberMarkers(chart)
  const spec = {
    x: chart.x,
    series: chart.series.map((s, i) => ({
      label: s.label,
      values: s.values,
      color: s.color ?? SERIES_COLORS[i % SERIES_COLORS.length],
      dashed: s.dashed === true
    })),
    xLabel: chart.xLabel ?? '',
    yLabel: chart.yLabel ?? '',
    xScale: chart.xScale ?? 'linear',
    xTicks: chart.xTicks ?? null,
    yRange: chart.yRange ?? null,
    yFormat: chart.yFormat ?? 'number',
    width: chart.widthPx ?? DEFAULT_CHART_WIDTH_PX,
    height: chart.heightPx ?? DEFAULT_CHART_HEIGHT_PX,
    markers
  }
  return [
    `<div class="chart" id="chart-${index}"></div>`,
    `<script type="application/json" data-chart="chart-${index}">${scriptJson(spec)}</script>`,
    ...(markers.length > 0 ? [renderMarkerList(chart, markers)] : []),
    `<details><summary>Chart data</summary>${renderTable(chartDataTable(chart))}</details>`
  ].join('\n')
}

function renderSection (section: ReportSection, chartIndex: number): string {
  const parts = [`<section>\n<h2>${escapeHtml(section.heading)}</h2>`]
  const paragraphs = section.text === undefined ? [] : Array.isArray(section.text) ? section.text : [section.text]
  for (const paragraph of paragraphs) parts.push(`<p>${escapeHtml(paragraph)}</p>`)
  if (section.chart !== undefined) parts.push(renderChart(section.chart, chartIndex))
  if (section.table !== undefined) parts.push(renderTable(section.table))
  parts.push('</section>')
  return parts.join('\n')
}

// Runs in the browser: builds one uPlot per chart spec. Plain ES2017 so any current browser runs it.
const CHART_BOOTSTRAP = `
(function () {
  // Event markers (spec.markers: sorted by x, numbered from 1 as in the list under the chart). Each gets a line
  // over the plot and a numbered badge in a band above it, staggered over up to MARK_ROWS rows. Badges are placed
  // first and a label is written beside its badge only where its row has room, so a dense cluster shows
  // numbers rather than overlapping text; a marker that finds no row keeps its line. Hovering a line shows
  // the labels of every marker under the cursor, and the list under the chart gives them all.
  var MARK_ROWS = 3, MARK_ROW_PX = 17, MARK_FONT_PX = 11, MARK_GAP_PX = 4, MARK_NEAR_PX = 5;
  function markerBandPx (count) { return count === 0 ? 0 : Math.min(MARK_ROWS, count) * MARK_ROW_PX + 6; }
  // Row r's vertical centre in canvas pixels (row 0 sits right above the plot).
  function markerRowY (u, r) { var dpr = uPlot.pxRatio || 1; return u.bbox.top - 3 * dpr - (r + 0.5) * MARK_ROW_PX * dpr; }
  function inXRange (u, ax) { return ax >= u.scales.x.min && ax <= u.scales.x.max; }
  // Returns the drawn markers with canvas positions: px (line), row (-1: no badge), badgeLeft, left/right (badge
  // plus label), side (1: label right of the badge, -1: left of it, 0: number only). A badge is centred on its
  // line or nudged right by up to half its width (it still sits on the line) to fit in a row.
  function layoutMarkers (u, markers, toAxis, measure) {
    var dpr = uPlot.pxRatio || 1, gap = MARK_GAP_PX * dpr, pad = 3 * dpr;
    var rows = Math.min(MARK_ROWS, markers.length), lanes = [], items = [];
    var edgeLeft = pad, edgeRight = u.ctx.canvas.width - pad;
    for (var r = 0; r < rows; r++) lanes.push([]);
    markers.forEach(function (m) {
      var ax = toAxis(m.x);
      if (!inXRange(u, ax)) return;
      var px = u.valToPos(ax, 'x', true), badge = measure(String(m.n)) + 2 * pad;
      var it = { m: m, px: px, row: -1, side: 0, badge: badge, labelWidth: measure(m.label), badgeLeft: px - badge / 2 };
      items.push(it);
      for (var r = 0; r < rows; r++) {
        var lane = lanes[r], last = lane[lane.length - 1];
        var left = last === undefined ? it.badgeLeft : Math.max(it.badgeLeft, last.right + gap);
        if (left <= px - 2 * dpr) {
          it.row = r; it.badgeLeft = it.left = left; it.right = left + badge;
          lane.push(it);
          return;
        }
      }
    });
    lanes.forEach(function (lane) {
      for (var i = 0; i < lane.length; i++) {
        var it = lane[i], need = pad + it.labelWidth;
        var limitRight = i + 1 < lane.length ? lane[i + 1].left - gap : edgeRight;
        var limitLeft = i > 0 ? lane[i - 1].right + gap : edgeLeft;
        if (it.right + need <= limitRight) { it.side = 1; it.right += need; } else if (it.left - need >= limitLeft) { it.side = -1; it.left -= need; }
      }
    });
    return items;
  }
  // White or near-black text, whichever reads better on the badge colour (the canvas normalises any CSS colour).
  function badgeTextColor (ctx, color) {
    ctx.fillStyle = '#000'; ctx.fillStyle = color;
    var c = String(ctx.fillStyle), rgb;
    if (c.charAt(0) === '#') rgb = [1, 3, 5].map(function (i) { return parseInt(c.substr(i, 2), 16); });
    else rgb = (c.match(/[0-9.]+/g) || ['0', '0', '0']).slice(0, 3).map(Number);
    return 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2] > 150 ? '#111' : '#fff';
  }
  function drawMarkers (u, markers, toAxis) {
    var ctx = u.ctx, dpr = uPlot.pxRatio || 1, box = u.bbox, h = (MARK_ROW_PX - 3) * dpr, pad = 3 * dpr;
    ctx.save();
    ctx.font = MARK_FONT_PX * dpr + 'px system-ui, -apple-system, "Segoe UI", sans-serif';
    ctx.textBaseline = 'middle';
    var items = layoutMarkers(u, markers, toAxis, function (text) { return ctx.measureText(text).width; });
    // Lines first, so that badges and labels cover the lines they cross.
    ctx.lineWidth = 1.5 * dpr;
    ctx.globalAlpha = 0.85;
    items.forEach(function (it) {
      var x = Math.round(it.px) + 0.5;
      ctx.strokeStyle = it.m.color;
      ctx.setLineDash(it.m.dashed ? [5 * dpr, 4 * dpr] : []);
      ctx.beginPath();
      ctx.moveTo(x, it.row < 0 ? box.top : markerRowY(u, it.row));
      ctx.lineTo(x, box.top + box.height);
      ctx.stroke();
    });
    ctx.globalAlpha = 1;
    items.forEach(function (it) {
      if (it.row < 0) return;
      var y = markerRowY(u, it.row), badgeLeft = it.badgeLeft;
      if (it.side !== 0) {
        ctx.fillStyle = 'rgba(255, 255, 255, 0.92)';
        ctx.fillRect(it.left, y - h / 2, it.right - it.left, h);
      }
      ctx.fillStyle = it.m.color;
      ctx.fillRect(badgeLeft, y - h / 2, it.badge, h);
      ctx.fillStyle = badgeTextColor(ctx, it.m.color);
      ctx.textAlign = 'center';
      ctx.fillText(String(it.m.n), badgeLeft + it.badge / 2, y);
      if (it.side !== 0) {
        ctx.fillStyle = '#222';
        ctx.textAlign = it.side > 0 ? 'left' : 'right';
        ctx.fillText(it.m.label, it.side > 0 ? badgeLeft + it.badge + pad : badgeLeft - pad, y);
      }
    });
    ctx.restore();
  }
  function markerPlugin (markers, toAxis, fmtX) {
    var tip = null;
    return { hooks: {
      init: function (u) {
        tip = document.createElement('div');
        tip.className = 'marker-tip';
        tip.style.display = 'none';
        u.over.appendChild(tip);
      },
      draw: function (u) { drawMarkers(u, markers, toAxis); },
      setCursor: function (u) {
        var left = u.cursor.left, near = [];
        if (left != null && left >= 0) {
          markers.forEach(function (m) {
            var ax = toAxis(m.x);
            if (inXRange(u, ax) && Math.abs(u.valToPos(ax, 'x') - left) <= MARK_NEAR_PX) near.push(m);
          });
        }
        if (near.length === 0) { tip.style.display = 'none'; return; }
        // textContent: labels are data, never markup.
        tip.textContent = near.map(function (m) { return m.n + '  ' + fmtX(toAxis(m.x)) + '  ' + m.label; }).join('\\n');
        tip.style.display = 'block';
        var width = u.over.clientWidth;
        if (left > width / 2) { tip.style.left = ''; tip.style.right = (width - left + 10) + 'px'; } else { tip.style.right = ''; tip.style.left = (left + 10) + 'px'; }
      }
    } };
  }
  var nodes = document.querySelectorAll('script[data-chart]');
  for (var n = 0; n < nodes.length; n++) buildChart(nodes[n]);
  // One function call per chart, so each chart's formatters close over its own settings (var is function-scoped).
  function buildChart (node) {
    var spec = JSON.parse(node.textContent);
    var target = document.getElementById(node.getAttribute('data-chart'));
    var percent = spec.yFormat === 'percent';
    var fmtY = function (v) { return v == null ? '–' : (percent ? (v * 100).toFixed(2) + '%' : String(+v.toPrecision(6))); };
    // A log x axis is drawn as log10(x) on a linear scale: uPlot's own log distribution hands the axis callbacks
    // nulls for custom splits, so tick labels would be lost.
    var logX = spec.xScale === 'log';
    var toAxis = function (x) { return logX ? Math.log10(x) : x; };
    var ticks = (spec.xTicks || []).map(function (t) { return { value: toAxis(t.value), label: t.label }; });
    var fmtX = function (v) {
      if (v == null) return '–';
      for (var i = 0; i < ticks.length; i++) if (Math.abs(ticks[i].value - v) < 1e-9) return ticks[i].label;
      return String(+(logX ? Math.pow(10, v) : v).toPrecision(6));
    };
    var xAxis = { label: spec.xLabel, values: function (u, splits) { return splits.map(fmtX); } };
    if (ticks.length > 0) xAxis.splits = function () { return ticks.map(function (t) { return t.value; }); };
    var yAxis = { label: spec.yLabel, size: 70, values: function (u, splits) { return splits.map(fmtY); } };
    var series = [{ label: spec.xLabel || 'x', value: function (u, v) { return fmtX(v); } }];
    spec.series.forEach(function (s) {
      series.push({ label: s.label, stroke: s.color, width: 2, dash: s.dashed ? [6, 4] : undefined,
        points: { show: true, size: 6 }, spanGaps: false, value: function (u, v) { return fmtY(v); } });
    });
    var xScale = { time: false };
    var yScale = spec.yRange ? { range: spec.yRange } : {};
    var data = [spec.x.map(toAxis)].concat(spec.series.map(function (s) { return s.values; }));
    var markers = spec.markers || [];
    var band = markerBandPx(markers.length);
    // The marker band is added above the plot, so markers do not shrink the plot itself.
    var opts = { width: spec.width, height: spec.height + band, scales: { x: xScale, y: yScale }, axes: [xAxis, yAxis], series: series };
    if (markers.length > 0) { opts.padding = [band, null, null, null]; opts.plugins = [markerPlugin(markers, toAxis, fmtX)]; }
    new uPlot(opts, data, target);
  }
})();
`

const PAGE_CSS = `
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: #1a1a1a; max-width: 1000px; margin: 2em auto; padding: 0 1em; }
h1 { margin-bottom: 0.2em; } .subtitle { color: #555; margin-top: 0; font-family: ui-monospace, monospace; font-size: 13px; }
h2 { margin-top: 1.8em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; }
table { border-collapse: collapse; margin: 0.8em 0; font-variant-numeric: tabular-nums; font-size: 14px; }
th, td { padding: 0.25em 0.7em; border-bottom: 1px solid #eee; } th { background: #f5f5f5; }
.left { text-align: left; } .right { text-align: right; }
details { margin: 0.5em 0; color: #333; } summary { cursor: pointer; color: #555; }
footer { margin-top: 3em; color: #777; font-size: 13px; }
.markers { margin: 0.4em 0 0.6em; font-size: 13px; } .markers-title { color: #555; }
ol.markers { list-style: none; margin: 0.2em 0; padding: 0; columns: 3 16em; column-gap: 1.5em; }
ol.markers li { break-inside: avoid; padding: 0.05em 0; } ol.markers li.off { color: #888; }
.mk-n { display: inline-block; min-width: 2.6em; font-variant-numeric: tabular-nums; color: #555; }
.mk-n i { display: inline-block; width: 0.9em; height: 0.9em; margin-right: 0.3em; vertical-align: -0.1em; border-radius: 2px; }
.mk-x { display: inline-block; min-width: 3.5em; text-align: right; margin-right: 0.4em; font-variant-numeric: tabular-nums; }
.marker-tip { position: absolute; top: 4px; z-index: 100; pointer-events: none; white-space: pre; font: 12px/1.35 system-ui, sans-serif;
  background: rgba(255, 255, 255, 0.95); border: 1px solid #aaa; border-radius: 3px; padding: 2px 6px; }
`

/**
 * Renders a whole report page as one HTML string (uPlot inlined; no external resource).
 *
 * @example
 * ```ts
 * const html = renderReportPage({
 *   title: 'Accuracy',
 *   sections: [{ heading: 'Drift', chart: { x: [1, 3600], series: [{ label: 'pcm', values: [0.97, 0.96] }], xScale: 'log' } }]
 * })
 * ```
 */
export function renderReportPage (init: ReportPageInit): string {
  for (const section of init.sections) {
    if (section.table !== undefined) validateTable(section.table, `section "${section.heading}" table`)
    if (section.chart !== undefined) validateChart(section.chart, `section "${section.heading}" chart`)
  }
  const hasCharts = init.sections.some((section) => section.chart !== undefined)
  const assets = hasCharts ? loadChartAssets() : undefined
  const generated = (init.generatedAt ?? new Date()).toISOString()
  let chartIndex = 0
  const body = init.sections.map((section) => renderSection(section, section.chart !== undefined ? chartIndex++ : -1)).join('\n')
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(init.title)}</title>`,
    assets !== undefined ? `<style>${assets.css}</style>` : '',
    `<style>${PAGE_CSS}</style>`,
    '</head>',
    '<body>',
    `<h1>${escapeHtml(init.title)}</h1>`,
    init.subtitle !== undefined ? `<p class="subtitle">${escapeHtml(init.subtitle)}</p>` : '',
    body,
    `<footer>Generated by tessera at ${escapeHtml(generated)}.${hasCharts ? ' Charts: uPlot (MIT), inlined.' : ''}</footer>`,
    assets !== undefined ? `<script>${assets.script}</script>\n<script>${CHART_BOOTSTRAP}</script>` : '',
    '</body>',
    '</html>',
    ''
  ].filter((line) => line !== '').join('\n')
}

/** Renders a page and writes it to `dir/fileName` (default `index.html`), creating `dir`. Returns the path. */
export async function writeReportPage (dir: string, init: ReportPageInit, fileName = DEFAULT_PAGE_FILE_NAME): Promise<string> {
  const html = renderReportPage(init)
  await mkdir(dir, { recursive: true })
  const path = join(dir, fileName)
  await writeFile(path, html)
  return path
}
