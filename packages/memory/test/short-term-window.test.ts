import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ClockWentBackwardsError, InvalidMemoryOptionError, InvalidSampleError } from '../src/errors.js'
import { TimeWindow } from '../src/short-term-window.js'

/** Type-7 quantile of a plain array, written independently of the ring-buffer implementation. */
function referenceQuantile (samples: number[], q: number): number {
  const sorted = [...samples].sort((a, b) => a - b)
  const position = (sorted.length - 1) * q
  const below = Math.floor(position)
  const above = Math.ceil(position)
  return sorted[below] * (1 - (position - below)) + sorted[above] * (position - below)
}

describe('TimeWindow', () => {
  it('answers quantiles of the samples in the window now, between and after pushes and evictions (the sort is reused only while they are unchanged)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 300 }), fc.double({ min: -1e6, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 60 }), (steps) => {
      const window = new TimeWindow(1000, 16)
      const scratch = new Float64Array(16)
      const kept: Array<{ t: number, v: number }> = []
      let t = 0
      for (const [dt, v] of steps) {
        t += dt
        window.push(v, t)
        kept.push({ t, v })
        const live = kept.filter((s) => s.t > t - 1000).slice(-16).map((s) => s.v)
        const close = (actual: number | undefined, expected: number | undefined): void => {
          if (expected === undefined) assert.equal(actual, undefined)
          else assert.ok(actual !== undefined && Math.abs(actual - expected) <= 1e-9 * Math.max(1, Math.abs(expected)), `${actual} ≠ ${expected}`)
        }
        for (const q of [0.5, 0.95, 0.5]) close(window.quantile(q, t, scratch), referenceQuantile(live, q))
        const later = t + 500
        const liveLater = kept.filter((s) => s.t > later - 1000).slice(-16).map((s) => s.v)
        close(window.quantile(0.95, later, scratch), liveLater.length === 0 ? undefined : referenceQuantile(liveLater, 0.95))
        t = later
      }
    }))
  })

  it('evicts samples once they are windowMs old', () => {
    const window = new TimeWindow(1000, 16)
    window.push(1, 0)
    window.push(2, 400)
    window.push(3, 900)
    assert.equal(window.size(999), 3)
    assert.equal(window.size(1000), 2) // the sample at 0 is exactly windowMs old
    assert.equal(window.mean(1000), 2.5)
    assert.equal(window.size(1400), 1)
    assert.equal(window.latest(1400), 3)
    assert.equal(window.size(1900), 0)
    assert.equal(window.latest(1900), undefined)
    assert.equal(window.mean(1900), undefined)
  })

  it('keeps the most recent capacity samples when full', () => {
    const window = new TimeWindow(1e9, 4)
    for (let i = 1; i <= 10; i++) window.push(i, i)
    assert.equal(window.size(10), 4)
    assert.equal(window.sum(10), 7 + 8 + 9 + 10)
    const range = new Float64Array(2)
    assert.equal(window.minMax(10, range), true)
    assert.deepEqual([...range], [7, 10])
  })

  it('matches a hand-computed median and EMA', () => {
    const window = new TimeWindow(1000, 8)
    for (const [i, v] of [4, 1, 3, 2].entries()) window.push(v, i)
    const scratch = new Float64Array(8)
    assert.equal(window.quantile(0.5, 3, scratch), 2.5)
    assert.equal(window.quantile(0, 3, scratch), 1)
    assert.equal(window.quantile(1, 3, scratch), 4)
    // 4 → 4 + 0.5(1 − 4) = 2.5 → 2.5 + 0.5(3 − 2.5) = 2.75 → 2.75 + 0.5(2 − 2.75) = 2.375
    assert.equal(window.ema(0.5, 3), 2.375)
  })

  it('quantiles agree with a sorted reference for any samples and timings', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 80 }),
      fc.double({ min: 0, max: 1, noNaN: true }),
      (steps, q) => {
        const windowMs = 200
        const capacity = 32
        const window = new TimeWindow(windowMs, capacity)
        const all: Array<[number, number]> = []
        let now = 0
        for (const [value, dt] of steps) {
          now += dt
          window.push(value, now)
          all.push([value, now])
        }
        const live = all.filter(([, t]) => t > now - windowMs).slice(-capacity).map(([v]) => v)
        const got = window.quantile(q, now, new Float64Array(capacity))
        const want = referenceQuantile(live, q)
        assert.ok(got !== undefined)
        assert.ok(Math.abs(got - want) <= 1e-9 * Math.max(1, Math.abs(want)), `${got} vs ${want}`)
        assert.equal(window.size(now), live.length)
      }
    ), { seed: 42, numRuns: 300 })
  })

  it('summary gives what the single-figure methods give, before and after pushes, evictions and overwrites, and one object serves every caller until they change', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 120 }), fc.double({ min: 0, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 80 }), (steps) => {
      const window = new TimeWindow(500, 8)
      const scratch = new Float64Array(8)
      const range = new Float64Array(2)
      let t = 0
      for (const [dt, v] of steps) {
        t += dt
        window.push(v, t)
        for (const at of [t, t, t + 300]) {
          const s = window.summary(0.3, at)
          if (window.size(at) === 0) {
            assert.equal(s, undefined)
            continue
          }
          assert.ok(s !== undefined)
          window.minMax(at, range)
          assert.deepEqual(s, {
            count: window.size(at),
            latest: window.latest(at),
            mean: window.mean(at),
            ema: window.ema(0.3, at),
            p50: window.quantile(0.5, at, scratch),
            p95: window.quantile(0.95, at, scratch),
            min: range[0],
            max: range[1]
          })
          // Shared between callers until the samples change.
          assert.equal(window.summary(0.3, at), s)
        }
        t += 300
      }
    }), { seed: 7, numRuns: 200 })
  })

  it('rejects bad input with named errors', () => {
    const window = new TimeWindow(1000, 4)
    assert.throws(() => window.push(Number.NaN, 0), InvalidSampleError)
    window.push(1, 10)
    assert.throws(() => window.push(1, 5), ClockWentBackwardsError)
    assert.throws(() => window.quantile(1.5, 10, new Float64Array(4)), InvalidMemoryOptionError)
    assert.throws(() => window.quantile(0.5, 10, new Float64Array(2)), InvalidMemoryOptionError)
    assert.throws(() => new TimeWindow(0, 4), InvalidMemoryOptionError)
    assert.throws(() => new TimeWindow(10, 0), InvalidMemoryOptionError)
  })
})
