import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { createRayLikePolicy } from '../../src/policies/ray-like.js'
import { peer, shard } from '../fixtures.js'

const tiles = (n: number) => ({ device: { tilesFree: n, tilesTotal: n } })
const shards = (n: number) => Array.from({ length: n }, (_, i) => shard(`s${i}`))

describe('ray-like policy', () => {
  it('packs the local node to half its tiles, then fills the least-loaded nodes', () => {
    // Five nodes: k = max(1, ⌊5 · 0.2⌋) = 1, so after the local node the choice is the first zero-score node by id.
    const peers = ['a', 'b', 'c', 'd', 'e'].map((id) => peer(id, tiles(10)))
    const placement = createRayLikePolicy().place({ shards: shards(15), peers, nowMs: 0, rng: createRng(1) })
    assert.deepEqual(Object.fromEntries(placement.tilesByPeer), { a: 5, b: 5, c: 5 })
    assert.deepEqual(placement.assignments.get('s0'), ['a'])
    assert.deepEqual(placement.assignments.get('s5'), ['b'])
  })

  it('prefers the local node named by the caller', () => {
    const peers = ['a', 'b', 'c'].map((id) => peer(id, tiles(4)))
    const placement = createRayLikePolicy().place({ shards: shards(2), peers, nowMs: 0, rng: createRng(1), localPeerId: 'c' })
    assert.deepEqual(placement.tilesByPeer.get('c'), 2)
  })

  it('counts tiles already in use towards utilisation', () => {
    const peers = [peer('a', { device: { tilesFree: 5, tilesTotal: 10 } }), peer('b', tiles(10))]
    const placement = createRayLikePolicy().place({ shards: shards(1), peers, nowMs: 0, rng: createRng(1) })
    assert.deepEqual(placement.assignments.get('s0'), ['b'])
  })

  it('picks at random among the top 20% once spreading', () => {
    // Ten nodes: k = 2. The local node is full past the threshold, so each shard goes to b or c (the two
    // lowest ids with score 0) — never elsewhere, and both over enough seeds.
    const peers = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i', 'j'].map((id) => peer(id, tiles(100)))
    peers[0] = peer('a', { device: { tilesFree: 40, tilesTotal: 100 } })
    const seen = new Set<string>()
    for (let seed = 0; seed < 40; seed++) {
      const placement = createRayLikePolicy().place({ shards: shards(1), peers, nowMs: 0, rng: createRng(seed) })
      seen.add(placement.assignments.get('s0')?.[0] ?? '')
    }
    assert.deepEqual([...seen].sort(), ['b', 'c'])
  })

  it('places one copy, ignores NAT paths and history, and routes to the first copy', () => {
    const peers = [peer('relayed', { path: 'relayed' }), peer('direct')]
    const policy = createRayLikePolicy()
    const placement = policy.place({ shards: [shard('hot', { replicas: 3 })], peers, nowMs: 0, rng: createRng(1) })
    assert.deepEqual(placement.assignments.get('hot'), ['relayed'])
    assert.match(placement.reasons.get('hot') ?? '', /one copy/)
    assert.equal(policy.route({ shard: shard('hot'), replicas: ['x', 'y'], peers, nowMs: 0, rng: createRng(1) }), 'x')
  })
})
