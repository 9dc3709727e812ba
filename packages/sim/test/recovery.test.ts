import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidRecoveryInputError } from '../src/errors.js'
import { measureRecovery } from '../src/recovery.js'

/** Answer times at `rps` per second over [fromMs, toMs), evenly spaced. */
function steady (fromMs: number, toMs: number, rps: number): number[] {
  const out: number[] = []
  for (let t = fromMs; t < toMs; t += 1000 / rps) out.push(t)
  return out
}

const WINDOW_MS = 3000
const STEP_MS = 250
const base = { startMs: 0, eventAtMs: 10_000, endMs: 30_000, windowMs: WINDOW_MS, stepMs: STEP_MS, baselineMs: 8000 }

describe('measureRecovery', () => {
  it('finds the first window after the trough that is back within 10%, as the rates imply', () => {
    // 100/s, then 30/s from 1 s to 4 s after the event, then 100/s again.
    const answers = [...steady(0, 11_000, 100), ...steady(11_000, 14_000, 30), ...steady(14_000, 30_000, 100)]
    const r = measureRecovery({ ...base, answeredAtMs: answers })
    assert.ok(Math.abs(r.beforeRps - 100) < 0.5)
    assert.ok(Math.abs(r.lowestRps - 30) < 0.5)
    // A window starting u s after the event holds (4 − u) s at 30/s and (u − 1) s at 100/s: back at 90/s when
    // 30(4 − u) + 100(u − 1) ≥ 270, i.e. u ≥ 25/7 s; the next grid point is the answer.
    const expected = Math.ceil((25 / 7) * 1000 / STEP_MS) * STEP_MS
    assert.equal(r.recoveryMs, expected)
  })

  it('is 0 when throughput never fell below the bound, null when it never came back', () => {
    const flat = steady(0, 30_000, 100)
    assert.equal(measureRecovery({ ...base, answeredAtMs: flat }).recoveryMs, 0)
    const halved = [...steady(0, 10_000, 100), ...steady(10_000, 30_000, 50)]
    const r = measureRecovery({ ...base, answeredAtMs: halved })
    assert.equal(r.recoveryMs, null)
    assert.ok(Math.abs(r.lowestRps - 50) < 0.5)
  })

  it('ignores the answers after the end of the stream and the order of the answers', () => {
    const answers = [...steady(0, 11_000, 100), ...steady(11_000, 14_000, 30), ...steady(14_000, 30_000, 100)]
    const tail = steady(30_000, 33_000, 5)
    const shuffled = [...answers, ...tail].reverse()
    assert.deepEqual(measureRecovery({ ...base, answeredAtMs: shuffled }), measureRecovery({ ...base, answeredAtMs: answers }))
  })

  it('rejects an event outside the stream and non-positive windows', () => {
    assert.throws(() => measureRecovery({ ...base, answeredAtMs: [], eventAtMs: 31_000 }), InvalidRecoveryInputError)
    assert.throws(() => measureRecovery({ ...base, answeredAtMs: [], windowMs: 0 }), InvalidRecoveryInputError)
    assert.throws(() => measureRecovery({ ...base, answeredAtMs: [], tolerance: 1 }), InvalidRecoveryInputError)
  })
})
