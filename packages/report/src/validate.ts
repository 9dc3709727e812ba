/**
 * Checks of report data, shared by the page and terminal renderers, so that a malformed table or chart fails
 * with InvalidReportDataError instead of rendering something misleading.
 */
import { InvalidReportDataError } from './errors.js'
import type { ReportChart, ReportTable } from './types.js'

export function validateTable (table: ReportTable, where = 'table'): void {
  if (!Array.isArray(table.columns) || table.columns.length === 0) throw new InvalidReportDataError(`${where} has no columns`)
  table.rows.forEach((row, r) => {
    if (!Array.isArray(row) || row.length !== table.columns.length) {
      throw new InvalidReportDataError(`${where} row ${r} has ${Array.isArray(row) ? row.length : 0} cells for ${table.columns.length} columns`)
    }
    row.forEach((cell, c) => {
      if (typeof cell === 'number' && Number.isNaN(cell)) throw new InvalidReportDataError(`${where} row ${r} column ${c} is NaN`)
    })
  })
  if (table.align !== undefined && table.align.length !== table.columns.length) {
    throw new InvalidReportDataError(`${where} has ${table.align.length} alignments for ${table.columns.length} columns`)
  }
}

export function validateChart (chart: ReportChart, where = 'chart'): void {
  if (!Array.isArray(chart.x) || chart.x.length === 0) throw new InvalidReportDataError(`${where} has no x values`)
  for (let i = 0; i < chart.x.length; i++) {
    const x = chart.x[i]
    if (!Number.isFinite(x)) throw new InvalidReportDataError(`${where} x[${i}] is ${x}`)
    if (i > 0 && !(x > chart.x[i - 1])) throw new InvalidReportDataError(`${where} x values must increase (x[${i}] = ${x} after ${chart.x[i - 1]})`)
    if (chart.xScale === 'log' && x <= 0) throw new InvalidReportDataError(`${where} x[${i}] = ${x} cannot go on a log scale`)
  }
  if (chart.series.length === 0) throw new InvalidReportDataError(`${where} has no series`)
  for (const series of chart.series) {
    if (series.values.length !== chart.x.length) {
      throw new InvalidReportDataError(`${where} series "${series.label}" has ${series.values.length} values for ${chart.x.length} x values`)
    }
    series.values.forEach((v, i) => {
      if (v !== null && !Number.isFinite(v)) throw new InvalidReportDataError(`${where} series "${series.label}" value ${i} is ${v}`)
    })
  }
  if (chart.yRange !== undefined && !(chart.yRange[0] < chart.yRange[1])) {
    throw new InvalidReportDataError(`${where} yRange [${chart.yRange.join(', ')}] is empty`)
  }
  if (chart.markers !== undefined) validateMarkers(chart.markers, chart.xScale === 'log', where)
}

// Marker colours also go into a `style` attribute of the list under the chart: without `;`, `:` or quotes a value
// cannot add a declaration of its own, yet every colour syntax (names, hex, rgb(), hsl(), oklch(), var()) passes.
const CSS_COLOR = /^[#a-z0-9(),.%\s/+-]+$/i

function validateMarkers (markers: NonNullable<ReportChart['markers']>, logScale: boolean, where: string): void {
  if (!Array.isArray(markers)) throw new InvalidReportDataError(`${where} markers must be an array`)
  markers.forEach((marker, i) => {
    const at = `${where} marker ${i}`
    if (typeof marker !== 'object' || marker === null) throw new InvalidReportDataError(`${at} is not an object`)
    if (typeof marker.x !== 'number' || !Number.isFinite(marker.x)) throw new InvalidReportDataError(`${at} x is ${String(marker.x)}`)
    if (logScale && marker.x <= 0) throw new InvalidReportDataError(`${at} x = ${marker.x} cannot go on a log scale`)
    if (typeof marker.label !== 'string' || marker.label.trim() === '') {
      throw new InvalidReportDataError(`${at} label must be a non-empty string (got ${JSON.stringify(marker.label)})`)
    }
    if (marker.color !== undefined && (typeof marker.color !== 'string' || !CSS_COLOR.test(marker.color))) {
      throw new InvalidReportDataError(`${at} ("${marker.label}") color ${JSON.stringify(marker.color)} is not a CSS colour`)
    }
    if (marker.dashed !== undefined && typeof marker.dashed !== 'boolean') {
      throw new InvalidReportDataError(`${at} ("${marker.label}") dashed must be a boolean`)
    }
  })
}
