/**
 * A stock js-libp2p node with kad-dht on tessera's DHT protocol and nothing of tessera's node around it: no DHT store,
 * its own keys, its own in-memory datastore. What an outsider would run to talk to a tessera node's DHT, so the
 * tests that put records "from outside" do not go through the guards they test.
 */
import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { identify } from '@libp2p/identify'
import { kadDHT, passthroughMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { tcp } from '@libp2p/tcp'
import { multiaddr } from '@multiformats/multiaddr'
import { createLibp2p } from 'libp2p'
import { capacityRecordSelector, createCapacityRecordValidator, DHT_NAMESPACE } from '@tessera/memory'
import { DHT_PROTOCOL } from '../src/index.js'
import type { KadDHT } from '@libp2p/kad-dht'
import type { Libp2p } from '@libp2p/interface'

export type StockDhtClient = Libp2p<{ identify: unknown, ping: unknown, dht: KadDHT }>

/** Starts a DHT client on 127.0.0.1 and dials `target` (a multiaddr with /p2p/…). */
export async function startStockDhtClient (target: string): Promise<StockDhtClient> {
  const client = await createLibp2p({
    privateKey: await generateKeyPair('Ed25519'),
    addresses: { listen: [] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    services: {
      identify: identify(),
      ping: ping(),
      dht: kadDHT({
        protocol: DHT_PROTOCOL,
        clientMode: true,
        peerInfoMapper: passthroughMapper,
        validators: { [DHT_NAMESPACE]: createCapacityRecordValidator() },
        selectors: { [DHT_NAMESPACE]: capacityRecordSelector }
      })
    }
  })
  try {
    await client.dial(multiaddr(target))
  } catch (err) {
    await client.stop()
    throw err
  }
  return client
}

/** How the peers answered one kad-dht put: acknowledgements and errors. */
export interface PutOutcome {
  accepted: number
  rejected: number
}

/** Puts `value` under `key` through the client's kad-dht, counting the peers that stored it and those that refused. */
export async function putThroughDht (client: StockDhtClient, key: Uint8Array, value: Uint8Array, timeoutMs = 20_000): Promise<PutOutcome> {
  const outcome = { accepted: 0, rejected: 0 }
  try {
    for await (const event of client.services.dht.put(key, value, { signal: AbortSignal.timeout(timeoutMs) })) {
      if (event.name === 'PEER_RESPONSE' && event.messageName === 'PUT_VALUE') outcome.accepted++
      if (event.name === 'QUERY_ERROR') outcome.rejected++
    }
  } catch {
    // A put no peer accepted may end in an error of its own; the counts say what the peers did.
  }
  return outcome
}
