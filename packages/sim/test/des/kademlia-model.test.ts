import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { KAD_K, KademliaModel } from '../../src/des/kademlia-model.js'

function bruteClosest (ids: number[], target: number): number[] {
  return [...ids].sort((a, b) => ((a ^ target) >>> 0) - ((b ^ target) >>> 0)).slice(0, KAD_K)
}

describe('KademliaModel', () => {
  it('finds the k live ids closest to a key, as a scan of every id does', () => {
    const kad = new KademliaModel('kad-test')
    const ids: number[] = []
    for (let i = 0; i < 1500; i++) {
      const id = kad.newId()
      ids.push(id)
      kad.join(id)
    }
    // Departures are forgotten by every routing table.
    for (const id of ids.splice(0, 300)) kad.leave(id)
    const origin = kad.newId()
    for (let i = 0; i < 40; i++) {
      const target = kad.keyId(`key-${i}`)
      assert.deepEqual(kad.lookup(origin, target), bruteClosest(ids, target))
    }
    // Churn between lookups: each departure and join is seen by the next lookup.
    for (let i = 0; i < 200; i++) {
      kad.leave(ids.splice((i * 7) % ids.length, 1)[0])
      const id = kad.newId()
      ids.push(id)
      kad.join(id)
      const target = kad.keyId(`churn-${i}`)
      assert.deepEqual(kad.lookup(origin, target), bruteClosest(ids, target))
    }
    assert.equal(kad.size, ids.length)
  })

  it('costs messages that grow with log N, far below N', () => {
    const perLookup = (n: number): number => {
      const kad = new KademliaModel(`kad-cost-${n}`)
      for (let i = 0; i < n; i++) kad.join(kad.newId())
      const origin = kad.newId()
      for (let i = 0; i < 50; i++) kad.lookup(origin, kad.keyId(`k${i}`))
      return kad.messages / kad.lookups
    }
    const small = perLookup(200)
    const large = perLookup(20_000)
    // 100× the peers: at most a few more rounds of α = 3 queries, never 100× the messages.
    assert.ok(large > small, `${large} vs ${small}`)
    assert.ok(large < small * 4, `${large} vs ${small}`)
    assert.ok(large < 200, `${large} messages per lookup at 20,000 peers`)
  })
})
