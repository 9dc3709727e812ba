import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { formatDurationMs, formatPercent, formatSeconds, roundTo } from '../src/index.js'

describe('format', () => {
  it('prints fractions as percentages', () => {
    assert.equal(formatPercent(0.97314), '97.31%')
    assert.equal(formatPercent(1, 1), '100.0%')
  })

  it('prints times after programming in their natural unit', () => {
    assert.equal(formatSeconds(1), '1 s')
    assert.equal(formatSeconds(3600), '1 h')
    assert.equal(formatSeconds(86_400), '1 day')
    assert.equal(formatSeconds(2 * 86_400), '2 days')
    assert.equal(formatSeconds(31_536_000), '1 year')
    assert.equal(formatSeconds(90), '1.5 min')
    assert.equal(formatSeconds(0.00025), '0.25 ms')
  })

  it('prints durations', () => {
    assert.equal(formatDurationMs(420), '420 ms')
    assert.equal(formatDurationMs(12_345), '12.3 s')
  })

  it('rounds to a number of decimals, halves away from zero as Math.round does', () => {
    assert.equal(roundTo(97.3549, 2), 97.35)
    assert.equal(roundTo(0.125, 2), 0.13)
    assert.equal(roundTo(1234.5, 0), 1235)
    assert.equal(roundTo(-1.005, 1), -1)
  })
})
