import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { CALL_TIMEOUT_P95_FACTOR } from '../src/constants.js'
import { backoffMs, PeerHealth } from '../src/health.js'

describe('PeerHealth', () => {
  it('backoffMs doubles per step from the base and stops at the cap', () => {
    assert.deepEqual([0, 1, 2, 3, 4].map((n) => backoffMs(100, 1000, n)), [100, 200, 400, 800, 1000])
    assert.equal(backoffMs(100, 1000, 1e6), 1000)
  })

  it('a timeout makes a peer suspect for a doubling back-off and doubles its call timeout; an answer clears both', () => {
    const h = new PeerHealth({ baseTimeoutMs: 1000, maxTimeoutMs: 5000, backoffMs: 50, maxBackoffMs: 150 })
    assert.equal(h.timeoutMs('a'), 1000)
    assert.equal(h.suspectUntil('a'), -Infinity)
    h.failed('a', 10)
    assert.equal(h.suspectUntil('a'), 60)
    assert.equal(h.timeoutMs('a'), 2000)
    h.failed('a', 100)
    assert.equal(h.suspectUntil('a'), 200)
    assert.equal(h.timeoutMs('a'), 4000)
    h.failed('a', 300)
    assert.equal(h.suspectUntil('a'), 450)
    assert.equal(h.timeoutMs('a'), 5000)
    assert.equal(h.failures('a'), 3)
    // Other peers are not affected.
    assert.equal(h.timeoutMs('b'), 1000)
    h.succeeded('a', 20)
    assert.equal(h.failures('a'), 0)
    assert.equal(h.suspectUntil('a'), -Infinity)
    assert.equal(h.timeoutMs('a'), 1000)
  })

  it('the call timeout follows the p95 of recent round trips once that exceeds the base', () => {
    const h = new PeerHealth({ baseTimeoutMs: 200, maxTimeoutMs: 60_000, samples: 20 })
    // 19 fast answers and one slow one: the p95 of 20 samples is the 19th smallest.
    for (let i = 0; i < 19; i++) h.succeeded('a', 10 + i)
    h.succeeded('a', 5000)
    assert.equal(h.p95('a'), 28)
    assert.equal(h.timeoutMs('a'), 200)
    // A slower host: the window fills with slower round trips and the timeout grows with them.
    for (let i = 0; i < 20; i++) h.succeeded('a', 400 + i)
    assert.equal(h.p95('a'), 418)
    assert.equal(h.timeoutMs('a'), CALL_TIMEOUT_P95_FACTOR * 418)
    // Fractional round trips still give a whole-millisecond timeout (timers reject fractions).
    for (let i = 0; i < 20; i++) h.succeeded('b', 300.3)
    assert.equal(h.timeoutMs('b'), Math.ceil(CALL_TIMEOUT_P95_FACTOR * 300.3))
    assert.ok(Number.isInteger(h.timeoutMs('b')))
  })

  it('the p95 is that of the last `samples` round trips, whatever their order and repeats', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { minLength: 1, maxLength: 80 }), (rtts) => {
      const h = new PeerHealth({ samples: 16 })
      rtts.forEach((rtt, i) => {
        h.succeeded('a', rtt / 4)
        const kept = rtts.slice(Math.max(0, i - 15), i + 1).map((r) => r / 4).sort((a, b) => a - b)
        assert.equal(h.p95('a'), kept[Math.min(kept.length - 1, Math.ceil(0.95 * kept.length) - 1)])
      })
    }), { seed: 3, numRuns: 200 })
  })
})
