import { isPrivate } from '@libp2p/utils'
import type { NetworkMode } from './libp2p.js'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { Reachability } from '@tessera/memory'

/**
 * Infers reachability from the node's verified addresses (`getMultiaddrs()` lists only addresses that AutoNAT or
 * configuration confirmed). libp2p emits no reachability event, so the node re-reads this before each record.
 * On a `local` network, a direct (non-relayed) address counts as public: every peer of that network can dial it.
 * A node reachable only through `/p2p-circuit` addresses is `private`.
 */
export function inferReachability (addrs: Multiaddr[], network: NetworkMode): Reachability {
  let relayed = false
  for (const ma of addrs) {
    const names = ma.getComponents().map((c) => c.name)
    if (names.includes('p2p-circuit')) {
      relayed = true
      continue
    }
    if (network === 'local' || !isPrivate(ma)) {
      return 'public'
    }
  }
  return relayed ? 'private' : 'unknown'
}
