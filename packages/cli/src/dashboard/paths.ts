/**
 * The path a node's connections to a peer give: direct, hole-punched (a direct connection that tessera's TCP hole
 * punch opened) or relayed through a named relay; a direct connection wins over a relayed one, as libp2p's
 * connection manager prefers it.
 */
import { isRelayedAddress, relayHop } from '@tessera/holepunch'
import type { Connection } from '@libp2p/interface'
import type { DashboardPath } from './types.js'

/** The path over `connections` (only open ones count); `punched` holds the ids of hole-punched connections. */
export function pathOf (connections: ReadonlyArray<Pick<Connection, 'id' | 'remoteAddr' | 'status'>>, punched: ReadonlySet<string>): DashboardPath {
  const open = connections.filter((c) => c.status === 'open')
  if (open.length === 0) return { kind: 'none' }
  const direct = open.find((c) => !isRelayedAddress(c.remoteAddr))
  if (direct !== undefined) return { kind: punched.has(direct.id) ? 'hole-punched' : 'direct' }
  const relay = relayHop(open[0].remoteAddr)?.peerId.toString()
  return relay === undefined ? { kind: 'relayed' } : { kind: 'relayed', relay }
}
