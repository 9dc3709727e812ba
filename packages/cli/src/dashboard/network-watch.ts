/**
 * Watches a tessera network through one node: discovery rounds read every peer's signed capacity record from the
 * DHT (device, tiles, reachability, NAT kind, addresses), each peer found is dialled, connection events and a
 * re-dial tell who left, pings measure round trips, and the load gossip (`/tessera/metrics/1.0.0`) gives tiles in
 * use and how busy each pool is. Every change goes into the dashboard's store.
 */
import { setTimeout as sleep } from 'node:timers/promises'
import { logger } from '@libp2p/logger'
import { peerIdFromString } from '@libp2p/peer-id'
import { multiaddr } from '@multiformats/multiaddr'
import { describeError } from '@tessera/errors'
import { MetricsService } from '@tessera/peer'
import type { PeerSample, TesseraNode } from '@tessera/peer'
import type { CapacityRecord } from '@tessera/memory'
import type { PeerId } from '@libp2p/interface'
import type { HolePunchSuccess } from '@tessera/holepunch'
import { NETWORK_WATCH_MS } from './constants.js'
import { pathOf } from './paths.js'
import type { DashboardStore, WatchedPeer } from './store.js'
import type { DashboardPeerState } from './types.js'

const log = logger('tessera:cli:dashboard:network')

/** Options of {@link NetworkWatch}. */
export interface NetworkWatchInit {
  node: TesseraNode
  store: DashboardStore
  /** A peer's name for people (a scenario's node id), if it has one. */
  names?: (peerId: string) => string | undefined
  /**
   * Start a metrics service on the node so that peers push their load to it (default false). Only for a node that
   * has none and no coordinator on it: a coordinator runs its own and passes the samples to {@link NetworkWatch.observeSample}.
   */
  ownMetrics?: boolean
  discoverEveryMs?: number
  discoveryTimeoutMs?: number
  /**
   * Time between rounds that read every record again (default {@link NETWORK_WATCH_MS.rereadEvery}); the rounds in
   * between read only the records of peers not seen yet, so that watching costs the network little.
   */
  rereadEveryMs?: number
  dialTimeoutMs?: number
  redialTimeoutMs?: number
}

/** Per-peer facts the page does not show. */
interface PeerExtra {
  addresses: string[]
  dialing: boolean
  /** Whether a connection to it was ever open (a lost one is `gone`, one never made `unreachable`). */
  everConnected: boolean
}

/** The network as one node sees it, kept up to date in a dashboard store. */
export class NetworkWatch {
  private readonly node: TesseraNode
  private readonly store: DashboardStore
  private readonly init: NetworkWatchInit
  private readonly extra = new Map<string, PeerExtra>()
  private readonly punched = new Set<string>()
  private readonly controller = new AbortController()
  private metrics?: MetricsService
  private loop?: Promise<void>
  private lastFullReadMs = -Infinity
  private readonly detach: Array<() => void> = []

  constructor (init: NetworkWatchInit) {
    this.node = init.node
    this.store = init.store
    this.init = init
  }

  /** Starts listening and the discovery rounds. */
  async start (): Promise<void> {
    const libp2p = this.node.libp2p
    this.store.self = this.node.peerId.toString()
    this.listen(libp2p, 'peer:connect', (evt) => { this.onConnect((evt as CustomEvent<PeerId>).detail.toString()) })
    this.listen(libp2p, 'peer:disconnect', (evt) => { void this.onDisconnect((evt as CustomEvent<PeerId>).detail.toString()) })
    this.listen(libp2p, 'connection:open', () => { this.refreshPaths() })
    this.listen(libp2p, 'connection:close', () => { this.refreshPaths() })
    this.listen(libp2p, 'stop', () => { this.onNodeStopped() })
    const holePunch = libp2p.services.holePunch
    if (holePunch !== undefined) {
      const onPunch = (evt: CustomEvent<HolePunchSuccess>): void => {
        this.punched.add(evt.detail.connection.id)
        this.refreshPaths()
      }
      holePunch.addEventListener('hole-punch:success', onPunch)
      this.detach.push(() => { holePunch.removeEventListener('hole-punch:success', onPunch) })
    }
    if (this.init.ownMetrics === true && this.node.metrics === undefined) {
      const interval = NETWORK_WATCH_MS.metricsInterval
      // This node does no work of its own: it pushes an idle sample and keeps the ones peers push to it.
      this.metrics = new MetricsService(libp2p, () => ({ queueDepth: 0, inFlight: 0, mvmLatencyP50Ms: 0, tilesFree: 0, tilesTotal: 0, sampledAtMs: Date.now(), windowMs: interval, executesInWindow: 0 }), { intervalMs: interval })
      await this.metrics.start()
      this.metrics.addEventListener('sample', (evt) => { this.observeSample((evt as CustomEvent<PeerSample>).detail) })
    }
    this.updateConnected()
    this.loop = this.discoverForever()
  }

  /** Stops the rounds and every listener (the node itself is the caller's). */
  async stop (): Promise<void> {
    this.controller.abort()
    for (const undo of this.detach.splice(0)) undo()
    await this.loop
    await this.metrics?.stop().catch((err: unknown) => { log.error('stopping the metrics service failed: %s', describeError(err)) })
  }

  /** A load sample a peer gossiped (from this watch's own metrics service or a coordinator's). */
  observeSample (entry: PeerSample): void {
    const peer = this.store.peers.get(entry.peerId)
    if (peer === undefined || peer.state === 'gone') return
    const s = entry.sample
    peer.load = {
      busy: s.windowMs > 0 ? Math.min(1, (s.executesInWindow * s.mvmLatencyP50Ms) / s.windowMs) : 0,
      queueDepth: s.queueDepth,
      inFlight: s.inFlight,
      atMs: entry.receivedAtMs
    }
    if (s.tilesTotal > 0) {
      peer.tilesTotal = s.tilesTotal
      peer.tilesUsed = s.tilesTotal - s.tilesFree
      peer.tilesSource = 'gossip'
    }
    this.store.changed()
  }

  /**
   * Runs one discovery round now (the rounds run by themselves; tests call this): every record when `full` or when
   * the last full read is {@link NetworkWatchInit.rereadEveryMs} old, else only the records of peers not seen yet.
   */
  async discoverOnce (full = false): Promise<void> {
    const libp2p = this.node.libp2p
    if (libp2p.status !== 'started') return
    const nowMs = this.store.now()
    const reread = full || nowMs - this.lastFullReadMs >= (this.init.rereadEveryMs ?? NETWORK_WATCH_MS.rereadEvery)
    // Gone peers are always read again: a newer record says one is back.
    const skip = reread ? undefined : new Set([...this.store.peers.values()].filter((p) => p.state !== 'gone').map((p) => p.peerId))
    let found: Array<{ record: CapacityRecord }> = []
    try {
      found = await this.node.discoverPeers({ timeoutMs: this.init.discoveryTimeoutMs ?? NETWORK_WATCH_MS.discoveryTimeout, signal: this.controller.signal, ...(skip !== undefined ? { skip } : {}) })
      if (reread) this.lastFullReadMs = nowMs
    } catch (err) {
      // No connection yet, or the DHT found nobody: the next round tries again (the command reports the bootstrap).
      log('discovery round found nothing: %s', describeError(err))
    }
    for (const { record } of found) this.onRecord(record)
    this.expireRecords()
    this.refreshPaths()
    await Promise.all([...this.store.peers.values()].filter((p) => p.path.kind !== 'none').map(async (p) => { await this.ping(p) }))
    this.store.changed()
  }

  private listen (target: EventTarget, type: string, handler: (evt: Event) => void): void {
    target.addEventListener(type, handler)
    this.detach.push(() => { target.removeEventListener(type, handler) })
  }

  private async discoverForever (): Promise<void> {
    const every = this.init.discoverEveryMs ?? NETWORK_WATCH_MS.discoverEvery
    while (!this.controller.signal.aborted) {
      await this.discoverOnce()
      try {
        await sleep(every, undefined, { signal: this.controller.signal })
      } catch {
        return // stopped
      }
    }
  }

  private connected (peerId: string): boolean {
    return this.node.libp2p.getConnections(peerIdFromString(peerId)).some((c) => c.status === 'open')
  }

  private updateConnected (): void {
    this.store.connected = this.node.libp2p.status === 'started' && this.node.libp2p.getConnections().length > 0
  }

  private refreshPaths (): void {
    this.updateConnected()
    for (const peer of this.store.peers.values()) {
      peer.path = pathOf(this.node.libp2p.getConnections(peerIdFromString(peer.peerId)), this.punched)
    }
    this.store.changed()
  }

  private setState (peer: WatchedPeer, state: DashboardPeerState, reason: string): void {
    const was = peer.state
    if (was === state && peer.stateReason === reason) return
    peer.state = state
    peer.stateReason = reason
    if (was !== state) peer.stateSinceMs = this.store.now()
    if (state === 'gone') peer.load = null
    const who = peer.name ?? peer.peerId
    if (state === 'gone' || state === 'unreachable') this.store.notice('warning', `${who} is ${state}: ${reason}`)
    else if (state === 'serving' && (was === 'gone' || was === 'unreachable')) this.store.notice('info', `${who} is serving again`)
    this.store.changed()
  }

  private onRecord (record: CapacityRecord): void {
    let peer = this.store.peers.get(record.peerId)
    if (peer !== undefined && record.sequence < peer.recordSequence) return
    if (peer !== undefined && peer.state === 'gone' && record.sequence === peer.recordSequence) return // the record of a peer that left
    const nowMs = this.store.now()
    if (peer === undefined) {
      peer = {
        peerId: record.peerId, name: this.init.names?.(record.peerId) ?? null, state: 'joining', stateReason: 'capacity record seen; dialling it',
        stateSinceMs: nowMs, device: null, tilesTotal: 0, tilesUsed: 0, tilesSource: 'record', throughputGflops: 0, load: null,
        reachability: record.reachability, natKind: record.natKind, path: { kind: 'none' }, rttMs: null, recordSequence: 0, recordExpiresAtMs: 0, addresses: []
      }
      this.store.peers.set(record.peerId, peer)
    } else if (peer.state === 'gone') {
      this.setState(peer, 'joining', 'a newer capacity record appeared; dialling it')
    }
    peer.name = this.init.names?.(record.peerId) ?? peer.name
    peer.device = { preset: record.device.preset, rows: record.device.geometry.rows, cols: record.device.geometry.cols, noiseLevel: record.device.noiseLevel }
    if (peer.tilesSource === 'record' || peer.load === null) {
      peer.tilesTotal = record.tilesTotal
      peer.tilesUsed = record.tilesTotal - record.tilesFree
      peer.tilesSource = 'record'
    }
    Object.assign(peer, { throughputGflops: record.throughputGflopPerSecond, reachability: record.reachability, natKind: record.natKind, recordSequence: record.sequence, recordExpiresAtMs: record.expiresAtMs, addresses: [...record.addresses] })
    const extra = this.extraOf(record.peerId)
    extra.addresses = [...record.addresses]
    if (this.connected(record.peerId)) {
      extra.everConnected = true
      if (peer.state !== 'serving') this.setState(peer, 'serving', 'connected')
    } else if (peer.state === 'joining' || peer.state === 'unreachable') {
      void this.dial(peer, this.init.dialTimeoutMs ?? NETWORK_WATCH_MS.dialTimeout)
    }
  }

  private extraOf (peerId: string): PeerExtra {
    let extra = this.extra.get(peerId)
    if (extra === undefined) {
      extra = { addresses: [], dialing: false, everConnected: false }
      this.extra.set(peerId, extra)
    }
    return extra
  }

  /** Dials a peer on its record's addresses; resolves to whether it is connected afterwards. */
  private async dial (peer: WatchedPeer, timeoutMs: number): Promise<boolean> {
    const extra = this.extraOf(peer.peerId)
    if (extra.dialing) return false
    extra.dialing = true
    try {
      const addrs = extra.addresses.map((a) => multiaddr(a))
      await this.node.libp2p.dial(addrs.length > 0 ? addrs : peerIdFromString(peer.peerId), { signal: AbortSignal.any([this.controller.signal, AbortSignal.timeout(timeoutMs)]) })
      extra.everConnected = true
      this.setState(peer, 'serving', 'connected')
      peer.path = pathOf(this.node.libp2p.getConnections(peerIdFromString(peer.peerId)), this.punched)
      await this.ping(peer)
      return true
    } catch (err) {
      if (this.controller.signal.aborted || this.connected(peer.peerId)) return this.connected(peer.peerId)
      const why = describeError(err)
      if (extra.everConnected) this.setState(peer, 'gone', `its connection closed and a re-dial failed (${why})`)
      else this.setState(peer, 'unreachable', `its record is valid but a dial failed (${why})`)
      return false
    } finally {
      extra.dialing = false
    }
  }

  private async ping (peer: WatchedPeer): Promise<void> {
    try {
      const ms = await this.node.libp2p.services.ping.ping(peerIdFromString(peer.peerId), { signal: AbortSignal.timeout(NETWORK_WATCH_MS.pingTimeout), runOnLimitedConnection: true })
      peer.rttMs = peer.rttMs === null ? ms : Math.min(ms, 0.5 * peer.rttMs + 0.5 * ms)
    } catch (err) {
      log('ping of %s failed: %s', peer.peerId, describeError(err))
    }
  }

  private onConnect (peerId: string): void {
    this.updateConnected()
    const peer = this.store.peers.get(peerId)
    if (peer === undefined) return
    this.extraOf(peerId).everConnected = true
    peer.path = pathOf(this.node.libp2p.getConnections(peerIdFromString(peerId)), this.punched)
    this.setState(peer, 'serving', peer.state === 'gone' ? 'connected again' : 'connected')
  }

  private async onDisconnect (peerId: string): Promise<void> {
    this.updateConnected()
    const peer = this.store.peers.get(peerId)
    if (peer === undefined || peer.state === 'gone') return
    peer.path = { kind: 'none' }
    if (this.node.libp2p.status !== 'started' || this.controller.signal.aborted) {
      this.setState(peer, 'gone', 'the node this dashboard watched through stopped')
      return
    }
    // A closed connection is not yet a departure: a peer that answers a re-dial is still there.
    await this.dial(peer, this.init.redialTimeoutMs ?? NETWORK_WATCH_MS.redialTimeout)
  }

  private onNodeStopped (): void {
    this.updateConnected()
    for (const peer of this.store.peers.values()) {
      if (peer.state !== 'gone') this.setState(peer, 'gone', 'the node this dashboard watched through stopped')
    }
  }

  private expireRecords (): void {
    const nowMs = this.store.now()
    for (const peer of this.store.peers.values()) {
      if (peer.state !== 'gone' && peer.recordExpiresAtMs > 0 && nowMs > peer.recordExpiresAtMs && !this.connected(peer.peerId)) {
        this.setState(peer, 'gone', 'its capacity record expired')
      }
    }
  }
}
