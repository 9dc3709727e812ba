/**
 * Releasing a reservation on real libp2p nodes (127.0.0.1): the relay finder's `releaseRelay` component keeps a
 * reservation while a relayed connection runs through it, and once released the node's circuit address is withdrawn.
 */
import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { identify } from '@libp2p/identify'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { heldRelays, relayFinderComponents } from '../src/index.js'
import { waitFor } from './helpers.js'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const LOOPBACK = { allow: ['/ip4/127.0.0.0/ipcidr/8'] }

async function startLibp2p (relayServer: boolean): Promise<Libp2p> {
  return await createLibp2p({
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: LOOPBACK,
    services: relayServer ? { identify: identify(), relay: circuitRelayServer() } : { identify: identify() }
  } as Parameters<typeof createLibp2p>[0])
}

const circuitAddrs = (node: Libp2p): Multiaddr[] => node.getMultiaddrs().filter((ma) => ma.toString().includes('/p2p-circuit'))

describe('RelayFinder releaseRelay on real nodes', () => {
  const nodes: Libp2p[] = []
  after(async () => { await Promise.all(nodes.map(async (n) => { await n.stop() })) })

  it('keeps a reservation a relayed connection runs through, and withdraws the circuit address once released', async () => {
    const relay = await startLibp2p(true)
    const natted = await startLibp2p(false)
    const caller = await startLibp2p(false)
    nodes.push(relay, natted, caller)
    const components = relayFinderComponents(natted, () => undefined, () => Date.now())
    assert.ok(components !== undefined)
    await components.listen([relay.getMultiaddrs()[0].encapsulate('/p2p-circuit')])
    const [circuit] = await waitFor('a circuit address through the relay', () => circuitAddrs(natted).length > 0 ? circuitAddrs(natted) : undefined)
    const relayId = relay.peerId.toString()
    assert.deepEqual([...heldRelays([circuit])], [relayId])

    // A caller reaches the NATed node through the relay: the reservation carries that connection, so it stays.
    await caller.dial(circuit)
    await waitFor('the relayed connection on the NATed node', () => natted.getConnections(caller.peerId).length > 0 ? true : undefined)
    assert.equal(await components.releaseRelay(relayId), false)
    assert.equal(circuitAddrs(natted).length > 0, true, 'still reachable through the relay')

    await caller.hangUp(natted.peerId)
    await waitFor('the relayed connection closed', () => natted.getConnections(caller.peerId).length === 0 ? true : undefined)
    assert.equal(await components.releaseRelay(relayId), true)
    await waitFor('the circuit address withdrawn', () => circuitAddrs(natted).length === 0 ? true : undefined)
  })
})
