import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { fitTrend, isSignificant } from '../src/long-term-trend.js'

const thresholds = { minBuckets: 6, tThreshold: 3, minRelativeChange: 0.1 }

function series (values: number[], weight = 1): { timesHours: Float64Array, values: Float64Array, weights: Float64Array, length: number } {
  return {
    timesHours: Float64Array.from(values, (_, i) => i),
    values: Float64Array.from(values),
    weights: new Float64Array(values.length).fill(weight),
    length: values.length
  }
}

describe('fitTrend', () => {
  it('recovers the slope of an exact line', () => {
    const fit = fitTrend(series([10, 12, 14, 16, 18, 20, 22]), 1e-9)
    assert.ok(Math.abs(fit.slopePerHour - 2) < 1e-12)
    assert.ok(Math.abs(fit.mean - 16) < 1e-12)
    // Change over the 6 h span (12) relative to the mean level (16).
    assert.ok(Math.abs(fit.relativeChange - 12 / 16) < 1e-12)
    assert.equal(isSignificant(fit, thresholds), 1)
  })

  it('matches the textbook slope standard error', () => {
    const ys = [1, 3, 2, 5, 4, 6, 8, 7]
    const fit = fitTrend(series(ys), 1e-9)
    // Ordinary least squares by hand: x̄ = 3.5, Sxx = 42.
    const n = ys.length
    const mx = 3.5
    const my = ys.reduce((a, b) => a + b) / n
    let sxy = 0
    for (let i = 0; i < n; i++) sxy += (i - mx) * (ys[i] - my)
    const slope = sxy / 42
    let ssr = 0
    for (let i = 0; i < n; i++) ssr += (ys[i] - (my + slope * (i - mx))) ** 2
    const se = Math.sqrt(ssr / (n - 2) / 42)
    assert.ok(Math.abs(fit.slopePerHour - slope) < 1e-12)
    assert.ok(Math.abs(fit.tStatistic - slope / se) < 1e-9)
  })

  it('skips zero-weight buckets and reports no trend for flat or short series', () => {
    const fit = fitTrend({ ...series([5, 100, 5, 5, 5, 5, 5]), weights: Float64Array.from([1, 0, 1, 1, 1, 1, 1]) }, 1e-9)
    assert.equal(fit.buckets, 6)
    assert.equal(fit.slopePerHour, 0)
    assert.equal(isSignificant(fit, thresholds), 0)
    assert.equal(isSignificant(fitTrend(series([1, 2, 3, 4, 5]), 1e-9), thresholds), 0) // fewer than minBuckets
  })

  it('needs a large enough relative change as well as a large t', () => {
    // A perfectly clean but tiny drift: 0.1% over the span.
    const fit = fitTrend(series([1000, 1000.2, 1000.4, 1000.6, 1000.8, 1001]), 1e-9)
    assert.ok(Math.abs(fit.tStatistic) > 3)
    assert.equal(isSignificant(fit, thresholds), 0)
  })
})
