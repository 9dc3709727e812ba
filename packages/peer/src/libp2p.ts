import { noise } from '@chainsafe/libp2p-noise'
import { yamux } from '@chainsafe/libp2p-yamux'
import { autoNATv2 } from '@libp2p/autonat-v2'
import { bootstrap } from '@libp2p/bootstrap'
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2'
import { dcutr } from '@libp2p/dcutr'
import { identify, identifyPush } from '@libp2p/identify'
import { kadDHT, passthroughMapper, removePrivateAddressesMapper } from '@libp2p/kad-dht'
import { ping } from '@libp2p/ping'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import { tcp } from '@libp2p/tcp'
import { createLibp2p } from 'libp2p'
import {
  DEFAULT_RELAY_DATA_LIMIT_BYTES, DEFAULT_RELAY_DURATION_LIMIT_MS, DEFAULT_RELAY_MAX_RESERVATIONS, DHT_DATASTORE_PREFIX,
  DHT_PROTOCOL, DHT_QUERY_ALPHA
} from './constants.js'
import { DhtStore } from './dht-store/index.js'
import { quietComponentLogger } from './quiet-logger.js'
import { connectionLimitsFor } from './connection-limits.js'
import type { ConnectionLimits } from './connection-limits.js'
import { tcpHolePunch } from '@tessera/holepunch'
import type { TcpHolePunch, TcpHolePunchInit } from '@tessera/holepunch'
import type { CircuitRelayService } from '@libp2p/circuit-relay-v2'
import type { Identify } from '@libp2p/identify'
import type { KadDHT, KadDHTComponents, KadDHTInit, SelectFn, ValidateFn } from '@libp2p/kad-dht'
import type { Libp2p, PeerId, PeerInfo, PrivateKey } from '@libp2p/interface'
import type { Ping } from '@libp2p/ping'
import { isPeerId } from '@libp2p/interface'
import type { Datastore } from 'interface-datastore'
import type { Libp2pInit, ServiceFactoryMap } from 'libp2p'

/**
 * Address policy. `local`: every node is on one machine or LAN, so private and loopback addresses are kept in DHT
 * peer records, loopback is allowed past the inbound rate limits and the DHT serves from the start. `public`: the
 * kad-dht default, private addresses are dropped from peer records and the DHT serves only once a public address
 * is verified.
 */
export type NetworkMode = 'local' | 'public'

/** Relay server limits per relayed connection. */
export interface RelayLimits {
  /** Bytes in both directions together (default 1 GiB). */
  dataLimitBytes?: number
  /** Duration (default 30 min). */
  durationLimitMs?: number
  /** Reservations held at once (default 64). */
  maxReservations?: number
}

export interface TesseraLibp2pInit {
  privateKey: PrivateKey
  datastore: Datastore
  listen: string[]
  announce?: string[]
  bootstrap?: string[]
  network: NetworkMode
  /** true: DHT client only; false: DHT server; undefined: server on `local`, automatic on `public`. */
  dhtClientMode?: boolean
  relayServer?: boolean
  relayLimits?: RelayLimits
  /** Replaces single connection limits of the node's role (`connection-limits.ts`). */
  connectionLimits?: Partial<ConnectionLimits>
  dhtValidators: Record<string, ValidateFn>
  dhtSelectors: Record<string, SelectFn>
  /**
   * The datastore kad-dht writes through, bounding what it stores and refusing rollbacks (default: one with the
   * default bounds, whose replacement rule is the selectors' choice). It must be loaded.
   */
  dhtStore?: DhtStore
  /**
   * TCP hole punching (simultaneous open) over relayed connections; `false` turns it off. Stock DCUtR stays
   * configured, but over TCP it cannot punch here (docs/libp2p-v3-pitfalls.md): this service is what makes cone↔cone pairs
   * direct. Default: on for `public`, off for `local` (see {@link natTraversal}).
   */
  holePunch?: TcpHolePunchInit | false
  /** libp2p's metrics implementation (e.g. Prometheus, `prometheus.ts`); none by default. */
  metrics?: Libp2pInit['metrics']
}

// A type alias, not an interface: libp2p's ServiceMap needs an index signature.
export type TesseraServices = {
  identify: Identify
  identifyPush: unknown
  ping: Ping
  dht: KadDHT
  /** AutoNAT v2 and DCUtR: on `public` networks only ({@link natTraversal}). */
  autonat?: unknown
  dcutr?: unknown
  holePunch?: TcpHolePunch
  relay?: CircuitRelayService
}

export type TesseraLibp2p = Libp2p<TesseraServices>

/** Maps peer records for the DHT according to the network mode. */
export function peerInfoMapperFor (network: NetworkMode): (peer: PeerInfo) => PeerInfo {
  return network === 'local' ? passthroughMapper : removePrivateAddressesMapper
}

/**
 * kad-dht's peer mapper for a node: `base` (the network mode's address policy) for the peers it tells requesters
 * about, and for peers it hears of itself only while it is connected to them. kad-dht offers every peer named in an
 * answer to its routing table, which pings a peer before adding it, dialling it when not connected: one Noise
 * handshake and identify per peer heard of, so every node of a 100-node network dialled nearly every other at start
 * (83–99 connections per node). A peer with no address is not offered, so the table takes peers this node talks to:
 * those that answer its queries and those connected to it (kad-dht's topology listener), as go-libp2p's does. The
 * addresses still reach the peer store (libp2p's peer discovery), so lookups dial the peers they query.
 *
 * @param answering - whether the call comes from answering a request (kad-dht maps the closer peers and providers of
 * its answers with the same function)
 */
export function routingPeerInfoMapper (base: (peer: PeerInfo) => PeerInfo, answering: () => boolean, connected: (peer: PeerId) => boolean): (peer: PeerInfo) => PeerInfo {
  return (peer) => {
    if (answering() || connected(peer.id)) return base(peer)
    return { ...peer, multiaddrs: [] }
  }
}

/**
 * The ping kad-dht's routing table uses to check a peer before adding it (and an old one before keeping it over a
 * newcomer): a peer this node has an open connection to answers at once, without a ping stream. Its connection is the
 * proof that it is there (a dead one is closed: by the peer's reset on a local network, by the connection monitor on a
 * public one); the routing table takes only connected peers anyway (routingPeerInfoMapper), so each new connection to
 * a DHT peer cost a ping stream for nothing.
 */
export function connectedPeersAnswer (ping: Ping, connected: (peer: PeerId) => boolean): Ping {
  return new Proxy(ping, {
    get: (target, prop) => {
      if (prop === 'ping') {
        return async (peer: Parameters<Ping['ping']>[0], options?: Parameters<Ping['ping']>[1]): Promise<number> => {
          if (isPeerId(peer) && connected(peer)) return 0
          return await target.ping(peer, options)
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? value.bind(target) : value
    }
  })
}

/**
 * kad-dht with `store` as its datastore, its protocol's streams attributed to their remote peer, so the store knows
 * who sent each write (./dht-store/sender-context.ts), and the routing table fed by {@link routingPeerInfoMapper}.
 */
function dhtService (init: KadDHTInit, network: NetworkMode, store: DhtStore): (components: KadDHTComponents) => KadDHT {
  return (components) => {
    let registrar: KadDHTComponents['registrar'] | undefined
    const connected = (peer: PeerId): boolean => components.connectionManager.getConnections(peer).length > 0
    const peerInfoMapper = routingPeerInfoMapper(peerInfoMapperFor(network), () => store.senders.current() !== undefined, connected)
    const ping = connectedPeersAnswer(components.ping, connected)
    return kadDHT({ ...init, peerInfoMapper })(new Proxy(components, {
      get: (target, prop) => {
        if (prop === 'datastore') return store
        if (prop === 'registrar') return (registrar ??= store.senders.registrarFor(target.registrar, DHT_PROTOCOL))
        if (prop === 'ping') return ping
        return Reflect.get(target, prop)
      }
    }))
  }
}

/**
 * libp2p's connection monitor for a network mode. It pings every connection every 10 s on a new stream and aborts
 * one whose ping is late: on the internet that is how a connection that died silently (a NAT mapping dropped, a
 * host gone) is noticed. Loopback and LAN connections do not die silently (a stopped peer resets them), so on
 * `local` the monitor would only measure round trips nobody reads, at one stream per connection per interval: with
 * dozens of nodes per process a busy event loop made pings late, aborted connections were re-dialled (fresh Noise
 * handshakes) and the load fed itself (measured, hundreds of connections dropped in a 25-node run); with the abort
 * off, a near full mesh of 100 nodes still sent ~80 pings per node per minute at rest. Off on `local`.
 */
export function connectionMonitorFor (network: NetworkMode): NonNullable<Libp2pInit['connectionMonitor']> {
  return network === 'local' ? { enabled: false } : {}
}

/**
 * Whether a node runs NAT traversal: AutoNAT v2 (verifies public addresses), DCUtR and the hole-punch service
 * (upgrade relayed connections to direct ones). On `local` every peer dials every other directly and every address is
 * private or loopback, which AutoNAT and DCUtR skip anyway: there they only cost each new connection a check and
 * identify three more protocols (AutoNAT's address check ran on every connection, ~2 % of a bootstrap host's CPU in
 * the 100-node bench). Hole punching on `local` still runs when `holePunch` is given explicitly.
 */
export function natTraversal (network: NetworkMode, holePunch: TcpHolePunchInit | false | undefined): { autonat: boolean, dcutr: boolean, holePunch: TcpHolePunchInit | false } {
  const local = network === 'local'
  return { autonat: !local, dcutr: !local, holePunch: holePunch ?? (local ? false : {}) }
}

/** Assembles (without starting) the libp2p node of a tessera peer. */
export async function createTesseraLibp2p (init: TesseraLibp2pInit): Promise<TesseraLibp2p> {
  const clientMode = init.dhtClientMode ?? (init.network === 'local' ? false : undefined)
  let dhtStore = init.dhtStore
  if (dhtStore === undefined) {
    dhtStore = new DhtStore({ datastore: init.datastore, self: peerIdFromPrivateKey(init.privateKey), selectors: init.dhtSelectors })
    await dhtStore.load()
  }
  const limits = init.relayLimits ?? {}
  const services: ServiceFactoryMap<TesseraServices> = {
    identify: identify(),
    // On public networks kad-dht registers its protocol only once AutoNAT verifies an address; without a push,
    // peers connected before that never learn this node serves the DHT, routing tables stay empty and no put or
    // provide reaches a server (measured in the NAT lab: 0 acknowledgements in 30 s; with the push, ~3 s).
    identifyPush: identifyPush(),
    ping: ping(),
    dht: dhtService({
      protocol: DHT_PROTOCOL,
      datastorePrefix: DHT_DATASTORE_PREFIX,
      clientMode,
      validators: init.dhtValidators,
      selectors: init.dhtSelectors,
      // kad-dht's default runs 10 disjoint paths of 10 concurrent requests per query; on one machine that floods the
      // event loop (every response also merges its closer peers into the peer store) and the queries time out.
      alpha: DHT_QUERY_ALPHA
    }, init.network, dhtStore)
  }
  const nat = natTraversal(init.network, init.holePunch)
  // AutoNAT v1's dial-back fails on these networks (docs/libp2p-v3-pitfalls.md); v2 verifies public addresses.
  if (nat.autonat) services.autonat = autoNATv2()
  if (nat.dcutr) services.dcutr = dcutr()
  if (nat.holePunch !== false) services.holePunch = tcpHolePunch(nat.holePunch)
  if (init.relayServer === true) {
    services.relay = circuitRelayServer({
      reservations: {
        maxReservations: limits.maxReservations ?? DEFAULT_RELAY_MAX_RESERVATIONS,
        defaultDataLimit: BigInt(limits.dataLimitBytes ?? DEFAULT_RELAY_DATA_LIMIT_BYTES),
        defaultDurationLimit: limits.durationLimitMs ?? DEFAULT_RELAY_DURATION_LIMIT_MS
      }
    })
  }
  const bootstrapList = init.bootstrap ?? []
  const node = await createLibp2p({
    start: false,
    privateKey: init.privateKey,
    datastore: init.datastore,
    addresses: { listen: init.listen, announce: init.announce ?? [] },
    transports: [tcp(), circuitRelayTransport()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    connectionManager: connectionLimitsFor(init.network, init.relayServer === true, init.connectionLimits),
    connectionMonitor: connectionMonitorFor(init.network),
    logger: quietComponentLogger(),
    peerDiscovery: bootstrapList.length > 0 ? [bootstrap({ list: bootstrapList })] : [],
    ...(init.metrics !== undefined ? { metrics: init.metrics } : {}),
    services
  })
  return node
}
