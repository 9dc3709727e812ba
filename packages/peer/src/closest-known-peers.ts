/**
 * The DHT peers this node knows of that are closest to a key, by kad-dht's distance: the XOR of the SHA-256 of the key
 * and of the peer id's multihash (kad-dht's "kad ids"). No network: the peer store holds every peer the node has talked
 * to and every peer named in a DHT answer. The capacity publisher compares them with the peers that hold its record and
 * provider entries to tell whether the network around a key has changed since it published there.
 */
import { createHash } from 'node:crypto'
import type { PeerId, PeerStore } from '@libp2p/interface'

/** kad-dht's position of a key or peer in the key space. */
export function kadId (bytes: Uint8Array): Uint8Array {
  return createHash('sha256').update(bytes).digest()
}

/** Compares the XOR distances of `a` and `b` to `target` (kad ids of equal length). */
function compareDistance (a: Uint8Array, b: Uint8Array, target: Uint8Array): number {
  for (let i = 0; i < target.length; i++) {
    const d = (a[i] ^ target[i]) - (b[i] ^ target[i])
    if (d !== 0) return d
  }
  return 0
}

/** Peer ids (strings) of at most `count` known DHT peers closest to `key` (kad-dht key bytes), nearest first. */
export type ClosestKnownPeers = (key: Uint8Array, count: number) => Promise<string[]>

/** The DHT peers this node knows of (peer id strings), itself excluded. */
export type KnownDhtPeers = () => Promise<PeerId[]>

/**
 * Known DHT peers from the peer store. A peer counts unless identify showed it does not serve `protocol` (a DHT
 * client such as a coordinator): peers known only from DHT answers were servers to whoever named them.
 */
export function knownDhtPeers (peerStore: Pick<PeerStore, 'all'>, self: PeerId, protocol: string): KnownDhtPeers {
  return async () => {
    const peers = await peerStore.all({
      filters: [(peer) => !peer.id.equals(self) && (peer.protocols.length === 0 || peer.protocols.includes(protocol))]
    })
    return peers.map((peer) => peer.id)
  }
}

/** Closest known peers, from {@link knownDhtPeers}. */
export function closestKnownPeers (known: KnownDhtPeers): ClosestKnownPeers {
  return async (key, count) => {
    const target = kadId(key)
    return (await known())
      .map((id) => ({ id: id.toString(), kad: kadId(id.toMultihash().bytes) }))
      .sort((a, b) => compareDistance(a.kad, b.kad, target))
      .slice(0, count)
      .map((peer) => peer.id)
  }
}
