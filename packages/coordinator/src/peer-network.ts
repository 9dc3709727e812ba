/**
 * What a run needs of the network to judge its peers — their connections, a ping, a dial — as an interface over
 * the coordinator's libp2p node, so the departure check does not depend on libp2p itself (tests pass a fake).
 */
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import type { TesseraLibp2p } from '@tessera/peer'

/** The coordinator's view of its connections to peers, by peer id. */
export interface PeerNetwork {
  /** Whether the peer has a connection in any state (a closing one included). */
  isConnected: (peerId: string) => boolean
  /** Whether the peer has an open connection. */
  hasOpenConnection: (peerId: string) => boolean
  /** Pings the peer over a connection (limited ones included); resolves to the round trip, ms. */
  ping: (peerId: string, signal: AbortSignal) => Promise<number>
  /** Dials the peer on `addresses`; `force` opens a new connection even while one is open. */
  dial: (addresses: readonly string[], options: { signal: AbortSignal, force?: boolean }) => Promise<void>
}

/** The network of a libp2p node. */
export function libp2pNetwork (libp2p: TesseraLibp2p): PeerNetwork {
  const connections = (peerId: string): ReturnType<TesseraLibp2p['getConnections']> => libp2p.getConnections(peerIdFromString(peerId))
  return {
    isConnected: (peerId) => connections(peerId).length > 0,
    hasOpenConnection: (peerId) => connections(peerId).some((c) => c.status === 'open'),
    ping: async (peerId, signal) => await libp2p.services.ping.ping(peerIdFromString(peerId), { signal, runOnLimitedConnection: true }),
    dial: async (addresses, options) => {
      await libp2p.dial(addresses.map((a) => multiaddr(a)), { signal: options.signal, force: options.force === true })
    }
  }
}
