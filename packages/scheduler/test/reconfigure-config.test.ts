import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidSchedulerOptionError } from '../src/errors.js'
import { createReconfigureConfig } from '../src/reconfigure-config.js'

describe('reconfigure config', () => {
  it("defaults to Petals' 1/0.75 gain, 3 checks, 2 concurrent migrations and a one-minute cool-down", () => {
    const c = createReconfigureConfig()
    assert.equal(c.gainThreshold, 1 / 0.75)
    assert.equal(c.confirmChecks, 3)
    assert.equal(c.maxConcurrentMigrations, 2)
    assert.equal(c.cooldownMs, 60_000)
    assert.ok(c.evictUtilisation < c.replicateUtilisation)
    assert.equal(createReconfigureConfig({ confirmChecks: 5 }).confirmChecks, 5)
  })

  it('rejects out-of-range options with InvalidSchedulerOptionError', () => {
    for (const init of [
      { gainThreshold: 0.9 }, { gainThreshold: Number.NaN }, { confirmChecks: 0 }, { confirmChecks: 1.5 },
      { maxConcurrentMigrations: 0 }, { overloadSettleMs: -5 }, { maxReplicas: 0 }, { cooldownMs: -1 }, { programTimeoutMs: Number.POSITIVE_INFINITY },
      { overloadUtilisation: 0 }, { slowerThroughputRatio: 1.5 }, { replicateUtilisation: 0.3, evictUtilisation: 0.3 },
      { score: { relayHopMs: -1 } }
    ]) {
      assert.throws(() => createReconfigureConfig(init), InvalidSchedulerOptionError, JSON.stringify(init))
    }
  })
})
