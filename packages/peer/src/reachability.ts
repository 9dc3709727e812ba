import { networkInterfaces } from 'node:os'
import { isPrivate } from '@libp2p/utils'
import { observeMapping } from '@tessera/holepunch'
import type { Observer } from '@tessera/holepunch'
import type { NetworkMode } from './libp2p.js'
import type { ComponentLogger, Connection, Libp2p, Libp2pEvents, TypedEventTarget, Upgrader } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'
import type { NatKind, Reachability } from '@tessera/memory'

/** Default bound of one NAT observation (connect, upgrade, identify) towards a public peer. */
export const NAT_OBSERVE_TIMEOUT_MS = 10_000

/** Default number of observations tried (each towards the next public peer available) before giving up. */
export const NAT_OBSERVE_ATTEMPTS = 3

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

/** One observation of our NAT mapping: the local port a connection left from and the port a public peer saw. */
export interface MappingObservation {
  localPort: number
  observedPort: number
  /** The address the peer saw. */
  observedAddress?: string
  /** This host's own IPv4 addresses when the observation was made: the peer seeing one of them means no NAT. */
  localAddresses?: string[]
}

/**
 * The NAT kind a capacity record advertises. A verified public node has no NAT (`none`), nor has one that a public
 * peer sees at one of its own interface addresses (before AutoNAT has verified it). Otherwise one observed
 * mapping decides: a NAT that kept the local port maps endpoint-independently in practice (Linux `masquerade
 * persistent`, most home routers) and is called `cone`; one that rewrote it is assumed `symmetric`, the case where a
 * hole punch cannot predict the port. Without an observation the kind is `unknown`.
 */
export function classifyNat (reachability: Reachability, observation: MappingObservation | undefined): NatKind {
  if (reachability === 'public') return 'none'
  if (observation === undefined) return 'unknown'
  if (observation.observedAddress !== undefined && observation.localAddresses?.includes(observation.observedAddress) === true) return 'none'
  return observation.localPort === observation.observedPort ? 'cone' : 'symmetric'
}

/** The observer a connection offers: a direct outbound TCP connection to a public IPv4 address. */
export function observerOf (connection: Pick<Connection, 'remoteAddr' | 'remotePeer' | 'direction' | 'status'>): Observer | undefined {
  if (connection.direction !== 'outbound' || connection.status !== 'open') return undefined
  const components = connection.remoteAddr.getComponents()
  if (components.some((c) => c.name === 'p2p-circuit')) return undefined
  const [ip, tcp] = components
  if (ip?.name !== 'ip4' || tcp?.name !== 'tcp' || ip.value === undefined || tcp.value === undefined) return undefined
  if (isPrivate(connection.remoteAddr)) return undefined
  return { peerId: connection.remotePeer, address: { address: ip.value, port: Number(tcp.value) } }
}

export interface NatClassifierInit {
  /** Default {@link NAT_OBSERVE_TIMEOUT_MS}. */
  observeTimeoutMs?: number
  /** Default {@link NAT_OBSERVE_ATTEMPTS}. */
  attempts?: number
}

/** What the classifier needs from libp2p: its upgrader (to upgrade the observation socket) and event bus. */
export interface NatClassifierComponents {
  upgrader: Upgrader
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
}

/**
 * Learns the node's NAT behaviour once it has a direct connection to a public peer (its relay or bootstrap peer):
 * it connects to that peer again from a port it bound itself and compares that port with the one the peer reports
 * in identify (`observedAddr`). libp2p's own connections cannot be used for this: their local port is not exposed,
 * and identify drops TCP observed addresses (js-libp2p#2620), so AutoNAT never learns a NATed TCP node's mapping.
 * This is the same observation the hole-punch service makes before a punch. Dispatches `nat:observed`
 * (`CustomEvent<MappingObservation>`) when the observation is made.
 */
export class NatClassifier extends EventTarget {
  private readonly components: NatClassifierComponents
  private readonly observeTimeoutMs: number
  private attemptsLeft: number
  private observation?: MappingObservation
  private running = false
  private busy = false
  private readonly onOpen = (evt: CustomEvent<Connection>): void => { this.consider(evt.detail) }

  constructor (components: NatClassifierComponents, init: NatClassifierInit = {}) {
    super()
    this.components = components
    this.observeTimeoutMs = init.observeTimeoutMs ?? NAT_OBSERVE_TIMEOUT_MS
    this.attemptsLeft = init.attempts ?? NAT_OBSERVE_ATTEMPTS
  }

  /** Watches new connections; `existing` are considered at once. */
  start (existing: Connection[] = []): void {
    this.running = true
    this.components.events.addEventListener('connection:open', this.onOpen)
    for (const connection of existing) this.consider(connection)
  }

  stop (): void {
    this.running = false
    this.components.events.removeEventListener('connection:open', this.onOpen)
  }

  /** The observation made, if any. */
  mapping (): MappingObservation | undefined {
    return this.observation
  }

  private consider (connection: Connection): void {
    if (!this.running || this.busy || this.observation !== undefined || this.attemptsLeft <= 0) return
    const observer = observerOf(connection)
    if (observer === undefined) return
    this.busy = true
    this.attemptsLeft--
    const log = this.components.logger.forComponent('tessera:peer:nat')
    // The observation connection is an ordinary libp2p connection once upgraded, and streams to the observer may
    // already run over it: it is left open (the connection manager prunes surplus connections), never closed here.
    observeMapping(this.components, observer, this.observeTimeoutMs, log).then((result) => {
      if (!this.running) return
      this.observation = { localPort: result.localPort, observedPort: result.observed.port, observedAddress: result.observed.address, localAddresses: localIPv4Addresses() }
      this.dispatchEvent(new CustomEvent('nat:observed', { detail: this.observation }))
    }, (err: unknown) => {
      log('observing our NAT mapping through %p failed - %e', observer.peerId, err)
    }).finally(() => { this.busy = false })
  }
}

/** This host's IPv4 interface addresses. */
export function localIPv4Addresses (): string[] {
  return Object.values(networkInterfaces()).flatMap((list) => (list ?? []).filter((i) => i.family === 'IPv4').map((i) => i.address))
}

/**
 * The classifier's components from a running libp2p node. The `components` field is public on js-libp2p's node
 * class (not on the `Libp2p` interface); a node without it gets no classifier.
 */
export function natClassifierComponents (node: Libp2p): NatClassifierComponents | undefined {
  const components = (node as unknown as { components?: Partial<NatClassifierComponents> }).components
  if (components?.upgrader === undefined || components.events === undefined || components.logger === undefined) return undefined
  return { upgrader: components.upgrader, events: components.events, logger: components.logger }
}
