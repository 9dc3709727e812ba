import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runDesPolicy } from '../../src/des/engine.js'
import { drawCallOverheadMs } from '../../src/des/network-model.js'
import { network, peerIdsOf, smallScenario } from './fixtures.js'

describe('network model', () => {
  it('draws the stack cost of a call from the measured quantiles, linear between them', () => {
    const q = [1, 2, 4, 10, 50]
    assert.equal(drawCallOverheadMs(q, 0), 1)
    assert.equal(drawCallOverheadMs(q, 0.5), 4)
    assert.equal(drawCallOverheadMs(q, 0.625), 7)
    assert.equal(drawCallOverheadMs(q, 1), 50)
  })

  it('a long-tailed stack cost with the same median raises the p95 of the calls, not their median', () => {
    const scenario = smallScenario()
    const constant = runDesPolicy({ scenario, policy: 'round-robin', network: { ...network, sharedEventLoop: false }, peerIds: peerIdsOf(scenario) })
    // Median 2 ms as the constant model's; the slowest 10% of calls cost 300–400 ms (a stalled event loop).
    const tail = Array.from({ length: 101 }, (_, k) => k <= 90 ? 2 * k / 45 : 300 + 10 * (k - 90))
    const tailed = runDesPolicy({ scenario, policy: 'round-robin', network: { ...network, sharedEventLoop: false, callOverheadQuantilesMs: tail }, peerIds: peerIdsOf(scenario) })
    assert.ok(tailed.metrics.latencyP95Ms > constant.metrics.latencyP95Ms + 100, `${tailed.metrics.latencyP95Ms} vs ${constant.metrics.latencyP95Ms}`)
    assert.ok(Math.abs(tailed.metrics.latencyP50Ms - constant.metrics.latencyP50Ms) < 10, `${tailed.metrics.latencyP50Ms} vs ${constant.metrics.latencyP50Ms}`)
  })
})
