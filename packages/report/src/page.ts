/**
 * A self-contained HTML report page: text, tables and uPlot line charts, with uPlot's script and stylesheet
 * inlined so the file opens offline. Chart data travels as JSON in `<script type="application/json">`
 * elements that a small inline script turns into charts; each chart's numbers are also listed in a
 * collapsible table, so the page stays readable without JavaScript.
 */
import { mkdir, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { loadChartAssets } from './assets.js'
import { DEFAULT_CHART_HEIGHT_PX, DEFAULT_CHART_WIDTH_PX, DEFAULT_PAGE_FILE_NAME, SERIES_COLORS } from './constants.js'
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

function renderChart (chart: ReportChart, index: number): string {
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
    height: chart.heightPx ?? DEFAULT_CHART_HEIGHT_PX
  }
  return [
    `<div class="chart" id="chart-${index}"></div>`,
    `<script type="application/json" data-chart="chart-${index}">${scriptJson(spec)}</script>`,
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
    new uPlot({ width: spec.width, height: spec.height, scales: { x: xScale, y: yScale }, axes: [xAxis, yAxis], series: series }, data, target);
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
