/**
 * @packageDocumentation
 * A TCP hole-punch service for js-libp2p v3. When two peers behind endpoint-independent ("cone") NATs hold a
 * relayed connection, each learns its NAT mapping of a fresh local port from a public observer (by default the
 * relay, through identify's `observedAddr`), they swap those addresses and a start signal over
 * `/tessera/holepunch/1.0.0` on the relayed connection, and both `connect()` at once from that port (a TCP
 * simultaneous open). The punched socket is upgraded by libp2p's upgrader — the peer with the lower id as the
 * outbound side — into an ordinary direct connection. Symmetric NATs fail with {@link UnpredictableMappingError}
 * and the relayed connection stays.
 *
 * @example
 * ```ts
 * import { tcpHolePunch } from '@tessera/holepunch'
 *
 * const node = await createLibp2p({
 *   transports: [tcp(), circuitRelayTransport()],
 *   connectionEncrypters: [noise()],
 *   streamMuxers: [yamux()],
 *   services: { identify: identify(), holePunch: tcpHolePunch({ attempts: 2 }) }
 * })
 * node.services.holePunch.addEventListener('hole-punch:failure', (evt) => {
 *   console.log(evt.detail.error.code) // e.g. ERR_UNPREDICTABLE_MAPPING
 * })
 * ```
 */
export { tcpHolePunch, TcpHolePunchService } from './holepunch-service.js'
export type {
  HolePunchFailure, HolePunchSuccess, TcpHolePunch, TcpHolePunchComponents, TcpHolePunchEvents, TcpHolePunchInit
} from './holepunch-service.js'
export { formatCandidate, parseCandidate } from './candidates.js'
export type { Candidate } from './candidates.js'
export { decodeMessage, encodeMessage } from './messages.js'
export type { ConnectMessage, HolePunchMessage, RejectMessage, RejectReason, SyncMessage } from './messages.js'
export { observeMapping } from './observe.js'
export type { Observer } from './observe.js'
export { electRole } from './roles.js'
export type { PunchRole } from './roles.js'
export { socketToMultiaddrConnection } from './socket-connection.js'
export type { SocketConnectionInit } from './socket-connection.js'
export { isRelayedAddress, relayHop } from './relay-address.js'
export type { RelayHop } from './relay-address.js'
export * from './constants.js'
export * from './errors.js'
export { isLibp2pError } from './libp2p-errors.js'
export type { Libp2pErrorClass } from './libp2p-errors.js'
