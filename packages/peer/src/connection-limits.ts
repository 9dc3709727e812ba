/**
 * Connection limits of a tessera node, for libp2p's connection manager and upgrader (docs/security.md). libp2p's
 * defaults (300 connections, 10 pending inbound, 5 inbound connections per host per second, 10 s upgrade) are
 * made for a general node; a volunteer serves a few coordinators and its DHT neighbours, and a relay carries
 * many relayed connections. On `local` the loopback allow-list lets the many nodes of one machine past the
 * per-address limits, as before; everything per peer (quotas, stream and frame timeouts) still applies there. An
 * empty `allow` override applies the public limits on loopback too (the hostile-client suite runs its node so).
 */
import { LOOPBACK_ALLOW_LIST } from './constants.js'
import type { NetworkMode } from './libp2p.js'

export interface ConnectionLimits {
  /** Open connections; past it libp2p refuses inbound ones and prunes the least valuable. */
  maxConnections: number
  /** Inbound connections still in their Noise/yamux upgrade at once. */
  maxIncomingPendingConnections: number
  /** Inbound connections one IP address may open per second. */
  inboundConnectionThreshold: number
  /** Longest Noise handshake and muxer negotiation of an inbound connection (slow handshakes are dropped), ms. */
  inboundUpgradeTimeoutMs: number
  /** Longest protocol negotiation of an inbound stream (a stream that never names its protocol is reset), ms. */
  inboundStreamProtocolNegotiationTimeoutMs: number
  /**
   * Addresses (multiaddr prefixes such as `/ip4/127.0.0.0/ipcidr/8`) exempt from the pending, rate and
   * `maxConnections` checks: LOOPBACK_ALLOW_LIST on `local`, none on `public`.
   */
  allow?: string[]
}

/** A volunteer node on the public network. */
export const VOLUNTEER_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxConnections: 128,
  maxIncomingPendingConnections: 16,
  inboundConnectionThreshold: 5,
  inboundUpgradeTimeoutMs: 5_000,
  inboundStreamProtocolNegotiationTimeoutMs: 5_000
})

/**
 * A relay server: every relayed connection is two connections at the relay, and it holds up to
 * DEFAULT_RELAY_MAX_RESERVATIONS (64) reservations, so it needs room for several hundred.
 */
export const RELAY_CONNECTION_LIMITS: Readonly<ConnectionLimits> = Object.freeze({
  maxConnections: 512,
  maxIncomingPendingConnections: 64,
  inboundConnectionThreshold: 10,
  inboundUpgradeTimeoutMs: 10_000,
  inboundStreamProtocolNegotiationTimeoutMs: 5_000
})

/** libp2p's `connectionManager` options for a node's role and network (overrides replace single limits). */
export function connectionLimitsFor (network: NetworkMode, relayServer: boolean, overrides: Partial<ConnectionLimits> = {}): {
  maxConnections: number
  maxIncomingPendingConnections: number
  inboundConnectionThreshold: number
  inboundUpgradeTimeout: number
  inboundStreamProtocolNegotiationTimeout: number
  allow?: string[]
} {
  const limits = { ...(relayServer ? RELAY_CONNECTION_LIMITS : VOLUNTEER_CONNECTION_LIMITS), ...overrides }
  const allow = limits.allow ?? (network === 'local' ? LOOPBACK_ALLOW_LIST : [])
  return {
    maxConnections: limits.maxConnections,
    maxIncomingPendingConnections: limits.maxIncomingPendingConnections,
    inboundConnectionThreshold: limits.inboundConnectionThreshold,
    inboundUpgradeTimeout: limits.inboundUpgradeTimeoutMs,
    inboundStreamProtocolNegotiationTimeout: limits.inboundStreamProtocolNegotiationTimeoutMs,
    ...(allow.length > 0 ? { allow } : {})
  }
}
