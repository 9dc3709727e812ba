import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { LoadWindow } from '../src/index.js'

describe('LoadWindow', () => {
  it('reports zero for an empty window', () => {
    assert.deepEqual(new LoadWindow(4).summary(1000, 100), { count: 0, p50Ms: 0 })
  })

  it('counts only records inside the window', () => {
    const w = new LoadWindow(8)
    w.record(100, 5)
    w.record(950, 7)
    w.record(990, 9)
    assert.deepEqual(w.summary(1000, 100), { count: 2, p50Ms: 8 })
  })

  it('median equals a sort-based median of the last `capacity` records in the window', () => {
    fc.assert(fc.property(
      fc.array(fc.tuple(fc.integer({ min: 0, max: 1000 }), fc.double({ min: 0, max: 100, noNaN: true })), { maxLength: 40 }),
      fc.integer({ min: 1, max: 16 }),
      fc.integer({ min: 1, max: 1000 }),
      (records, capacity, windowMs) => {
        const w = new LoadWindow(capacity)
        for (const [t, l] of records) w.record(t, l)
        const kept = records.slice(-capacity).filter(([t]) => 1000 - t < windowMs).map(([, l]) => l).sort((a, b) => a - b)
        const n = kept.length
        const expected = n === 0 ? 0 : n % 2 === 1 ? kept[(n - 1) / 2] : (kept[n / 2 - 1] + kept[n / 2]) / 2
        const s = w.summary(1000, windowMs)
        assert.equal(s.count, n)
        assert.equal(s.p50Ms, expected)
      }
    ))
  })
})
