/** Libp2p nodes on 127.0.0.1 with seeded identities for the hole-punch tests. */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import { createHash } from 'node:crypto'
import { tcpHolePunch } from '../src/index.js'
import type { TcpHolePunch, TcpHolePunchInit } from '../src/index.js'
import type { Libp2p, PeerId, PrivateKey } from '@libp2p/interface'

/** An Ed25519 key derived from a seed string: the same string always gives the same peer id. */
export async function seededKey (seed: string): Promise<PrivateKey> {
  return await generateKeyPairFromSeed('Ed25519', createHash('sha256').update(`tessera-holepunch-test/${seed}`).digest())
}

export async function seededPeerId (seed: string): Promise<PeerId> {
  return peerIdFromPrivateKey(await seededKey(seed))
}

export type PunchNode = Libp2p<{ identify: unknown, holePunch: TcpHolePunch }>
export type RelayNode = Libp2p<{ identify: unknown, relay: unknown }>

/** A relay on 127.0.0.1 with limits raised as tessera relays raise them. */
export async function startRelay (seed: string): Promise<RelayNode> {
  return await createLibp2p({
    privateKey: await seededKey(seed),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0'] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    services: {
      identify: identify(),
      relay: circuitRelayServer({ reservations: { defaultDataLimit: BigInt(1 << 26), defaultDurationLimit: 600_000 } })
    }
  }) as unknown as RelayNode
}

/** A node with the hole-punch service, listening on 127.0.0.1 and, when a relay is given, through it. */
export async function startPunchNode (seed: string, init: TcpHolePunchInit = {}, relay?: string): Promise<PunchNode> {
  return await createLibp2p({
    privateKey: await seededKey(seed),
    addresses: { listen: ['/ip4/127.0.0.1/tcp/0', ...(relay === undefined ? [] : [`${relay}/p2p-circuit`])] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: { allow: ['/ip4/127.0.0.0/ipcidr/8'] },
    services: { identify: identify(), holePunch: tcpHolePunch(init) }
  }) as unknown as PunchNode
}

export async function stopAll (nodes: Array<Pick<Libp2p, 'stop'> | undefined>): Promise<void> {
  await Promise.allSettled(nodes.map(async (n) => { await n?.stop() }))
}

/** Polls until `check` returns a value, or throws after `timeoutMs`. */
export async function waitFor<T> (what: string, check: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = check()
    if (value !== undefined) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}
