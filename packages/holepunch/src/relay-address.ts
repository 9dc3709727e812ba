/** Reading a relayed connection's address: is it relayed, and which relay (and where) does it go through. */
import { peerIdFromString } from '@libp2p/peer-id'
import type { Candidate } from './candidates.js'
import type { PeerId } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

/** True when the address goes through a circuit relay (`…/p2p-circuit/…`). */
export function isRelayedAddress (addr: Multiaddr): boolean {
  return addr.getComponents().some((c) => c.name === 'p2p-circuit')
}

/** The relay hop of a relayed address: the relay's peer id and, when the address names it, its IPv4 TCP endpoint. */
export interface RelayHop {
  peerId: PeerId
  address?: Candidate
}

/**
 * Parses the part before `/p2p-circuit`: `/ip4/A/tcp/P/p2p/RELAY` gives both the relay and where it listens;
 * `/p2p/RELAY` alone gives the relay only. Undefined when the address is not relayed or names no relay.
 */
export function relayHop (addr: Multiaddr): RelayHop | undefined {
  const components = addr.getComponents()
  const circuit = components.findIndex((c) => c.name === 'p2p-circuit')
  if (circuit <= 0) return undefined
  const before = components.slice(0, circuit)
  const p2p = before.at(-1)
  if (p2p?.name !== 'p2p' || p2p.value === undefined) return undefined
  let peerId: PeerId
  try {
    peerId = peerIdFromString(p2p.value)
  } catch {
    // A `/p2p/` value that is no peer id names no relay: the documented undefined, not a failure.
    return undefined
  }
  const [ip, tcp] = before
  if (before.length === 3 && ip.name === 'ip4' && tcp.name === 'tcp' && ip.value !== undefined && tcp.value !== undefined) {
    return { peerId, address: { address: ip.value, port: Number(tcp.value) } }
  }
  return { peerId }
}
