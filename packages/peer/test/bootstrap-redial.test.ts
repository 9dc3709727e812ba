import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { MemoryDatastore } from 'datastore-core'
import { createTesseraLibp2p, startBootstrapRedial } from '../src/index.js'
import { waitFor } from './helpers.js'
import type { TesseraLibp2p } from '../src/index.js'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

async function bare (listen: string[], privateKey?: Awaited<ReturnType<typeof generateKeyPair>>): Promise<TesseraLibp2p> {
  const node = await createTesseraLibp2p({
    privateKey: privateKey ?? await generateKeyPair('Ed25519'),
    datastore: new MemoryDatastore(),
    listen,
    network: 'local',
    dhtValidators: {},
    dhtSelectors: {}
  })
  await node.start()
  return node
}

describe('startBootstrapRedial', () => {
  it('dials the bootstrap peer again after it comes back, while the node has no connection', async () => {
    const key = await generateKeyPair('Ed25519')
    let seed = await bare(['/ip4/127.0.0.1/tcp/0'], key)
    const addr = seed.getMultiaddrs()[0]
    const node = await bare([])
    const redial = startBootstrapRedial(node, [addr.toString()], { intervalMs: 100, dialTimeoutMs: 2_000 })
    try {
      await waitFor('the first connection', () => node.getConnections().length > 0 ? true : undefined)
      await seed.stop()
      await waitFor('the connection to drop', () => node.getConnections().length === 0 ? true : undefined)
      // The bootstrap peer returns at the same address with the same identity.
      seed = await bare([addr.decapsulate('/p2p').toString()], key)
      await waitFor('the re-dial', () => node.getConnections().some((c) => c.remotePeer.equals(seed.peerId)) ? true : undefined)
    } finally {
      redial.stop()
      await node.stop()
      await seed.stop()
    }
  })

  it('dials every target but its own address at each check while unconnected, and nothing without targets', async (t) => {
    t.mock.timers.enable({ apis: ['setTimeout'] })
    const self = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const other = peerIdFromPrivateKey(await generateKeyPair('Ed25519'))
    const selfAddr = `/ip4/127.0.0.1/tcp/4001/p2p/${self.toString()}`
    const otherAddr = `/ip4/127.0.0.1/tcp/4002/p2p/${other.toString()}`
    const dialled: string[] = []
    let connections = 0
    // Only what the re-dial reads: its id, whether it is connected, and dial (refused, like a peer not up yet).
    const node = {
      peerId: self,
      getConnections: () => new Array(connections),
      dial: async (ma: Multiaddr) => {
        dialled.push(ma.toString())
        throw new Error('connection refused')
      }
    } as unknown as Libp2p
    // Each check finishes over a few turns of the event loop between clock steps.
    const settle = async (): Promise<void> => {
      for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve))
    }
    const alone = startBootstrapRedial(node, [selfAddr], { intervalMs: 100 })
    const redial = startBootstrapRedial(node, [selfAddr, otherAddr], { intervalMs: 100 })
    try {
      await settle()
      // The first check runs at once; a list of only its own address never dials (or every step below would show it).
      assert.deepEqual(dialled, [otherAddr])
      t.mock.timers.tick(99)
      await settle()
      assert.deepEqual(dialled, [otherAddr], 'nothing before the interval')
      t.mock.timers.tick(1)
      await settle()
      assert.deepEqual(dialled, [otherAddr, otherAddr], 'the next check dials again')
      connections = 1
      t.mock.timers.tick(100)
      await settle()
      assert.deepEqual(dialled, [otherAddr, otherAddr], 'no dial while connected')
      connections = 0
      redial.stop()
      t.mock.timers.tick(1_000)
      await settle()
      assert.deepEqual(dialled, [otherAddr, otherAddr], 'no dial after stop')
    } finally {
      alone.stop()
      redial.stop()
    }
  })
})
