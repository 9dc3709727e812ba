/**
 * @packageDocumentation
 * Reports of tessera: self-contained HTML pages (text, tables and uPlot line charts, uPlot inlined so the page
 * works offline) and plain-text tables for the terminal, built from the same data.
 *
 * @example
 * ```ts
 * import { renderTerminalTable, writeReportPage } from '@tessera/report'
 *
 * const table = { columns: ['profile', 'accuracy'], rows: [['pcm', '97.1%']] }
 * process.stderr.write(renderTerminalTable(table))
 * await writeReportPage('reports/example', {
 *   title: 'Example',
 *   sections: [{ heading: 'Accuracy over time', table, chart: { x: [1, 3600], xScale: 'log', series: [{ label: 'pcm', values: [0.971, 0.968] }] } }]
 * })
 * ```
 */
export * from './errors.js'
export * from './constants.js'
export type { ChartSeries, ReportCell, ReportChart, ReportPageInit, ReportSection, ReportTable } from './types.js'
export { escapeHtml, renderReportPage, writeReportPage } from './page.js'
export { renderTerminalTable } from './terminal-table.js'
export type { TerminalTableOptions } from './terminal-table.js'
export { formatDurationMs, formatPercent, formatSeconds, roundTo } from './format.js'
export { loadChartAssets } from './assets.js'
export type { ChartAssets } from './assets.js'
export { validateChart, validateTable } from './validate.js'
