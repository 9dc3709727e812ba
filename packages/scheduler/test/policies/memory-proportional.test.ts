import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { createMemoryProportionalPolicy } from '../../src/policies/memory-proportional.js'
import { peer, shard } from '../fixtures.js'

const free = (n: number, total = n) => ({ device: { tilesFree: n, tilesTotal: total } })
const shards = (n: number) => Array.from({ length: n }, (_, i) => shard(`s${i}`))

describe('memory-proportional policy', () => {
  it('cuts the shards into contiguous ranges proportional to free tiles, biggest node first', () => {
    const peers = [peer('small', free(4)), peer('big', free(8)), peer('mid', free(4))]
    const placement = createMemoryProportionalPolicy().place({ shards: shards(8), peers, nowMs: 0, rng: createRng(1) })
    // Ring: big (8/16 → [0, 0.5)), then the two 4-tile nodes by id descending: small [0.5, 0.75), mid [0.75, 1).
    const owner = (i: number) => placement.assignments.get(`s${i}`)?.[0]
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 7].map(owner), ['big', 'big', 'big', 'big', 'small', 'small', 'mid', 'mid'])
  })

  it('moves a shard that does not fit its node on around the ring', () => {
    const peers = [peer('a', free(3)), peer('b', { device: { tilesFree: 3, tilesTotal: 3, geometry: { rows: 128, cols: 128 } } })]
    const placement = createMemoryProportionalPolicy().place({ shards: shards(4), peers, nowMs: 0, rng: createRng(1) })
    assert.deepEqual(Object.fromEntries(placement.tilesByPeer), { a: 3 })
    assert.deepEqual(placement.unplaced, ['s3'])
  })
})
