import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { MemoryDatastore } from 'datastore-core'
import { createTesseraLibp2p, startBootstrapRedial } from '../src/index.js'
import { waitFor } from './helpers.js'
import type { TesseraLibp2p } from '../src/index.js'

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

  it('skips its own address and does nothing without targets', async () => {
    const node = await bare(['/ip4/127.0.0.1/tcp/0'])
    try {
      const redial = startBootstrapRedial(node, [node.getMultiaddrs()[0].toString()], { intervalMs: 20 })
      await new Promise((resolve) => setTimeout(resolve, 100))
      redial.stop()
      assert.equal(node.getConnections().length, 0)
    } finally {
      await node.stop()
    }
  })
})
