import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { BusyError, InsufficientCapacityError } from '@tessera/wire'
import { releaseAll } from '../src/release.js'
import { fakeRunContext, fakeShards, heldShard } from './fake-run-context.js'

describe('releaseAll', () => {
  it('releases every copy one at a time per peer, waits out BUSY replies, and asks dead peers for abandoned copies', async () => {
    const shards = [heldShard('s0', ['a', 'b']), heldShard('s1', ['a']), heldShard('s2', ['a', 'b'])]
    const released: string[] = []
    const inFlight = new Map<string, number>()
    let most = 0
    let busyLeft = 2
    const signals: Array<AbortSignal | undefined> = []
    const dropped: string[] = []
    const ctx = fakeRunContext({
      shards: new Map(shards.map((s) => [s.spec.id, s])),
      dead: new Set(['c']),
      abandoned: [{ peerId: 'c', remoteId: 'run/s9' }],
      now: () => 0,
      remoteId: (id: string) => `run/${id}`,
      dropAllocation: (s, peerId) => { s.tilesByHolder.delete(peerId); dropped.push(`${s.spec.id}@${peerId}`) },
      client: (peerId) => fakeShards(peerId, {
        release: async (remoteId, signal) => {
          inFlight.set(peerId, (inFlight.get(peerId) ?? 0) + 1)
          most = Math.max(most, inFlight.get(peerId) ?? 0)
          await new Promise((resolve) => setTimeout(resolve, 2))
          inFlight.set(peerId, (inFlight.get(peerId) ?? 1) - 1)
          if (peerId === 'a' && busyLeft > 0) {
            busyLeft--
            throw new BusyError('too many streams')
          }
          if (peerId === 'c') signals.push(signal)
          released.push(`${remoteId}@${peerId}`)
          return 1
        }
      })
    })
    await releaseAll(ctx)
    assert.deepEqual(released.sort(), ['run/s0@a', 'run/s0@b', 'run/s1@a', 'run/s2@a', 'run/s2@b', 'run/s9@c'])
    assert.equal(most, 1, 'two releases ran on one peer at once')
    assert.equal(busyLeft, 0)
    // A peer taken for departed gets a bounded wait, not the client's whole timeout.
    assert.ok(signals[0] instanceof AbortSignal)
    assert.deepEqual(ctx.abandoned, [])
    assert.deepEqual(dropped.sort(), ['s0@a', 's0@b', 's1@a', 's2@a', 's2@b'])
    for (const s of shards) assert.deepEqual([s.holders, s.draining, [...s.tilesByHolder.keys()]], [[], [], []])
  })

  it('reports a release that failed on a live peer with the run (its tiles stay taken there), not one on a peer taken for departed', async () => {
    const ctx = fakeRunContext({
      shards: new Map([['s0', heldShard('s0', ['a'])]]),
      dead: new Set(['c']),
      abandoned: [{ peerId: 'c', remoteId: 'run/s9' }],
      client: (peerId) => fakeShards(peerId, { release: async () => { throw new InsufficientCapacityError(`${peerId} is confused`) } })
    })
    await releaseAll(ctx)
    assert.deepEqual(ctx.errors, [{ kind: 'release', code: 'INSUFFICIENT_CAPACITY', name: 'InsufficientCapacityError', message: 'a is confused', shardId: 's0', peerId: 'a' }])
  })
})
