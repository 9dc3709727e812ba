import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import fc from 'fast-check'
import { classifyNat, inferReachability, observerOf } from '../src/index.js'

const PEER = '12D3KooWLkPCSY4B6yhgkTMo9sgUnKx55oZpB5zb3m8LQ8wFDTZY'
const RELAY = '12D3KooWJiNTg9aXrg2d9g9acBy7tGtCQDAtv2Gv6iEgFG2RnZhd'

describe('inferReachability', () => {
  it('no verified address: unknown', () => {
    assert.equal(inferReachability([], 'public'), 'unknown')
    assert.equal(inferReachability([], 'local'), 'unknown')
  })

  it('a loopback address is public only on a local network', () => {
    const addrs = [multiaddr(`/ip4/127.0.0.1/tcp/4001/p2p/${PEER}`)]
    assert.equal(inferReachability(addrs, 'local'), 'public')
    assert.equal(inferReachability(addrs, 'public'), 'unknown')
  })

  it('a verified public address: public', () => {
    assert.equal(inferReachability([multiaddr(`/ip4/8.8.8.8/tcp/4001/p2p/${PEER}`)], 'public'), 'public')
  })

  it('only relayed addresses: private', () => {
    const relayed = multiaddr(`/ip4/8.8.8.8/tcp/4001/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)
    assert.equal(inferReachability([relayed], 'public'), 'private')
    assert.equal(inferReachability([relayed, multiaddr('/ip4/10.0.0.2/tcp/1')], 'public'), 'private')
  })
})

describe('classifyNat', () => {
  it('a public node has no NAT, whatever was observed', () => {
    assert.equal(classifyNat('public', undefined), 'none')
    assert.equal(classifyNat('public', { localPort: 40000, observedPort: 51234 }), 'none')
  })

  it('without an observation the kind is unknown', () => {
    assert.equal(classifyNat('private', undefined), 'unknown')
    assert.equal(classifyNat('unknown', undefined), 'unknown')
  })

  it('a peer seeing one of our own interface addresses means no NAT, before AutoNAT verified it', () => {
    const observation = { localPort: 40000, observedPort: 40000, observedAddress: '13.0.0.1', localAddresses: ['127.0.0.1', '13.0.0.1'] }
    assert.equal(classifyNat('unknown', observation), 'none')
    assert.equal(classifyNat('unknown', { ...observation, localAddresses: ['127.0.0.1', '192.168.1.2'] }), 'cone')
  })

  it('a kept port is cone, any rewritten port symmetric', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 }), fc.constantFrom('private', 'unknown') as fc.Arbitrary<'private' | 'unknown'>, (local, observed, reachability) => {
      assert.equal(classifyNat(reachability, { localPort: local, observedPort: observed }), local === observed ? 'cone' : 'symmetric')
    }))
  })
})

describe('observerOf', () => {
  const peerId = peerIdFromString(RELAY)
  const conn = (addr: string, direction: 'inbound' | 'outbound' = 'outbound', status: 'open' | 'closing' = 'open'): Parameters<typeof observerOf>[0] =>
    ({ remoteAddr: multiaddr(addr), remotePeer: peerId, direction, status }) as unknown as Parameters<typeof observerOf>[0]

  it('an open outbound TCP connection to a public address is an observer', () => {
    const observer = observerOf(conn(`/ip4/11.0.0.1/tcp/4001/p2p/${RELAY}`))
    assert.deepEqual(observer?.address, { address: '11.0.0.1', port: 4001 })
    assert.ok(observer?.peerId.equals(peerId))
  })

  it('relayed, inbound, closing, private and non-TCP connections are not', () => {
    assert.equal(observerOf(conn(`/ip4/11.0.0.1/tcp/4001/p2p/${RELAY}/p2p-circuit/p2p/${PEER}`)), undefined)
    assert.equal(observerOf(conn('/ip4/11.0.0.1/tcp/4001', 'inbound')), undefined)
    assert.equal(observerOf(conn('/ip4/11.0.0.1/tcp/4001', 'outbound', 'closing')), undefined)
    assert.equal(observerOf(conn('/ip4/192.168.1.1/tcp/4001')), undefined)
    assert.equal(observerOf(conn('/ip4/11.0.0.1/udp/4001/quic-v1')), undefined)
  })
})
