import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { FULL_PLAN, offeredRates, openLoopBatchSize, QUICK_PLAN } from '../../src/paper/plan.js'

describe('paper plan: open-loop batches', () => {
  it('sizes a rate\'s batches so that one arrives per interval, within 2 and the plan\'s largest batch', () => {
    // 100 ms between batches: 18 req/s → 2, 36 → 4 (3.6 rounded), 54 → 5, 81 → 8; 200 req/s is capped at 8.
    assert.deepEqual([18, 36, 54, 81, 200].map((r) => openLoopBatchSize(FULL_PLAN, r)), [2, 4, 5, 8, 8])
    assert.equal(openLoopBatchSize(FULL_PLAN, 1), 2)
    assert.equal(openLoopBatchSize({ ...FULL_PLAN, openLoopBatchSize: 1 }, 50), 1)
  })

  it('brings a dozen batches (nine in --quick) into every open-loop run at the paper\'s scenarios\' rates', () => {
    // The four scenarios' bounds run from ~164 to ~256 req/s (docs/paper-bound.md); the lowest rate is 10% of one.
    for (const [plan, least] of [[FULL_PLAN, 12], [QUICK_PLAN, 9]] as const) {
      for (const bound of [163.6, 170.4, 180.6, 255.6]) {
        for (const rate of offeredRates(bound, plan)) {
          const batches = (rate * plan.openLoopMs) / 1000 / openLoopBatchSize(plan, rate)
          assert.ok(batches >= least, `${rate} req/s: ${batches.toFixed(1)} batches in ${plan.openLoopMs} ms`)
        }
      }
    }
  })
})
