import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { createRoundRobinPolicy } from '../../src/policies/round-robin.js'
import { peer, shard } from '../fixtures.js'

describe('round-robin policy', () => {
  it('deals copies to the peers in turn, skipping those that cannot take one', () => {
    const peers = [peer('a'), peer('b', { device: { tilesFree: 1 } }), peer('c')]
    const shards = [shard('s0'), shard('s1', { replicas: 2 }), shard('s2'), shard('s3')]
    const placement = createRoundRobinPolicy().place({ shards, peers, nowMs: 0, rng: createRng(1) })
    assert.deepEqual(placement.assignments.get('s0'), ['a'])
    assert.deepEqual(placement.assignments.get('s1'), ['b', 'c'])
    assert.deepEqual(placement.assignments.get('s2'), ['a'])
    assert.deepEqual(placement.assignments.get('s3'), ['c']) // b is full
  })

  it('routes calls of a shard to its copies in turn', () => {
    const policy = createRoundRobinPolicy()
    const input = { shard: shard('s'), replicas: ['a', 'b', 'c'], peers: [], nowMs: 0, rng: createRng(1) }
    assert.deepEqual([1, 2, 3, 4].map(() => policy.route(input)), ['a', 'b', 'c', 'a'])
  })
})
