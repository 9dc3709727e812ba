import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import type { DiscoveryRound } from '../src/discovery.js'
import { LiveRunContext } from '../src/live-run-context.js'
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
      { records: 2, added: [], unreachable: [{ peerId: B, error: new Error('ECONNREFUSED') }] },
      { records: 2, added: [], unreachable: [{ peerId: B, error: new Error('ECONNREFUSED again') }] },
      { records: 2, added: [fakeTarget(B)], unreachable: [] }
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
})
