import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { BucketedDiscovery, ProviderIndex, readEveryProviderRound } from '../../src/des/discovery-model.js'
import { KademliaModel } from '../../src/des/kademlia-model.js'

function network (n: number, bucketSize: number): { kad: KademliaModel, index: ProviderIndex, providers: string[] } {
  const kad = new KademliaModel(`disc-${n}`)
  const index = new ProviderIndex(Math.max(8, Math.ceil(n / bucketSize)))
  const providers: string[] = []
  for (let i = 0; i < n; i++) {
    kad.join(kad.newId())
    const p = `p${i}`
    index.add(p, i * 2654435761 >>> 0)
    providers.push(p)
  }
  return { kad, index, providers }
}

describe('discovery designs', () => {
  it('the bucketed design reads the candidates it wants, then only newcomers', () => {
    const { kad, index } = network(2000, 20)
    const d = new BucketedDiscovery(kad, index, kad.newId(), 40, createRng('disc'))
    const first = d.round()
    assert.ok(first.cost.recordsRead >= 40 && first.cost.recordsRead < 40 + 60, `${first.cost.recordsRead} records`)
    assert.equal(first.found.length, first.cost.recordsRead)
    const again = d.round()
    assert.equal(again.cost.recordsRead, 0)
    // A newcomer in a bucket already walked is read on the next round, and only it.
    const walkedBucket = index.bucketOf.get(first.found[0]) as number
    index.add('newcomer', walkedBucket)
    const next = d.round()
    assert.deepEqual(next.found, ['newcomer'])
  })

  it('the current design reads at most 9 × 20 records and misses the rest of a large network', () => {
    const { kad, providers } = network(3000, 20)
    const cost = readEveryProviderRound(kad, kad.newId(), providers)
    assert.equal(cost.recordsRead, 180)
    assert.equal(cost.lookups, 9 + 180)
    const small = network(12, 20)
    assert.equal(readEveryProviderRound(small.kad, small.kad.newId(), small.providers).recordsRead, 12)
  })
})
