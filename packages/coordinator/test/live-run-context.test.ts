import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { DiscoveryRound } from '../src/discovery.js'
import { LiveRunContext } from '../src/live-run-context.js'
import { newShardState } from '../src/shard-state.js'
import type { PeerNetwork } from '../src/peer-network.js'
import { fakeTarget, liveRunContextInit } from './fake-run-context.js'

const A = '12D3KooWDpJ7As7BWAwRMfu1VU2WCqNjvq387JEYKDBj4kx6nXTN'
const B = '12D3KooWBhEXsSK5wWkzuUmXWpaFZTfgKnBp3XUYoELh3cvDQKDw'

/** A network on which every peer is connected and answers. */
const everyoneThere: PeerNetwork = { isConnected: () => true, hasOpenConnection: () => true, ping: async () => 1, dial: async () => {} }

function context (discover: () => Promise<DiscoveryRound>): LiveRunContext {
  return new LiveRunContext(liveRunContextInit(everyoneThere, [A], { discover }))
}

describe('LiveRunContext', () => {
  it('adds the peers a discovery round finds, and reports a peer it could not dial once per run', async () => {
    const rounds: DiscoveryRound[] = [
      { records: 2, added: [], unreachable: [{ peerId: B, error: new Error('ECONNREFUSED') }], leaving: [] },
      { records: 2, added: [], unreachable: [{ peerId: B, error: new Error('ECONNREFUSED again') }], leaving: [] },
      { records: 2, added: [fakeTarget(B)], unreachable: [], leaving: [] }
    ]
    const ctx = context(async () => rounds.shift() as DiscoveryRound)
    await ctx.refreshPeers()
    await ctx.refreshPeers()
    assert.deepEqual(ctx.errors, [{ kind: 'discovery', code: 'ERR_UNKNOWN', name: 'Error', message: 'ECONNREFUSED', peerId: B }])
    assert.equal(ctx.targets.has(B), false)
    await ctx.refreshPeers()
    assert.equal(ctx.targets.has(B), true)
    assert.deepEqual(ctx.views().map((v) => v.peerId).sort(), [A, B].sort())
  })

  it('reports a failed discovery round with the run once, and keeps the peers it knows', async () => {
    const ctx = context(async () => { throw Object.assign(new Error('DHT query failed'), { code: 'ERR_QUERY_ABORTED' }) })
    await ctx.refreshPeers()
    await ctx.refreshPeers()
    assert.deepEqual(ctx.errors, [{ kind: 'discovery', code: 'ERR_QUERY_ABORTED', name: 'Error', message: 'DHT query failed' }])
    assert.deepEqual([...ctx.targets.keys()], [A])
  })

  it('a peer whose record says it is leaving loses its copies at once, without counting as a failure', async () => {
    const ctx = new LiveRunContext(liveRunContextInit(everyoneThere, [A, B], { discover: async () => ({ records: 2, added: [], unreachable: [], leaving: [A] }) }))
    const shard = newShardState({ spec: { id: 'L/0', tilesNeeded: 1, geometry: { rows: 4, cols: 4 }, cells: 16, bytes: 64, sensitivity: 0, expectedLoad: 1 }, blocks: [], rows: 4, cols: 4, weights: new Float32Array(16) })
    shard.holders.push(A, B)
    ctx.shards.set('L/0', shard)
    await ctx.refreshPeers()
    assert.deepEqual(shard.holders, [B])
    assert.equal(ctx.dead.has(A), true)
    assert.equal(ctx.recorder.peerFailures, 0)
    assert.deepEqual(ctx.views().map((v) => v.peerId), [B])
  })
})
