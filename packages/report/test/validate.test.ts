import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidReportDataError, renderReportPage, validateChart } from '../src/index.js'
import type { ReportChart } from '../src/index.js'

const base: ReportChart = { x: [1, 2, 3], series: [{ label: 's', values: [1, 2, 3] }] }

function withMarkers (markers: unknown, extra: Partial<ReportChart> = {}): ReportChart {
  return { ...base, ...extra, markers: markers as ReportChart['markers'] }
}

describe('validateChart markers', () => {
  it('accepts markers anywhere on the axis, in any order, with any CSS colour syntax', () => {
    validateChart(withMarkers([
      { x: 2, label: 'migrate tile 3 → n7', color: '#0072B2' },
      { x: -40, label: 'before the data', color: 'rgb(0 0 0 / 50%)', dashed: true },
      { x: 1e9, label: 'after the data', color: 'var(--event-colour)' },
      { x: 2, label: 'same time', color: 'darkorange', dashed: false }
    ]))
    validateChart(withMarkers([]))
  })

  const bad: Array<[string, unknown, RegExp, Partial<ReportChart>?]> = [
    ['markers not an array', { x: 1, label: 'm' }, /chart markers must be an array/],
    ['a marker that is not an object', [null], /chart marker 0 is not an object/],
    ['NaN x', [{ x: 1, label: 'ok' }, { x: Number.NaN, label: 'm' }], /chart marker 1 x is NaN/],
    ['infinite x', [{ x: Number.POSITIVE_INFINITY, label: 'm' }], /chart marker 0 x is Infinity/],
    ['x as a string', [{ x: '2', label: 'm' }], /chart marker 0 x is 2/],
    ['empty label', [{ x: 1, label: '' }], /chart marker 0 label must be a non-empty string/],
    ['blank label', [{ x: 1, label: '  ' }], /chart marker 0 label must be a non-empty string/],
    ['missing label', [{ x: 1 }], /chart marker 0 label must be a non-empty string/],
    ['colour as a number', [{ x: 1, label: 'm', color: 0x0072b2 }], /chart marker 0 \("m"\) color 29362 is not a CSS colour/],
    ['colour adding a declaration', [{ x: 1, label: 'm', color: 'red; background-image: url(x)' }], /is not a CSS colour/],
    ['colour closing the attribute', [{ x: 1, label: 'm', color: 'red" onclick="x' }], /is not a CSS colour/],
    ['dashed as a string', [{ x: 1, label: 'm', dashed: 'yes' }], /chart marker 0 \("m"\) dashed must be a boolean/],
    ['zero x on a log scale', [{ x: 0, label: 'm' }], /chart marker 0 x = 0 cannot go on a log scale/, { xScale: 'log' }]
  ]
  for (const [name, markers, message, extra] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => validateChart(withMarkers(markers, extra)), (err: unknown) => {
        assert.ok(err instanceof InvalidReportDataError)
        assert.equal(err.code, 'ERR_INVALID_REPORT_DATA')
        assert.match(err.message, message)
        return true
      })
    })
  }

  it('names the section in the error when the page renders', () => {
    assert.throws(
      () => renderReportPage({ title: 'T', sections: [{ heading: 'events', chart: withMarkers([{ x: 1, label: '' }]) }] }),
      /section "events" chart marker 0 label/
    )
  })
})
