import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { renewLeases, startLeaseRenewal } from '../src/lease-renewal.js'
import { fakeRunContext, fakeShards, heldShard } from './fake-run-context.js'

describe('lease renewal', () => {
  it('names every live copy once per peer, skips dead peers, and reports the copies a peer no longer holds', async () => {
    const shards = [heldShard('s0', ['a', 'b']), heldShard('s1', ['a', 'dead'])]
    const asked = new Map<string, string[]>()
    const ctx = fakeRunContext({
      shards: new Map(shards.map((s) => [s.spec.id, s])),
      dead: new Set(['dead']),
      remoteId: (id: string) => `run/${id}`,
      client: (peerId) => fakeShards(peerId, {
        keepAlive: async (ids) => {
          asked.set(peerId, ids)
          // Peer b lost s0 (its lease ran out); a still holds both.
          return { shardIds: peerId === 'b' ? [] : ids, leaseMs: peerId === 'a' ? 60_000 : 9_000 }
        }
      })
    })
    const expired: string[] = []
    const shortest = await renewLeases(ctx, (s, peerId) => { expired.push(`${s.spec.id}@${peerId}`) })
    assert.deepEqual(Object.fromEntries(asked), { a: ['run/s0', 'run/s1'], b: ['run/s0'] })
    assert.deepEqual(expired, ['s0@b'])
    assert.equal(shortest, 9_000)
  })

  it('drops an expired copy and programs a shard left without one again', async () => {
    const lost = heldShard('s0', ['a'])
    const programmed: string[] = []
    let renewals = 0
    const ctx = fakeRunContext({
      shards: new Map([['s0', lost]]),
      remoteId: (id: string) => `run/${id}`,
      views: () => [],
      dropAllocation: (s, peerId) => { s.tilesByHolder.delete(peerId) },
      client: (peerId) => fakeShards(peerId, {
        keepAlive: async () => { renewals++; return { shardIds: [], leaseMs: 30 } },
        program: async (o) => { programmed.push(`${o.shardId}@${peerId}`); return { tilesUsed: 1 } }
      })
    })
    // The policy places the lost shard on peer c.
    ctx.policy.place = () => ({ policy: 'test', assignments: new Map([['s0', ['c']]]), unplaced: [], reasons: new Map(), tilesByPeer: new Map([['c', 1]]) })
    const renewal = startLeaseRenewal(ctx, 5)
    while (renewal.expired() === 0) await new Promise((resolve) => setTimeout(resolve, 5))
    await renewal.stop()
    assert.ok(renewals >= 1)
    assert.deepEqual(programmed, ['run/s0@c'])
    assert.deepEqual(lost.holders, ['c'])
  })
})
