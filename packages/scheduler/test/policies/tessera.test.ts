import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { createLongTermMemory, createShortTermMemory } from '@tessera/memory'
import { createTesseraPolicy } from '../../src/policies/tessera.js'
import { longTerm, peer, shard } from '../fixtures.js'
import type { PeerView, ShardSpec } from '../../src/types.js'

const place = (shards: ShardSpec[], peers: PeerView[], seed = 1) =>
  createTesseraPolicy().place({ shards, peers, nowMs: 0, rng: createRng(seed) })

describe('tessera policy: placement', () => {
  it('puts a big shard on a direct peer rather than a relayed peer of equal speed', () => {
    const raised = { dataBytes: 4 * 2 ** 30, durationMs: 30 * 60_000 }
    for (const relayLimits of [undefined, raised]) {
      // The relayed peer is listed first, so list order cannot be what decides.
      const placement = place([shard('big')], [peer('relayed', { path: 'relayed', relayLimits }), peer('direct')])
      assert.deepEqual(placement.assignments.get('big'), ['direct'])
    }
    // With only the relayed peer behind a default relay, the shard cannot go anywhere, and the reason says why.
    const stuck = place([shard('big')], [peer('relayed', { path: 'relayed' })])
    assert.deepEqual(stuck.unplaced, ['big'])
    assert.match(stuck.reasons.get('big') ?? '', /relay's data limit/)
  })

  it('hole-punched peers count as direct', () => {
    const placement = place([shard('a'), shard('b')], [peer('punched', { path: 'hole-punched' }), peer('direct')])
    assert.deepEqual(new Set([...placement.assignments.values()].flat()), new Set(['punched', 'direct']))
  })

  it('avoids a peer whose long-term trend is degrading', () => {
    const peers = [peer('degrading', { longTerm: longTerm('degrading', { trend: 'degrading' }) }), peer('steady', { longTerm: longTerm('steady') })]
    assert.deepEqual(place([shard('s')], peers).assignments.get('s'), ['steady'])
  })

  it('avoids a peer that the dual memory saw slowing down', () => {
    // One-second buckets as a simulation would configure; 24 s of calls, 20 per second, σ = 5 ms of noise;
    // one peer's round trips climb from 20 to 66 ms, the other's stay at 20 ms.
    const longTermMemory = createLongTermMemory({ bucketMs: 1000 })
    const shortTermMemory = createShortTermMemory({ windowMs: 10_000 })
    const rng = createRng('tessera/dual-memory')
    for (let k = 0; k < 24 * 20; k++) {
      const t = k * 50
      for (const [id, latency] of [['steady', 20], ['slowing', 20 + 2 * t / 1000]] as const) {
        const latencyMs = Math.max(0, latency + 5 * rng.nextNormal())
        longTermMemory.observe(id, { ok: true, latencyMs }, t)
        shortTermMemory.observe(id, { ok: true, latencyMs }, t)
      }
    }
    const now = 24_000
    const view = (id: string): PeerView => peer(id, { shortTerm: shortTermMemory.stats(id, now), longTerm: longTermMemory.stats(id, now) })
    assert.equal(view('slowing').longTerm?.trend, 'degrading')
    assert.equal(view('steady').longTerm?.trend, 'stable')
    assert.deepEqual(place([shard('s')], [view('slowing'), view('steady')]).assignments.get('s'), ['steady'])
  })

  it('avoids an unreliable peer and one with large result errors', () => {
    const flaky = [peer('flaky', { longTerm: longTerm('flaky', { failureRate: 0.3 }) }), peer('solid', { longTerm: longTerm('solid') })]
    assert.deepEqual(place([shard('s')], flaky).assignments.get('s'), ['solid'])
    const wrong = [peer('wrong', { longTerm: longTerm('wrong', { resultError: 0.2 }) }), peer('right', { longTerm: longTerm('right', { resultError: 0.001 }) })]
    assert.deepEqual(place([shard('s')], wrong).assignments.get('s'), ['right'])
  })

  it('sends a sensitive layer to the low-noise device even when the noisy one is faster', () => {
    const peers = [
      peer('noisy-fast', { device: { noiseLevel: 0.08, throughput: 4e9 } }),
      peer('quiet', { device: { noiseLevel: 0.01, throughput: 1e9 } })
    ]
    const placement = place([shard('sensitive', { sensitivity: 0.9 }), shard('robust', { sensitivity: 0 })], peers)
    assert.deepEqual(placement.assignments.get('sensitive'), ['quiet'])
    // With one tile on the quiet device, the sensitive shard still gets it although it is listed second.
    const tight = [peers[0], peer('quiet', { device: { noiseLevel: 0.01, tilesFree: 1, tilesTotal: 1 } })]
    const p2 = place([shard('robust', { expectedLoad: 5 }), shard('sensitive', { sensitivity: 0.9 })], tight)
    assert.deepEqual(p2.assignments.get('sensitive'), ['quiet'])
    assert.deepEqual(p2.assignments.get('robust'), ['noisy-fast'])
  })

  it('never over-commits tiles, and reports what does not fit', () => {
    const peers = [peer('a', { device: { tilesFree: 2, tilesTotal: 4 } }), peer('b', { device: { tilesFree: 3 } }), peer('c', { device: { tilesFree: 0 } })]
    const shards = Array.from({ length: 8 }, (_, i) => shard(`s${i}`))
    const placement = place(shards, peers)
    assert.deepEqual(Object.fromEntries(placement.tilesByPeer), { a: 2, b: 3 })
    assert.equal(placement.unplaced.length, 3)
    for (const id of placement.unplaced) assert.match(placement.reasons.get(id) ?? '', /free tile/)
  })

  it('spreads equal shards over equal peers because each assignment raises the predicted queue', () => {
    const shards = Array.from({ length: 6 }, (_, i) => shard(`s${i}`, { macsPerRequest: 1e8 }))
    const placement = place(shards, [peer('a'), peer('b'), peer('c')])
    assert.deepEqual([...placement.tilesByPeer.values()], [2, 2, 2])
  })

  it('gives a faster peer more of the work', () => {
    const shards = Array.from({ length: 8 }, (_, i) => shard(`s${i}`, { macsPerRequest: 1e8 }))
    const placement = place(shards, [peer('slow', { device: { throughput: 1e9 } }), peer('fast', { device: { throughput: 3e9 } })])
    // Balancing committed work: the fast peer should take about three quarters.
    assert.equal(placement.tilesByPeer.get('fast'), 6)
    assert.equal(placement.tilesByPeer.get('slow'), 2)
  })

  it('replicates hot shards on distinct peers, best peers first', () => {
    const peers = [peer('a'), peer('b'), peer('c', { rttMs: 200 })]
    const placement = place([shard('hot', { replicas: 2, expectedLoad: 4 }), shard('cold')], peers)
    const hot = placement.assignments.get('hot') ?? []
    assert.equal(hot.length, 2)
    assert.equal(new Set(hot).size, 2)
    assert.ok(!hot.includes('c'))
    // More copies wanted than peers: as many as there are peers, and a reason for the rest.
    const crowded = place([shard('hot', { replicas: 5 })], peers)
    assert.equal(crowded.assignments.get('hot')?.length, 3)
    assert.match(crowded.reasons.get('hot') ?? '', /3 of 5/)
  })
})

describe('tessera policy: routing', () => {
  it('routes to the replica with the lowest expected completion time, counting pending calls', () => {
    const policy = createTesseraPolicy()
    const peers = [peer('near', { rttMs: 5 }), peer('far', { rttMs: 25 })]
    const input = { shard: shard('s'), replicas: ['near', 'far'], peers, nowMs: 0, rng: createRng(3) }
    assert.equal(policy.route(input), 'near')
    // 65,536 MACs at 1 GMAC/s ≈ 0.066 ms per queued call: 20 ms of RTT difference is about 305 queued calls.
    assert.equal(policy.route({ ...input, pending: new Map([['near', 100]]) }), 'near')
    assert.equal(policy.route({ ...input, pending: new Map([['near', 400]]) }), 'far')
    assert.equal(policy.route({ ...input, replicas: [] }), undefined)
  })
})
