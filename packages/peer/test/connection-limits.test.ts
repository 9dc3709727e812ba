import assert from 'node:assert/strict'
import { after, describe, it } from 'node:test'
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { createTesseraNode } from '../src/index.js'
import { stopAll, waitFor } from './helpers.js'
import type { ConnectionLimits, TesseraNode } from '../src/index.js'
import type { Libp2p } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** Bare libp2p nodes, each with a key of its own: distinct PeerIds from one address, as a flood would come. */
async function strangers (n: number): Promise<Libp2p[]> {
  return await Promise.all(Array.from({ length: n }, async () => await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'), transports: [tcp()], connectionEncrypters: [noise()], streamMuxers: [yamux()]
  })))
}

async function dials (node: Libp2p, addr: Multiaddr): Promise<boolean> {
  return await node.dial(addr, { signal: AbortSignal.timeout(10_000) }).then(() => true, () => false)
}

/** A node on 127.0.0.1 with the public per-address limits (an empty allow-list) and these limits. */
async function limitedNode (limits: Partial<ConnectionLimits>): Promise<TesseraNode> {
  return await createTesseraNode({ network: 'local', serve: false, connectionLimits: { ...limits, allow: [] } })
}

describe('connection limits applied to loopback peers (an empty allow-list)', () => {
  const nodes: TesseraNode[] = []
  const bare: Libp2p[] = []
  after(async () => {
    await Promise.all(bare.map(async (n) => { await n.stop() }))
    await stopAll(nodes)
  })

  it('admits exactly maxConnections distinct PeerIds and refuses the rest', async () => {
    const MAX = 4
    const node = await limitedNode({ maxConnections: MAX, inboundConnectionThreshold: 1000 })
    const peers = await strangers(MAX + 3)
    nodes.push(node)
    bare.push(...peers)
    const addr = node.getMultiaddrs()[0]
    const admitted: boolean[] = []
    for (const peer of peers) {
      admitted.push(await dials(peer, addr))
      // The next dial must meet the count with this connection in it (it is added once its upgrade ends).
      const expected = admitted.filter(Boolean).length
      await waitFor(`${expected} connections at the node`, () => node.libp2p.getConnections().length === expected ? true : undefined, 10_000)
    }
    assert.deepEqual(admitted, [...Array<boolean>(MAX).fill(true), ...Array<boolean>(3).fill(false)])
    assert.equal(node.libp2p.getConnections().length, MAX)
  })

  it('admits at most inboundConnectionThreshold connections per second from one address', async () => {
    const THRESHOLD = 3
    const node = await limitedNode({ maxConnections: 100, inboundConnectionThreshold: THRESHOLD })
    const peers = await strangers(12)
    nodes.push(node)
    bare.push(...peers)
    const addr = node.getMultiaddrs()[0]
    const startMs = performance.now()
    const admitted = (await Promise.all(peers.map(async (p) => await dials(p, addr)))).filter(Boolean).length
    const elapsedMs = performance.now() - startMs
    // libp2p's limiter counts in fixed one-second windows from the first attempt: one window per second begun.
    const bound = THRESHOLD * (Math.floor(elapsedMs / 1000) + 1)
    assert.ok(admitted >= 1 && admitted <= bound, `${admitted} of 12 admitted in ${elapsedMs.toFixed(0)} ms, at most ${bound}`)
    assert.ok(admitted < peers.length, 'no dial was refused')
    assert.equal(node.libp2p.getConnections().length, admitted)
  })

  it('without the override, a local node lets the same loopback flood past both limits', async () => {
    const node = await createTesseraNode({ network: 'local', serve: false, connectionLimits: { maxConnections: 8, inboundConnectionThreshold: 1 } })
    const peers = await strangers(10)
    nodes.push(node)
    bare.push(...peers)
    const addr = node.getMultiaddrs()[0]
    const admitted = (await Promise.all(peers.map(async (p) => await dials(p, addr)))).filter(Boolean).length
    assert.equal(admitted, 10)
  })
})
