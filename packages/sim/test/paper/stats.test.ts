import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { binomialStdErr, meanCi, pairedRatio, tCritical95 } from '../../src/paper/stats.js'
import { PaperStatisticsError } from '../../src/paper/errors.js'

describe('paper statistics', () => {
  it('gives the t interval of a hand-computed sample', () => {
    // 2, 4, 6, 8, 10: mean 6, sample variance 10, s/√n = √2, t(4) = 2.776445.
    const r = meanCi([2, 4, 6, 8, 10])
    assert.equal(r.mean, 6)
    assert.equal(r.n, 5)
    assert.ok(Math.abs((r.ci95 ?? 0) - 2.776445 * Math.SQRT2) < 1e-9)
  })

  it('has no interval for one sample, nothing for none, and skips NaN', () => {
    assert.deepEqual(meanCi([3]), { mean: 3, ci95: null, n: 1 })
    assert.ok(Number.isNaN(meanCi([]).mean))
    assert.equal(meanCi([Number.NaN, 1, 3]).mean, 2)
  })

  it('uses the tabulated t for small df and approaches z for large', () => {
    assert.equal(tCritical95(1), 12.706205)
    assert.ok(tCritical95(31) < tCritical95(30) && tCritical95(31) > 1.96)
    assert.ok(Math.abs(tCritical95(10_000) - 1.959964) < 1e-3)
    assert.throws(() => tCritical95(0), PaperStatisticsError)
  })

  it('pairs ratios by seed', () => {
    // Ratios 2, 2, 2: no spread whatever the levels.
    const r = pairedRatio([2, 10, 40], [1, 5, 20])
    assert.equal(r.mean, 2)
    assert.equal(r.ci95, 0)
    // A zero denominator drops that seed.
    assert.equal(pairedRatio([1, 4], [0, 2]).n, 1)
    assert.throws(() => pairedRatio([1], [1, 2]), PaperStatisticsError)
  })

  it('gives the binomial standard error', () => {
    assert.ok(Math.abs(binomialStdErr(0.9, 100) - 0.03) < 1e-12)
    assert.ok(Number.isNaN(binomialStdErr(0.5, 0)))
  })
})

describe('achievedRate', () => {
  it('is the offered rate for evenly answered batches and the service rate for a backlog, never above the offer', async () => {
    const { achievedRate } = await import('../../src/paper/measure.js')
    // Batches of 10 at 20 req/s answered 200 ms after arrival: one every 500 ms.
    const even = Array.from({ length: 10 }, (_, b) => Array<number>(10).fill(200 + 500 * b)).flat()
    assert.ok(Math.abs(achievedRate(even, 10, 20) - 20) < 1e-9)
    // Served one batch per second (10 req/s) whatever arrived: 100 answers over 9 s + 0.5 s.
    const backlog = Array.from({ length: 10 }, (_, b) => Array<number>(10).fill(1000 * b)).flat()
    assert.ok(Math.abs(achievedRate(backlog, 10, 20) - 100 / 9.5) < 1e-9)
    // Answers bunched after a stall would read faster than the offer: capped at it.
    assert.equal(achievedRate(Array<number>(100).fill(5000), 10, 20), 20)
    assert.equal(achievedRate([], 10, 20), 0)
  })
})
