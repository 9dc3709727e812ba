import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { createReconfigureConfig } from '../src/reconfigure-config.js'
import { bestDraining, migrationGain, migrationTrigger, pool, replicationGain, worstHolder } from '../src/reconfigure-gain.js'
import { LoadModel } from '../src/reconfigure-load.js'
import { normaliseShards } from '../src/validate.js'
import { longTerm, peer, shard } from './fixtures.js'
import { summary } from './reconfigure-world.js'

const close = (a: number, b: number): void => assert.ok(Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b)), `${a} vs ${b}`)
const config = createReconfigureConfig()
const [s] = normaliseShards([shard('s', { bytes: 0, requestBytes: 0 })])

describe('reconfigure gain: triggers', () => {
  it('flags an overloaded, a slower and a degrading peer, and nothing else', () => {
    assert.equal(migrationTrigger(peer('a'), 0.84, config), undefined)
    assert.match(migrationTrigger(peer('a'), 0.85, config)?.reason ?? '', /overloaded/)
    assert.equal(migrationTrigger(peer('a'), 0.85, config)?.overloadOnly, true)
    const slower = peer('a', { shortTerm: { peerId: 'a', lastSeenMs: 0, calls: 0, throughput: summary(0.75e9) } })
    assert.match(migrationTrigger(slower, 0, config)?.reason ?? '', /slower/)
    assert.equal(migrationTrigger(slower, 0.9, config)?.overloadOnly, false)
    const fine = peer('a', { shortTerm: { peerId: 'a', lastSeenMs: 0, calls: 0, throughput: summary(0.76e9) } })
    assert.equal(migrationTrigger(fine, 0, config), undefined)
    assert.match(migrationTrigger(peer('a', { longTerm: longTerm('a', { trend: 'degrading' }) }), 0, config)?.reason ?? '', /trending worse/)
  })
})

describe('reconfigure gain: predictions', () => {
  it('divides the old copy score by the target score', () => {
    const from = peer('a', { rttMs: 0 })
    const target = { peer: peer('b', { rttMs: 0 }), totalMs: 0.5, serviceMs: 0.01 }
    const g = migrationGain(s, { peer: from, serviceMs: 0 }, 0, () => target, createRng(1), config.score)
    // On `a`: 65,536 MACs at 1 GMAC/s, no network, prior failure rate 0.05.
    close(g?.oldMs ?? 0, 65.536e-3 / 0.95)
    close(g?.gain ?? 0, (65.536e-3 / 0.95) / 0.5)
    assert.equal(migrationGain(s, { peer: from, serviceMs: 0 }, 0, () => undefined, createRng(1), config.score), undefined)
  })

  it('predicts M/M/1 response times for one more copy of a hot shard', () => {
    // One copy at 5 ms/call (200 calls/s) carrying 160 calls/s: u 0.8, T = 5 / 0.2 = 25 ms.
    // With a second equal copy: 400 calls/s, u 0.4, T = 5 / 0.6 ms. Gain 25 / (5 / 0.6) = 3.
    const a = peer('a')
    const b = peer('b')
    const load = new LoadModel([a, b], [{ rate: 160, holders: [{ peer: a, serviceMs: 5 }] }])
    const before = pool([{ peer: a, serviceMs: 5 }], 160, load)
    close(before.ratePerSec, 200)
    const g = replicationGain(s, [{ peer: a, serviceMs: 5 }], 160, load, () => ({ peer: b, totalMs: 1, serviceMs: 5 }), createRng(1))
    close(g?.gain ?? 0, 3)
  })

  it('picks the slowest copy to evict and the fastest draining copy to reactivate', () => {
    const fast = peer('fast', { rttMs: 1 })
    const slow = peer('slow', { rttMs: 50 })
    assert.equal(worstHolder(s, [{ peer: fast, serviceMs: 1 }, { peer: slow, serviceMs: 1 }], config).peer.peerId, 'slow')
    const views = new Map([['fast', fast], ['slow', slow]])
    const copies = [{ peerId: 'slow', state: 'draining' as const, inFlight: 0 }, { peerId: 'fast', state: 'draining' as const, inFlight: 0 }]
    assert.equal(bestDraining(s, copies, views, config).peerId, 'fast')
    // Without views, the smallest peer id, whatever the order given.
    assert.equal(bestDraining(s, copies, new Map(), config).peerId, 'fast')
  })
})
