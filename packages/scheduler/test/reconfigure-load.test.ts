import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { RECONFIGURE_MAX_MODELLED_UTILISATION } from '../src/constants.js'
import { callsInSystem, LoadModel, poolResponseMs, poolUtilisation, reportedUtilisation, serviceTimeMs, throughputRatio } from '../src/reconfigure-load.js'
import { normaliseShards } from '../src/validate.js'
import { longTerm, peer, shard } from './fixtures.js'
import { summary } from './reconfigure-world.js'

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${a} vs ${b}`)
const [s] = normaliseShards([shard('s')])

describe('reconfigure load model', () => {
  it('uses the M/M/1 mean number in system, capped below saturation', () => {
    close(callsInSystem(0.5), 1)
    close(callsInSystem(0.75), 3)
    close(callsInSystem(2), RECONFIGURE_MAX_MODELLED_UTILISATION / (1 - RECONFIGURE_MAX_MODELLED_UTILISATION))
    close(callsInSystem(-1), 0)
  })

  it('reads service time, reported utilisation and throughput ratio from the peer view', () => {
    // 65,536 MACs at 1 GMAC/s advertised.
    close(serviceTimeMs(s, peer('a')), 65_536 / 1e9 * 1000)
    const busy = peer('a', { shortTerm: { peerId: 'a', lastSeenMs: 0, calls: 0, queueDepth: summary(2), inFlight: summary(1), throughput: summary(5e8) } })
    close(reportedUtilisation(busy), 3 / 4)
    close(serviceTimeMs(s, busy), 65_536 / 5e8 * 1000)
    close(throughputRatio(busy), 0.5)
    close(throughputRatio(peer('a', { shortTerm: busy.shortTerm, longTerm: longTerm('a', { throughput: 2.5e8 }) })), 2)
    assert.equal(throughputRatio(peer('a')), 1)
    assert.equal(reportedUtilisation(peer('a')), 0)
    assert.equal(serviceTimeMs(s, peer('z', { device: { throughput: 0 } })), Number.POSITIVE_INFINITY)
  })

  it('adds own load to what others put on a peer, and predicts the wait a move adds', () => {
    // Peer a: 100 calls/s of 2 ms = 0.2 own; it reports L = 1 (ρ 0.5), so 0.3 is someone else's.
    const a = peer('a', { shortTerm: { peerId: 'a', lastSeenMs: 0, calls: 0, queueDepth: summary(1) } })
    const model = new LoadModel([a, peer('b')], [{ rate: 100, holders: [{ peer: a, serviceMs: 2 }] }])
    close(model.utilisation('a'), 0.5)
    close(model.utilisation('b'), 0)
    model.shift('a', -0.2)
    close(model.utilisation('a'), 0.3)
    // 200 calls/s of 2.5 ms onto idle b: ρ 0 → 0.5, wait 2.5 · (1 − 0) ms.
    close(model.addedWaitMs('b', 200, 2.5), 2.5)
    assert.equal(model.addedWaitMs('b', 400, 2.5), Number.POSITIVE_INFINITY)
    // A copy on a at 2 ms/call with 0.3 of it used by others: 500 · 0.7 calls/s.
    close(model.capacityPerSec({ peer: a, serviceMs: 2 }, 0), 350)
  })

  it('predicts a pool response time S / (1 − u)', () => {
    const pool = { ratePerSec: 200, serviceMs: 5 }
    close(poolUtilisation(100, pool), 0.5)
    close(poolResponseMs(100, pool), 10)
    assert.equal(poolUtilisation(0, { ratePerSec: 0, serviceMs: 5 }), 0)
    assert.equal(poolUtilisation(1, { ratePerSec: 0, serviceMs: 5 }), Number.POSITIVE_INFINITY)
    close(poolResponseMs(1, { ratePerSec: 0, serviceMs: 5 }), 5 / (1 - RECONFIGURE_MAX_MODELLED_UTILISATION))
  })
})
