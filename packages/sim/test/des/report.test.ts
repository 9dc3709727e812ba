import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { validationRowOf } from '../../src/des/report.js'
import type { SimPolicyRow } from '../../src/sim-row.js'

const row = (throughputRps: number, latencyP95Ms: number, recoveryMs: number | null): SimPolicyRow => ({ policy: 'tessera', throughputRps, latencyP95Ms, requestsLost: 0, requestsDuplicated: 0, recoveryMs, migrations: 0 })

describe('validationRowOf', () => {
  it('checks throughput and p95 within 10% and recovery within 1 s of the real run', () => {
    const v = validationRowOf('slowdown', row(95, 330, 2400), row(100, 300, 3500))
    assert.deepEqual(v.withinGoals, { throughput: true, p95: true, recovery: false })
    assert.equal(v.realRps, 100)
    assert.equal(v.desRecoveryMs, 2400)
    assert.deepEqual(validationRowOf('steady', row(80, 400, null), row(100, 300, null)).withinGoals, { throughput: false, p95: false, recovery: true })
    assert.deepEqual(validationRowOf('churn', row(80, 400, null), undefined).withinGoals, { throughput: null, p95: null, recovery: null })
  })
})
