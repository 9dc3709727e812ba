/**
 * Finding relays without a hand-written `/p2p-circuit` address: a serving node on a public network decides whether
 * it is private, and if so asks libp2p's circuit relay transport to listen on `/p2p-circuit`, which makes
 * reservations on relays found among the peers it knows (identify lists the hop protocol of every relay server),
 * and falls back to another relay when one goes away. A private node whose public address is later confirmed (AutoNAT
 * verified it after the private bound) releases its reservations: a public node needs none, and each one holds a slot
 * on a relay that NATed nodes need.
 */
import { logger } from '@libp2p/logger'
import { RELAY_V2_HOP_CODEC } from '@libp2p/circuit-relay-v2'
import { peerIdFromString } from '@libp2p/peer-id'
import { isPrivate } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import type { MappingObservation } from './reachability.js'
import type { Libp2p, PeerStore } from '@libp2p/interface'
import type { Multiaddr } from '@multiformats/multiaddr'

const log = logger('tessera:peer:relay-finder')

/**
 * Default bound on the wait for a confirmed public address before a node with no NAT observation calls itself
 * private. AutoNAT v2 verified a public lab host in 2–6 s; a node that saw its own address through a public peer
 * (no NAT) gets twice as long, since AutoNAT should confirm it.
 */
export const DEFAULT_PRIVATE_AFTER_MS = 12_000

/** Default number of relays a private node holds reservations on. */
export const DEFAULT_RELAY_RESERVATIONS = 2

/**
 * Default time a private node's public address must stay confirmed before it releases its reservations: long enough
 * that an address confirmed for a moment does not cost the reservations, and that coordinators have read the record
 * the node re-published with its direct address before its circuit addresses go away.
 */
export const DEFAULT_RELEASE_AFTER_MS = 30_000

/** How often the finder re-reads addresses, the NAT observation and the known relays (libp2p has no event for them). */
export const RELAY_FINDER_CHECK_MS = 1000

export type ReachabilityDecision = 'public' | 'private' | 'undecided'

export interface DecisionInput {
  /** Time since the finder started. */
  elapsedMs: number
  /** The node's verified addresses (`getMultiaddrs()`). */
  addrs: Multiaddr[]
  /** The NAT classifier's observation, if any. */
  observation?: MappingObservation
  privateAfterMs: number
}

/** A direct address that is not private: libp2p lists it only once AutoNAT or configuration confirmed it. */
export function hasPublicDirectAddress (addrs: Multiaddr[]): boolean {
  return addrs.some((ma) => !ma.getComponents().some((c) => c.name === 'p2p-circuit') && !isPrivate(ma))
}

/** Whether a public peer saw this node at an address that is not one of its own interfaces: a NAT rewrote it. */
export function observedBehindNat (observation: MappingObservation | undefined): boolean | undefined {
  if (observation?.observedAddress === undefined || observation.localAddresses === undefined) return undefined
  return !observation.localAddresses.includes(observation.observedAddress)
}

/**
 * Public once an address is confirmed; private as soon as a public peer saw us behind a NAT, or when no public
 * address was confirmed within `privateAfterMs` (twice that when a public peer saw us at our own address).
 */
export function decideReachability (input: DecisionInput): ReachabilityDecision {
  if (hasPublicDirectAddress(input.addrs)) return 'public'
  const behindNat = observedBehindNat(input.observation)
  if (behindNat === true) return 'private'
  const boundMs = behindNat === false ? 2 * input.privateAfterMs : input.privateAfterMs
  return input.elapsedMs >= boundMs ? 'private' : 'undecided'
}

/** A relay server this node knows (identify listed the hop protocol) and a direct address to reach it by. */
export interface RelayCandidate {
  peerId: string
  /** Direct address ending in `/p2p/<peerId>`. */
  addr: Multiaddr
}

/** What the finder needs from the node. */
export interface RelayFinderComponents {
  getMultiaddrs(): Multiaddr[]
  natObservation(): MappingObservation | undefined
  /** Starts listeners (libp2p's transport manager); resolves once a relay listener holds its reservation. */
  listen(addrs: Multiaddr[]): Promise<void>
  /** Relay servers this node knows, connected ones first. */
  relayCandidates(): Promise<RelayCandidate[]>
  /**
   * Gives up the reservation on a relay unless a relayed connection still runs through it (then it resolves false
   * and is asked again on a later check, so a call in flight over the circuit is not cut).
   */
  releaseRelay(relayPeerId: string): Promise<boolean>
  now(): number
}

export interface RelayFinderInit {
  /** Default {@link DEFAULT_PRIVATE_AFTER_MS}. */
  privateAfterMs?: number
  /** Default {@link DEFAULT_RELAY_RESERVATIONS}. */
  reservations?: number
  /** Default {@link RELAY_FINDER_CHECK_MS}. */
  checkIntervalMs?: number
  /** Default {@link DEFAULT_RELEASE_AFTER_MS}. */
  releaseAfterMs?: number
  /**
   * A relay a reservation failed on is tried again after this long, doubling per failure up to
   * {@link RELAY_RETRY_MAX_MS} (default {@link RELAY_RETRY_MS}).
   */
  retryMs?: number
}

/**
 * Default wait before a relay that refused or failed a reservation is tried again. Short, because the first attempt
 * can fail for a passing reason: in the NAT lab a reservation request sometimes went out on the connection the NAT
 * classifier had just opened to the same relay, which was then closed as a duplicate.
 */
export const RELAY_RETRY_MS = 5_000

/** The longest wait between attempts on one relay. */
export const RELAY_RETRY_MAX_MS = 60_000

/**
 * Watches the node until it knows whether it is public. A private node reserves on relays it knows (listening on
 * `<relay>/p2p-circuit`), one at a time, until it holds `reservations` of them, and again whenever one goes away.
 * Only when it knows no relay at all does it hand the search to the circuit relay transport (`/p2p-circuit`, which
 * walks the DHT for one). Reservations are made one after another: two requested at once stalled the second in
 * circuit-relay-v2 4.2.13; and the transport's own search gives up on a relay whose first reservation attempt failed
 * while it stays connected, which this finder retries after {@link RELAY_RETRY_MS}, doubling per failure. Dispatches `reachability` with the
 * decision. A private node whose public address stays confirmed for `releaseAfterMs` turns public and releases the
 * reservations it made, each once no relayed connection runs through it (one the transport's own search made stays:
 * closing it would only send the transport looking for another relay). A public node stays public.
 */
export class RelayFinder extends EventTarget {
  private readonly c: RelayFinderComponents
  private readonly privateAfterMs: number
  private readonly reservations: number
  private readonly checkIntervalMs: number
  private readonly retryMs: number
  private readonly releaseAfterMs: number
  private startedAtMs = 0
  /** While private: since when a public address has been confirmed without a break. */
  private publicSinceMs?: number
  /** Relays this finder reserved on through their own address (the transport's search is not among them). */
  private readonly reservedOn = new Set<string>()
  private timer?: ReturnType<typeof setInterval>
  private decision: ReachabilityDecision = 'undecided'
  /** Per relay: when it may be tried again, and how many attempts in a row failed. */
  private readonly backoff = new Map<string, { notBeforeMs: number, failures: number }>()
  private searching = false
  private checking = false

  constructor (components: RelayFinderComponents, init: RelayFinderInit = {}) {
    super()
    this.c = components
    this.privateAfterMs = init.privateAfterMs ?? DEFAULT_PRIVATE_AFTER_MS
    this.reservations = init.reservations ?? DEFAULT_RELAY_RESERVATIONS
    this.checkIntervalMs = init.checkIntervalMs ?? RELAY_FINDER_CHECK_MS
    this.retryMs = init.retryMs ?? RELAY_RETRY_MS
    this.releaseAfterMs = init.releaseAfterMs ?? DEFAULT_RELEASE_AFTER_MS
  }

  start (): void {
    this.startedAtMs = this.c.now()
    this.timer = setInterval(() => { void this.check() }, this.checkIntervalMs)
    this.timer.unref?.()
  }

  stop (): void {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  /** The latest decision: `private` from the moment the node decided to look for relays. */
  reachability (): ReachabilityDecision {
    return this.decision
  }

  /** Peer ids of the relays this node holds a reservation on (read off its circuit addresses). */
  heldRelays (): string[] {
    return [...heldRelays(this.c.getMultiaddrs())]
  }

  /** One step: decide, then reserve on one more relay when one is due. Exposed for tests. */
  async check (): Promise<void> {
    if (this.checking || this.timer === undefined) return
    this.checking = true
    try {
      const addrs = this.c.getMultiaddrs()
      const nowMs = this.c.now()
      const decision = decideReachability({ elapsedMs: nowMs - this.startedAtMs, addrs, observation: this.c.natObservation(), privateAfterMs: this.privateAfterMs })
      if (this.decision === 'undecided' && decision !== 'undecided') this.decide(decision)
      else if (this.decision === 'private' && this.publicConfirmed(decision === 'public', nowMs)) this.decide('public')
      if (this.decision === 'private') await this.reserveMore(heldRelays(addrs))
      if (this.decision === 'public') await this.releaseHeld(heldRelays(addrs))
    } catch (err) {
      log.error('relay search step failed - %e', err)
    } finally {
      this.checking = false
    }
  }

  private decide (decision: ReachabilityDecision): void {
    this.decision = decision
    log('reachability decided: %s', decision)
    this.dispatchEvent(new CustomEvent('reachability', { detail: decision }))
  }

  /** Whether a private node's public address has now stayed confirmed for `releaseAfterMs`. */
  private publicConfirmed (confirmed: boolean, nowMs: number): boolean {
    if (!confirmed) {
      this.publicSinceMs = undefined
      return false
    }
    this.publicSinceMs ??= nowMs
    return nowMs - this.publicSinceMs >= this.releaseAfterMs
  }

  /** Releases, one check after another, the reservations this finder made, each once no circuit runs over it. */
  private async releaseHeld (held: Set<string>): Promise<void> {
    for (const relay of this.reservedOn) {
      if (!held.has(relay)) {
        this.reservedOn.delete(relay)
        continue
      }
      if (await this.c.releaseRelay(relay)) {
        log('public now: released the reservation on relay %s', relay)
        this.reservedOn.delete(relay)
      }
    }
  }

  private async reserveMore (held: Set<string>): Promise<void> {
    if (held.size >= this.reservations) return
    const nowMs = this.c.now()
    const candidates = await this.c.relayCandidates()
    const pick = candidates.find((r) => !held.has(r.peerId) && nowMs >= (this.backoff.get(r.peerId)?.notBeforeMs ?? -Infinity))
    if (pick !== undefined) {
      log('reserving on relay %s (%d held of %d)', pick.peerId, held.size, this.reservations)
      try {
        await this.c.listen([pick.addr.encapsulate('/p2p-circuit')])
        this.backoff.delete(pick.peerId)
        this.reservedOn.add(pick.peerId)
      } catch (err) {
        const failures = (this.backoff.get(pick.peerId)?.failures ?? 0) + 1
        const waitMs = Math.min(RELAY_RETRY_MAX_MS, this.retryMs * 2 ** (failures - 1))
        this.backoff.set(pick.peerId, { notBeforeMs: this.c.now() + waitMs, failures })
        log.error('no reservation on relay %s (attempt %d), retrying it in %d ms - %e', pick.peerId, failures, waitMs, err)
      }
      return
    }
    if (held.size === 0 && candidates.length === 0 && !this.searching) {
      this.searching = true
      log('no relay known: the circuit relay transport searches the network for one')
      await this.c.listen([multiaddr('/p2p-circuit')])
    }
  }
}

/** The relays (peer ids before `/p2p-circuit`) of a node's circuit addresses. */
export function heldRelays (addrs: Multiaddr[]): Set<string> {
  const held = new Set<string>()
  for (const ma of addrs) {
    const components = ma.getComponents()
    const circuit = components.findIndex((c) => c.name === 'p2p-circuit')
    if (circuit <= 0) continue
    const relay = components.slice(0, circuit).findLast((c) => c.name === 'p2p')
    if (relay?.value !== undefined) held.add(relay.value)
  }
  return held
}

/** The finder's components from a running libp2p node; absent when the node does not expose its transport manager. */
export function relayFinderComponents (node: Libp2p, natObservation: () => MappingObservation | undefined, now: () => number): RelayFinderComponents | undefined {
  const components = (node as unknown as { components?: { transportManager?: { listen(addrs: Multiaddr[]): Promise<void> }, peerStore?: PeerStore } }).components
  const transportManager = components?.transportManager
  const peerStore = components?.peerStore
  if (transportManager === undefined || peerStore === undefined) return undefined
  return {
    getMultiaddrs: () => node.getMultiaddrs(),
    natObservation,
    listen: async (addrs) => { await transportManager.listen(addrs) },
    relayCandidates: async () => {
      const relays = await peerStore.all({ filters: [(p) => p.protocols.includes(RELAY_V2_HOP_CODEC)] })
      const candidates: Array<RelayCandidate & { connected: boolean }> = []
      for (const peer of relays) {
        const direct = node.getConnections(peer.id).find((c) => c.limits === undefined && !isCircuit(c.remoteAddr))
        const known = peer.addresses.map((a) => a.multiaddr).find((ma) => !isCircuit(ma))
        const addr = direct?.remoteAddr ?? known
        if (addr === undefined) continue
        const withPeer = addr.getComponents().some((c) => c.name === 'p2p') ? addr : addr.encapsulate(`/p2p/${peer.id.toString()}`)
        candidates.push({ peerId: peer.id.toString(), addr: withPeer, connected: direct !== undefined })
      }
      return candidates.sort((a, b) => Number(b.connected) - Number(a.connected)).map(({ peerId, addr }) => ({ peerId, addr }))
    },
    releaseRelay: async (relayPeerId) => {
      const throughRelay = node.getConnections().some((c) => isCircuit(c.remoteAddr) && heldRelays([c.remoteAddr]).has(relayPeerId))
      if (throughRelay) return false
      // A reservation lives as long as the connection it was made on: circuit-relay-v2 drops it, and withdraws the
      // circuit addresses, when that connection closes. A later connection to the relay (libp2p may re-dial a peer
      // it had tagged keep-alive) carries no reservation.
      await node.hangUp(peerIdFromString(relayPeerId))
      return true
    },
    now
  }
}

function isCircuit (ma: Multiaddr): boolean {
  return ma.getComponents().some((c) => c.name === 'p2p-circuit')
}

/** Whether listen addresses already name a relay (`…/p2p-circuit`): then the user chose, and no search runs. */
export function listensOnCircuit (listen: readonly string[]): boolean {
  return listen.some((a) => a.includes('/p2p-circuit'))
}
