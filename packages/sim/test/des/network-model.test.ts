import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { runDesPolicy } from '../../src/des/engine.js'
import { drawCallOverheadMs } from '../../src/des/network-model.js'
import { loopbackNetwork } from '../../src/des/calibration.js'
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

  it('with the event loop\'s work per call measured, makes the loop a server of it, stretched as the run\'s loop was', () => {
    const cal = { callOverheadMs: 5, pingRttMs: 0.3, calls: 100, programMsByPreset: {}, publicationCpuMs: 40, loopCpuPerCallMsByPolicy: { 'round-robin': 3, tessera: 5 }, loopStretch: 1.5 }
    const own = loopbackNetwork(cal)
    assert.equal(own.sharedEventLoop, true)
    assert.equal(own.requestOverheadMs + own.replyOverheadMs, 3 * 1.5)
    assert.equal(own.publicationWorkMs, 40 * 1.5)
    assert.equal(own.callOverheadQuantilesMs, undefined)
    const loaded = loopbackNetwork(cal, 4)
    assert.equal(loaded.requestOverheadMs + loaded.replyOverheadMs, 12)
    assert.equal(loaded.publicationWorkMs, 160)
    // Tessera's own measured work; a policy not measured runs as the baseline measured.
    assert.equal(loopbackNetwork(cal, 2, 'tessera').requestOverheadMs, 5)
    assert.equal(loopbackNetwork(cal, 2, 'random').requestOverheadMs, 3)
    // Without it: the measured distribution of a call's stack cost.
    const drawn = loopbackNetwork({ callOverheadMs: 5, pingRttMs: 0.3, calls: 100, programMsByPreset: {}, callOverheadQuantilesMs: [1, 5, 9] })
    assert.deepEqual(drawn.callOverheadQuantilesMs, [1, 5, 9])
    assert.notEqual(drawn.sharedEventLoop, true)
  })

  it('on a shared event loop, a more loaded loop queues the calls of a layer longer', () => {
    const scenario = smallScenario()
    const p50 = (perCallMs: number): number => runDesPolicy({ scenario, policy: 'round-robin', network: { ...network, requestOverheadMs: perCallMs / 2, replyOverheadMs: perCallMs / 2, sharedEventLoop: true }, peerIds: peerIdsOf(scenario) }).metrics.latencyP50Ms
    // The calls of a layer leave together: each waits on the loop for those sent before it.
    assert.ok(p50(8) > p50(2) + 3 * 3, `${p50(8)} vs ${p50(2)}`)
  })
})
