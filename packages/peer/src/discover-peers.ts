/**
 * `node.discoverPeers()`: the capacity records of the peers in the network, for `tessera peers` and the dashboard.
 * One walk of the capability bucket tree (discovery-walk.ts), as a coordinator's discovery does, with records read from
 * their providers first (direct-record-read.ts): it descends only into buckets whose answer is full and stops reading
 * once it holds `limit` records, so a call costs a few bucket lookups and at most `limit` reads however large the
 * network — where reading every provider of every bucket cost a DHT lookup per peer. Below `limit` peers (default
 * DEFAULT_DISCOVER_PEERS_LIMIT) the list is complete: every peer listed in a bucket is read.
 */
import { createRng } from '@tessera/crossbar'
import { DEFAULT_DHT_TIMEOUT_MS } from './constants.js'
import { dhtDiscoverySource } from './discovery-source.js'
import { DiscoveryWalk, candidateFilter } from './discovery-walk.js'
import type { DirectRecordRead } from './direct-record-read.js'
import type { DiscoverOptions, DiscoveredPeer } from './discovery.js'
import type { DiscoveryDht } from './discovery-source.js'
import type { PeerId } from '@libp2p/interface'
import type { CapacityRecordValidator } from '@tessera/memory'

/** Records `discoverPeers` returns at most (and reads at most, besides those it skips). */
export const DEFAULT_DISCOVER_PEERS_LIMIT = 256

/** Discovery by one bucket-tree walk; see the module comment. */
export async function discoverPeersByWalk (dht: DiscoveryDht, validator: CapacityRecordValidator, self: PeerId, direct: DirectRecordRead | undefined, options: DiscoverOptions = {}): Promise<DiscoveredPeer[]> {
  const timeout = AbortSignal.timeout(options.timeoutMs ?? DEFAULT_DHT_TIMEOUT_MS)
  const signal = options.signal == null ? timeout : AbortSignal.any([timeout, options.signal])
  const source = dhtDiscoverySource(dht, validator, direct)
  const skip = options.skip
  const walk = new DiscoveryWalk({
    source: {
      providers: source.providers,
      // A peer the caller already holds is neither read nor returned (it does not count towards the limit).
      read: async (peerId, readSignal) => skip?.has(peerId) === true ? undefined : await source.read(peerId, readSignal)
    },
    wanted: options.limit ?? DEFAULT_DISCOVER_PEERS_LIMIT,
    // Every valid record counts: a serving node publishes one, a client-only node none.
    filter: candidateFilter({ minTilesTotal: 0 }),
    rng: createRng(`discover-peers/${self.toString()}`),
    self: options.includeSelf === true ? '' : self.toString(),
    rewalk: false
  })
  await walk.round(Date.now(), signal)
  return walk.candidates()
}
