import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { pathOf } from '../../src/dashboard/paths.js'

const RELAY = '12D3KooWLwGZbz4zxBr8bAmAMz7C4mWGJDuFq8Zbbs5p3GyPT1Ws'
const PEER = '12D3KooWGRUVh2SSq8XnVxJwGvyZoVzX2ULYs8qW5GNDhbSXuNqy'

function conn (id: string, addr: string, status: 'open' | 'closing' | 'closed' = 'open'): { id: string, remoteAddr: ReturnType<typeof multiaddr>, status: 'open' | 'closing' | 'closed' } {
  return { id, remoteAddr: multiaddr(addr), status }
}

const direct = conn('d', `/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`)
const relayed = conn('r', `/ip4/127.0.0.1/tcp/4002/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)

describe('dashboard paths', () => {
  it('is none without an open connection', () => {
    assert.deepEqual(pathOf([], new Set()), { kind: 'none' })
    assert.deepEqual(pathOf([conn('x', `/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`, 'closed')], new Set()), { kind: 'none' })
  })

  it('names the relay of a relayed connection', () => {
    assert.deepEqual(pathOf([relayed], new Set()), { kind: 'relayed', relay: RELAY })
  })

  it('prefers a direct connection, and calls it hole-punched when the punch opened it', () => {
    assert.deepEqual(pathOf([relayed, direct], new Set()), { kind: 'direct' })
    assert.deepEqual(pathOf([relayed, direct], new Set(['d'])), { kind: 'hole-punched' })
    assert.deepEqual(pathOf([relayed, { ...direct, status: 'closing' as const }], new Set(['d'])), { kind: 'relayed', relay: RELAY })
  })
})
