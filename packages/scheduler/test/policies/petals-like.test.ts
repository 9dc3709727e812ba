import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { createPetalsLikePolicy } from '../../src/policies/petals-like.js'
import { peer, shard } from '../fixtures.js'

const free = (n: number, throughput = 1e9) => ({ device: { tilesFree: n, tilesTotal: n, throughput } })
const shards = (n: number, replicas = 1) => Array.from({ length: n }, (_, i) => shard(`s${i}`, { replicas }))

describe('petals-like policy', () => {
  it('each joining server takes the least-served contiguous span', () => {
    const peers = [peer('a', free(2)), peer('b', free(2)), peer('c', free(2))]
    const placement = createPetalsLikePolicy().place({ shards: shards(6), peers, nowMs: 0, rng: createRng(1) })
    const owner = (i: number) => placement.assignments.get(`s${i}`)
    assert.deepEqual([0, 1, 2, 3, 4, 5].map(owner), [['a'], ['a'], ['b'], ['b'], ['c'], ['c']])
  })

  it('a later server reinforces the span served by the least throughput', () => {
    const peers = [peer('fast', free(2, 5e9)), peer('slow', free(2, 1e9)), peer('extra', free(2))]
    const placement = createPetalsLikePolicy().place({ shards: shards(4, 2), peers, nowMs: 0, rng: createRng(1) })
    // fast serves s0–s1, slow s2–s3; extra joins the span with the lower total throughput: s2–s3.
    assert.deepEqual(placement.assignments.get('s2'), ['slow', 'extra'])
    assert.deepEqual(placement.assignments.get('s0'), ['fast'])
  })

  it('routes by an EMA of RTT (α = 0.2) plus compute time at the announced throughput', () => {
    const policy = createPetalsLikePolicy()
    const route = (rttX: number, nowMs: number) => policy.route({
      shard: shard('s'),
      replicas: ['x', 'y'],
      peers: [peer('x', { rttMs: rttX }), peer('y', { rttMs: 30 })],
      nowMs,
      rng: createRng(1)
    })
    assert.equal(route(10, 0), 'x')
    // One spike to 100 ms moves x's EMA to 10 + 0.2 · 90 = 28 ms: still below y's 30 ms.
    assert.equal(route(100, 1), 'x')
    // A second spike: 28 + 0.2 · 72 = 42.4 ms: now y wins.
    assert.equal(route(100, 2), 'y')
    // The same instant again adds no sample.
    assert.equal(route(0, 2), 'y')
  })
})
