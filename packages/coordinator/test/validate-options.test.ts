import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { streamLimits } from '../src/validate-options.js'

describe('streamLimits', () => {
  it('a closed loop without duration or signal never stops early', () => {
    const limits = streamLimits({}, 100)
    assert.equal(limits.requests, 100)
    assert.equal(limits.stopAt, undefined)
  })

  it("the caller's signal stops a closed loop, together with its duration", () => {
    const stop = new AbortController()
    const limits = streamLimits({ durationMs: 60_000, signal: stop.signal }, 100)
    assert.ok(limits.stopAt !== undefined)
    assert.equal(limits.stopAt.aborted, false)
    stop.abort()
    assert.equal(limits.stopAt.aborted, true)
  })

  it("the caller's signal alone is the stop signal", () => {
    const stop = new AbortController()
    assert.equal(streamLimits({ signal: stop.signal }, 10).stopAt, stop.signal)
  })

  it('an open loop takes the requests that arrive within the duration, and still honours the signal', () => {
    const stop = new AbortController()
    const limits = streamLimits({ durationMs: 2_000, arrivalRps: 50, signal: stop.signal }, 1_000)
    assert.equal(limits.requests, 100)
    assert.equal(limits.arrivalRps, 50)
    assert.equal(limits.stopAt, stop.signal)
  })
})
