/** Who plays which part in a punch: both sides must reach the same answer without talking. */
import { HolePunchError } from './errors.js'
import type { PeerId } from '@libp2p/interface'

/** Upgrade role of the punched socket. */
export type PunchRole = 'outbound' | 'inbound'

function compareBytes (a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.byteLength, b.byteLength)
  for (let i = 0; i < n; i++) {
    if (a[i] !== b[i]) return a[i] - b[i]
  }
  return a.byteLength - b.byteLength
}

/**
 * The side whose peer id (multihash bytes) sorts lower upgrades the punched socket as `outbound` (Noise initiator,
 * multistream-select dialer, yamux client); the other as `inbound`. A simultaneous open has no dialer, and two
 * initiators (or two yamux clients) fail the upgrade, so the roles come from something both sides know.
 */
export function electRole (self: PeerId, remote: PeerId): PunchRole {
  const order = compareBytes(self.toMultihash().bytes, remote.toMultihash().bytes)
  if (order === 0) throw new HolePunchError('cannot elect roles between a peer and itself')
  return order < 0 ? 'outbound' : 'inbound'
}
