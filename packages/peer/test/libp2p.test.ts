import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { DHT_PROTOCOL, createTesseraNode } from '../src/index.js'
import { connectedPeersAnswer, connectionMonitorFor, natTraversal, routingPeerInfoMapper } from '../src/libp2p.js'
import { passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { PeerId } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import type { TesseraNode } from '../src/index.js'
import { FAST, stopAll, waitFor } from './helpers.js'

describe('createTesseraLibp2p', () => {
  const nodes: TesseraNode[] = []
  after(async () => { await stopAll(nodes) })

  it('tells connected peers when it starts serving the DHT, so they can route to it', async () => {
    // On the internet a DHT switches from client to server once AutoNAT verifies its address, seconds after its
    // first connections. Here b starts as a client and switches by hand (an explicit mode, so kad-dht's automatic
    // mode does not switch it back for want of a public address on loopback).
    const a = await createTesseraNode(FAST)
    nodes.push(a)
    const b = await createTesseraNode({ ...FAST, dhtClientMode: true, bootstrap: [a.getMultiaddrs()[0].toString()] })
    nodes.push(b)
    const protocolsOfB = async (): Promise<string[]> => {
      try {
        return (await a.libp2p.peerStore.get(b.peerId)).protocols
      } catch {
        return []
      }
    }
    await waitFor('a to identify b', async () => (await protocolsOfB()).includes('/tessera/shard/1.0.0') ? true : undefined)
    assert.ok(!(await protocolsOfB()).includes(DHT_PROTOCOL), 'b does not serve the DHT before it switches')
    await b.libp2p.services.dht.setMode('server')
    assert.ok(b.libp2p.getProtocols().includes(DHT_PROTOCOL))
    // kad-dht adds a peer to its routing table when identify reports the DHT protocol; without identify-push that
    // happens only on a new connection, which never comes.
    const routingTable = (a.libp2p.services.dht as unknown as { routingTable: { find: (peer: unknown) => Promise<unknown> } }).routingTable
    await waitFor('b in a\'s routing table', async () => (await routingTable.find(b.peerId)) != null ? true : undefined, 10_000)
  })
})

describe('connectionMonitorFor', () => {
  it('turns libp2p\'s connection monitor off on a local network and leaves it on, with its defaults, on a public one', () => {
    assert.deepEqual(connectionMonitorFor('local'), { enabled: false })
    assert.notEqual(connectionMonitorFor('public').enabled, false)
    assert.equal(connectionMonitorFor('public').abortConnectionOnPingFailure, undefined, 'a late ping still aborts a public connection')
  })
})

describe('natTraversal', () => {
  const nodes: TesseraNode[] = []
  after(async () => { await stopAll(nodes) })

  it('runs AutoNAT, DCUtR and hole punching on a public network only, hole punching on a local one when asked for', () => {
    assert.deepEqual(natTraversal('public', undefined), { autonat: true, dcutr: true, holePunch: {} })
    assert.deepEqual(natTraversal('local', undefined), { autonat: false, dcutr: false, holePunch: false })
    assert.deepEqual(natTraversal('local', { messageTimeoutMs: 1_000 }), { autonat: false, dcutr: false, holePunch: { messageTimeoutMs: 1_000 } })
    assert.equal(natTraversal('public', false).holePunch, false)
  })

  it('leaves a local node without the NAT traversal protocols, so identify does not announce them', async () => {
    const node = await createTesseraNode({ ...FAST, serve: false, dhtClientMode: false })
    nodes.push(node)
    const protocols = node.libp2p.getProtocols()
    assert.ok(protocols.includes(DHT_PROTOCOL))
    assert.deepEqual(protocols.filter((p) => /autonat|dcutr|holepunch/.test(p)), [])
  })
})

describe('routingPeerInfoMapper', () => {
  it('keeps the addresses of peers a node answers with and of peers it is connected to, and none of a peer it only heard of', async () => {
    const connectedPeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const heardOf = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const addrs = [multiaddr('/ip4/127.0.0.1/tcp/4001'), multiaddr('/ip4/93.184.216.34/tcp/4001')]
    let answering = false
    const connected = (peer: PeerId): boolean => peer.equals(connectedPeer)
    const local = routingPeerInfoMapper(passthroughMapper, () => answering, connected)
    assert.deepEqual(local({ id: heardOf, multiaddrs: addrs }).multiaddrs, [], 'not offered to the routing table')
    assert.deepEqual(local({ id: connectedPeer, multiaddrs: addrs }).multiaddrs, addrs)
    answering = true
    assert.deepEqual(local({ id: heardOf, multiaddrs: addrs }).multiaddrs, addrs, 'an answer names it with its addresses')
    // The network mode's policy still applies: a public node drops private addresses, answering or not.
    const pub = routingPeerInfoMapper(removePrivateAddressesMapper, () => answering, connected)
    assert.deepEqual(pub({ id: heardOf, multiaddrs: addrs }).multiaddrs.map(String), ['/ip4/93.184.216.34/tcp/4001'])
    answering = false
    assert.deepEqual(pub({ id: connectedPeer, multiaddrs: addrs }).multiaddrs.map(String), ['/ip4/93.184.216.34/tcp/4001'])
  })
})

describe('connectedPeersAnswer', () => {
  it('answers for a connected peer at once and pings any other peer or address', async () => {
    const connectedPeer = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const pinged: string[] = []
    const ping = { ping: async (peer: unknown) => { pinged.push(String(peer)); return 7 } } as unknown as Ping
    const answering = connectedPeersAnswer(ping, (peer) => peer.equals(connectedPeer))
    assert.equal(await answering.ping(connectedPeer), 0)
    assert.equal(await answering.ping(other), 7)
    const addr = multiaddr('/ip4/127.0.0.1/tcp/4001')
    assert.equal(await answering.ping(addr), 7)
    assert.deepEqual(pinged, [other.toString(), addr.toString()])
  })
})
