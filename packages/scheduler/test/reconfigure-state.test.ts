import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createReconfigureState, replicaKey } from '../src/reconfigure-state.js'

describe('reconfigure state', () => {
  it('starts empty, before any clock, with the given peers known', () => {
    const s = createReconfigureState({ knownPeers: ['a', 'b'] })
    assert.equal(s.lastStepMs, Number.NEGATIVE_INFINITY)
    assert.deepEqual([...s.knownPeers], ['a', 'b'])
    assert.deepEqual(s.operations, [])
    assert.equal(s.counters.size + s.cooldownUntilMs.size + s.sheddingUntilMs.size + s.copiesWanted.size + s.drainingSinceMs.size + s.lostFrom.size, 0)
  })

  it('keys replicas so that no two (shard, peer) pairs collide', () => {
    assert.notEqual(replicaKey('a/b', 'c'), replicaKey('a', 'b/c'))
  })
})
