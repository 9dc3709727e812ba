import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { multiaddr } from '@multiformats/multiaddr'
import { isRelayedAddress, relayHop } from '../src/relay-address.js'
import { seededPeerId } from './helpers.js'

describe('relayed addresses', async () => {
  const relay = (await seededPeerId('relay')).toString()
  const peer = (await seededPeerId('peer')).toString()

  it('tells relayed from direct addresses', () => {
    assert.equal(isRelayedAddress(multiaddr(`/ip4/11.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${peer}`)), true)
    assert.equal(isRelayedAddress(multiaddr(`/ip4/41.0.0.1/tcp/5000/p2p/${peer}`)), false)
  })

  it('finds the relay and where it listens', () => {
    const hop = relayHop(multiaddr(`/ip4/11.0.0.1/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${peer}`))
    assert.equal(hop?.peerId.toString(), relay)
    assert.deepEqual(hop?.address, { address: '11.0.0.1', port: 4001 })
  })

  it('gives the relay without an endpoint when the address names none, and nothing for direct addresses', () => {
    const bare = relayHop(multiaddr(`/p2p/${relay}/p2p-circuit/p2p/${peer}`))
    assert.equal(bare?.peerId.toString(), relay)
    assert.equal(bare?.address, undefined)
    assert.equal(relayHop(multiaddr(`/ip4/41.0.0.1/tcp/5000/p2p/${peer}`)), undefined)
    assert.equal(relayHop(multiaddr(`/ip4/11.0.0.1/tcp/4001/p2p-circuit/p2p/${peer}`)), undefined)
    // A DNS or IPv6 relay address gives the relay but no IPv4 endpoint.
    assert.equal(relayHop(multiaddr(`/ip6/::1/tcp/4001/p2p/${relay}/p2p-circuit/p2p/${peer}`))?.address, undefined)
  })
})
