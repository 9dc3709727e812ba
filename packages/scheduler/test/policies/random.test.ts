import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { createRandomPolicy } from '../../src/policies/random.js'
import { peer, shard } from '../fixtures.js'

describe('random policy', () => {
  it('spreads copies uniformly over the peers that fit', () => {
    // 4,000 one-tile shards over 4 peers with room for all: each count is Binomial(4000, 1/4), σ ≈ 27.4;
    // allow 5σ. The peer with small tiles never gets one.
    const peers = ['a', 'b', 'c', 'd'].map((id) => peer(id, { device: { tilesFree: 4000, tilesTotal: 4000 } }))
    peers.push(peer('tiny', { device: { geometry: { rows: 64, cols: 64 } } }))
    const shards = Array.from({ length: 4000 }, (_, i) => shard(`s${i}`))
    const placement = createRandomPolicy().place({ shards, peers, nowMs: 0, rng: createRng('random/spread') })
    for (const id of ['a', 'b', 'c', 'd']) {
      const n = placement.tilesByPeer.get(id) ?? 0
      assert.ok(Math.abs(n - 1000) <= 5 * Math.sqrt(4000 * 0.25 * 0.75), `${id}: ${n}`)
    }
    assert.equal(placement.tilesByPeer.get('tiny'), undefined)
  })

  it('routes to a copy', () => {
    const policy = createRandomPolicy()
    const rng = createRng(5)
    for (let i = 0; i < 20; i++) assert.ok(['a', 'b'].includes(policy.route({ shard: shard('s'), replicas: ['a', 'b'], peers: [], nowMs: 0, rng }) ?? ''))
  })
})
