/**
 * The TCP hole-punch service: turns a relayed connection between two peers behind endpoint-independent NATs into a
 * direct TCP connection by a synchronised simultaneous open, then upgrades the punched socket with libp2p's own
 * upgrader so the result is an ordinary direct connection that the connection manager prefers.
 */
import { serviceCapabilities, serviceDependencies, TypedEventEmitter } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { multiaddr } from '@multiformats/multiaddr'
import { setTimeout as delay } from 'node:timers/promises'
import {
  DEFAULT_ATTEMPTS, HOLE_PUNCH_PROTOCOL, MAX_INBOUND_STREAMS, MAX_MESSAGE_SIZE_BYTES, MAX_OUTBOUND_STREAMS,
  MESSAGE_TIMEOUT_MS, OBSERVE_TIMEOUT_MS, PUNCH_TIMEOUT_MS, RETRY_DELAY_MS, UPGRADE_TIMEOUT_MS
} from './constants.js'
import {
  CoordinationFailedError, HolePunchBusyError, HolePunchError, HolePunchRejectedError, InvalidHolePunchMessageError,
  InvalidHolePunchOptionError, NoObserverError, NotRelayedError, PunchFailedError, TcpConnectError,
  UnpredictableMappingError, UpgradeFailedError
} from './errors.js'
import { decodeMessage, encodeMessage } from './messages.js'
import { observeMapping } from './observe.js'
import { isRelayedAddress, relayHop } from './relay-address.js'
import { electRole } from './roles.js'
import { socketToMultiaddrConnection } from './socket-connection.js'
import { connectFrom } from './tcp.js'
import type { Candidate } from './candidates.js'
import type { HolePunchMessage, RejectReason } from './messages.js'
import type { Observation, Observer } from './observe.js'
import type { PunchRole } from './roles.js'
import type {
  ComponentLogger, Connection, CounterGroup, Libp2pEvents, Logger, Metrics, PeerId, Startable, Stream, TypedEventTarget,
  Upgrader
} from '@libp2p/interface'
import type { ConnectionManager, Registrar } from '@libp2p/interface-internal'
import type { LengthPrefixedStream } from '@libp2p/utils'

/** Options of {@link tcpHolePunch}; every field is optional. */
export interface TcpHolePunchInit {
  /** Coordination protocol id (default `/tessera/holepunch/1.0.0`). */
  protocol?: string
  /**
   * Start a punch by itself when a relayed connection opens to a peer that runs this protocol; the peer that was
   * dialled through the relay starts, as in DCUtR (default true). With false, call `punch(connection)`.
   */
  autoPunch?: boolean
  /** Full attempts, each with fresh ports, before giving up (default 2). Unpredictable mappings are not retried. */
  attempts?: number
  /**
   * Public peers to learn our NAT mapping from, as `/ip4/A/tcp/P/p2p/ID` (default: the relay the relayed connection
   * goes through, which listens on a public TCP address by construction).
   */
  observers?: string[]
  /**
   * Punch only when our NAT kept the local port (default true). A NAT that rewrites ports may be symmetric, and a
   * doomed punch would spend {@link TcpHolePunchInit.punchTimeoutMs} for nothing.
   */
  requirePortPreservation?: boolean
  /** Accept candidates in private ranges (default false: a remote peer cannot point us at our own LAN). */
  allowPrivateCandidates?: boolean
  /** Default {@link OBSERVE_TIMEOUT_MS}. */
  observeTimeoutMs?: number
  /** Default {@link PUNCH_TIMEOUT_MS}. */
  punchTimeoutMs?: number
  /** Default {@link UPGRADE_TIMEOUT_MS}. */
  upgradeTimeoutMs?: number
  /** Default {@link MESSAGE_TIMEOUT_MS}. */
  messageTimeoutMs?: number
  /** Pause before a retry (default {@link RETRY_DELAY_MS}); 0 retries at once. */
  retryDelayMs?: number
  /** Default {@link MAX_INBOUND_STREAMS}. */
  maxInboundStreams?: number
  /** Default {@link MAX_OUTBOUND_STREAMS}. */
  maxOutboundStreams?: number
}

/** What the service needs from libp2p (injected like any libp2p service). */
export interface TcpHolePunchComponents {
  peerId: PeerId
  registrar: Registrar
  connectionManager: ConnectionManager
  upgrader: Upgrader
  events: TypedEventTarget<Libp2pEvents>
  logger: ComponentLogger
  metrics?: Metrics
}

/** A punch that ended on a direct connection. */
export interface HolePunchSuccess {
  peer: PeerId
  /** The new direct connection. */
  connection: Connection
  /** How this side upgraded the punched socket. */
  role: PunchRole
  /** Which side ran the coordination: `starter` opened the stream, `responder` answered it. */
  side: 'starter' | 'responder'
  /** 1-based attempt that succeeded (the starter's count, also on the responder). */
  attempt: number
  /** From the start of this side's part in the successful attempt to the upgraded connection. */
  ms: number
  /** From the relayed connection's opening to the upgraded direct connection. */
  sinceRelayedMs: number
  /** Our punch port and the peer's public address we connected to. */
  localPort: number
  remote: Candidate
}

/** A punch that gave up; the relayed connection is left as it was. */
export interface HolePunchFailure {
  peer: PeerId
  side: 'starter' | 'responder'
  error: HolePunchError
  attempts: number
  ms: number
}

export interface TcpHolePunchEvents {
  'hole-punch:success': CustomEvent<HolePunchSuccess>
  'hole-punch:failure': CustomEvent<HolePunchFailure>
}

/** The service's public surface (`node.services.holePunch`). */
export interface TcpHolePunch extends TypedEventTarget<TcpHolePunchEvents> {
  /**
   * Runs the coordination over a relayed connection and punches; resolves with the direct connection, rejects with
   * a {@link HolePunchError} (the relayed connection stays either way).
   */
  punch: (relayed: Connection, options?: { signal?: AbortSignal }) => Promise<HolePunchSuccess>
}

interface Settings {
  protocol: string
  autoPunch: boolean
  attempts: number
  observers: Observer[]
  requirePortPreservation: boolean
  allowPrivateCandidates: boolean
  observeTimeoutMs: number
  punchTimeoutMs: number
  upgradeTimeoutMs: number
  messageTimeoutMs: number
  retryDelayMs: number
  maxInboundStreams: number
  maxOutboundStreams: number
}

function positiveInteger (name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 1) throw new InvalidHolePunchOptionError(`${name} must be a positive integer, got ${String(value)}`)
  return value
}

function nonNegativeInteger (name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback
  if (!Number.isInteger(value) || value < 0) throw new InvalidHolePunchOptionError(`${name} must be a non-negative integer, got ${String(value)}`)
  return value
}

function parseObserver (text: string): Observer {
  const parsed = relayHop(multiaddr(`${text}/p2p-circuit`))
  if (parsed?.address === undefined) throw new InvalidHolePunchOptionError(`an observer must be /ip4/A/tcp/P/p2p/ID, got ${text}`)
  return { peerId: parsed.peerId, address: parsed.address }
}

/** Validates init and fills in the defaults. */
export function resolveSettings (init: TcpHolePunchInit): Settings {
  let observers: Observer[]
  try {
    observers = (init.observers ?? []).map(parseObserver)
  } catch (err) {
    if (err instanceof InvalidHolePunchOptionError) throw err
    throw new InvalidHolePunchOptionError(`bad observer address: ${(err as Error).message}`, { cause: err })
  }
  return {
    protocol: init.protocol ?? HOLE_PUNCH_PROTOCOL,
    autoPunch: init.autoPunch ?? true,
    attempts: positiveInteger('attempts', init.attempts, DEFAULT_ATTEMPTS),
    observers,
    requirePortPreservation: init.requirePortPreservation ?? true,
    allowPrivateCandidates: init.allowPrivateCandidates ?? false,
    observeTimeoutMs: positiveInteger('observeTimeoutMs', init.observeTimeoutMs, OBSERVE_TIMEOUT_MS),
    punchTimeoutMs: positiveInteger('punchTimeoutMs', init.punchTimeoutMs, PUNCH_TIMEOUT_MS),
    upgradeTimeoutMs: positiveInteger('upgradeTimeoutMs', init.upgradeTimeoutMs, UPGRADE_TIMEOUT_MS),
    messageTimeoutMs: positiveInteger('messageTimeoutMs', init.messageTimeoutMs, MESSAGE_TIMEOUT_MS),
    retryDelayMs: nonNegativeInteger('retryDelayMs', init.retryDelayMs, RETRY_DELAY_MS),
    maxInboundStreams: positiveInteger('maxInboundStreams', init.maxInboundStreams, MAX_INBOUND_STREAMS),
    maxOutboundStreams: positiveInteger('maxOutboundStreams', init.maxOutboundStreams, MAX_OUTBOUND_STREAMS)
  }
}

/** The error a `reject` with this reason stands for on the side that receives it. */
function rejectionError (reason: RejectReason): HolePunchError {
  if (reason === 'busy') return new HolePunchBusyError('the remote peer is already punching with us')
  if (reason === 'unpredictable-mapping') return new UnpredictableMappingError('the remote peer is behind a NAT that rewrites ports (symmetric)')
  return new HolePunchRejectedError(reason)
}

function rejectReasonOf (err: unknown): RejectReason {
  if (err instanceof UnpredictableMappingError) return 'unpredictable-mapping'
  if (err instanceof NoObserverError) return 'no-observer'
  if (err instanceof InvalidHolePunchMessageError) return 'invalid-message'
  return 'observation-failed'
}

/** Our own errors as they are; anything else came from the coordination stream over the relay. */
function asHolePunchError (err: unknown): HolePunchError {
  if (err instanceof HolePunchError) return err
  return new CoordinationFailedError(`hole punch coordination failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
}

export class TcpHolePunchService extends TypedEventEmitter<TcpHolePunchEvents> implements TcpHolePunch, Startable {
  readonly [Symbol.toStringTag] = '@tessera/tcp-hole-punch'
  readonly [serviceCapabilities]: string[] = ['@tessera/tcp-hole-punch']
  // Topology notifications come from identify: a peer is told about only once identify lists our protocol.
  readonly [serviceDependencies]: string[] = ['@libp2p/identify']

  private readonly components: TcpHolePunchComponents
  private readonly settings: Settings
  private readonly log: Logger
  private readonly outcomes?: CounterGroup
  /** Peers (by id string) with an attempt running here, and in which part. */
  private readonly active = new Map<string, 'starter' | 'responder'>()
  private topologyId?: string
  private started = false
  private shutdown = new AbortController()

  constructor (components: TcpHolePunchComponents, init: TcpHolePunchInit = {}) {
    super()
    this.components = components
    this.settings = resolveSettings(init)
    this.log = components.logger.forComponent('tessera:holepunch')
    this.outcomes = components.metrics?.registerCounterGroup('tessera_hole_punch_outcomes_total', { label: 'outcome', help: 'Hole-punch attempts by outcome' })
  }

  isStarted (): boolean {
    return this.started
  }

  async start (): Promise<void> {
    if (this.started) return
    this.shutdown = new AbortController()
    await this.components.registrar.handle(this.settings.protocol, (stream, connection) => {
      void this.respond(stream, connection)
    }, {
      maxInboundStreams: this.settings.maxInboundStreams,
      maxOutboundStreams: this.settings.maxOutboundStreams,
      runOnLimitedConnection: true
    })
    if (this.settings.autoPunch) {
      this.topologyId = await this.components.registrar.register(this.settings.protocol, {
        notifyOnLimitedConnection: true,
        onConnect: (peerId, connection) => {
          // DCUtR's rule: the peer that was dialled through the relay starts, so exactly one side does.
          if (!isRelayedAddress(connection.remoteAddr) || connection.direction !== 'inbound') return
          if (this.hasDirectConnection(peerId)) return
          this.punch(connection).catch((err) => { this.log('automatic hole punch with %p failed - %e', peerId, err) })
        }
      })
    }
    this.started = true
  }

  async stop (): Promise<void> {
    this.shutdown.abort(new HolePunchError('the hole-punch service stopped'))
    await this.components.registrar.unhandle(this.settings.protocol)
    if (this.topologyId !== undefined) this.components.registrar.unregister(this.topologyId)
    this.topologyId = undefined
    this.started = false
  }

  private hasDirectConnection (peer: PeerId): boolean {
    return this.components.connectionManager.getConnections(peer).some((c) => c.status === 'open' && !isRelayedAddress(c.remoteAddr))
  }

  async punch (relayed: Connection, options: { signal?: AbortSignal } = {}): Promise<HolePunchSuccess> {
    const peer = relayed.remotePeer
    const started = performance.now()
    let attempts = 0
    try {
      if (!isRelayedAddress(relayed.remoteAddr)) throw new NotRelayedError(`connection to ${peer.toString()} is not relayed: ${relayed.remoteAddr.toString()}`)
      const key = peer.toString()
      if (this.active.has(key)) throw new HolePunchBusyError()
      this.active.set(key, 'starter')
      try {
        for (let attempt = 1; ; attempt++) {
          attempts = attempt
          try {
            const success = await this.startAttempt(relayed, attempt, options.signal)
            this.report(success)
            return success
          } catch (err) {
            const error = asHolePunchError(err)
            if (!error.retryable || attempt >= this.settings.attempts || relayed.status !== 'open' || this.shutdown.signal.aborted || options.signal?.aborted === true) throw error
            this.log('attempt %d with %p failed, retrying with fresh ports - %e', attempt, peer, error)
            await delay(this.settings.retryDelayMs, undefined, { signal: this.signalFor(this.settings.retryDelayMs + 1000, options.signal) })
          }
        }
      } finally {
        this.active.delete(key)
      }
    } catch (err) {
      const error = asHolePunchError(err)
      this.fail({ peer, side: 'starter', error, attempts, ms: performance.now() - started })
      throw error
    }
  }

  private report (success: HolePunchSuccess): void {
    this.outcomes?.increment({ success: true })
    this.log('direct connection to %p after %d ms (%s, attempt %d)', success.peer, Math.round(success.ms), success.role, success.attempt)
    this.safeDispatchEvent('hole-punch:success', { detail: success })
  }

  private fail (failure: HolePunchFailure): void {
    this.outcomes?.increment({ [failure.error.name]: true })
    this.log('hole punch with %p failed (%s) - %e', failure.peer, failure.side, failure.error)
    this.safeDispatchEvent('hole-punch:failure', { detail: failure })
  }

  private signalFor (ms: number, outer?: AbortSignal): AbortSignal {
    const signals = [AbortSignal.timeout(ms), this.shutdown.signal]
    if (outer !== undefined) signals.push(outer)
    return AbortSignal.any(signals)
  }

  private async read (lp: LengthPrefixedStream<Stream>, signal?: AbortSignal): Promise<HolePunchMessage> {
    const frame = await lp.read({ signal: this.signalFor(this.settings.messageTimeoutMs, signal) })
    return decodeMessage(frame.subarray(), this.settings.allowPrivateCandidates)
  }

  private async write (lp: LengthPrefixedStream<Stream>, message: HolePunchMessage, signal?: AbortSignal): Promise<void> {
    await lp.write(encodeMessage(message), { signal: this.signalFor(this.settings.messageTimeoutMs, signal) })
  }

  /**
   * Tells the peer why this side gives up, best effort: the attempt fails with the original error either way, and
   * a stream that broke (the usual reason to give up) cannot carry the message.
   */
  private async sendReject (lp: LengthPrefixedStream<Stream>, peer: PeerId, reason: RejectReason, attempt?: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.write(lp, { type: 'reject', reason, attempt }, signal)
    } catch (err) {
      this.log.trace('could not tell %p we reject (%s) - %e', peer, reason, err)
    }
  }

  /** Closes the coordination stream once both sides have what they need; one that does not close is aborted. */
  private async closeCoordination (stream: Stream, peer: PeerId, signal?: AbortSignal): Promise<void> {
    try {
      await stream.close({ signal: this.signalFor(this.settings.messageTimeoutMs, signal) })
    } catch (err) {
      // The punch needs nothing more from the stream; a close that fails only means it ends with a reset.
      this.log.trace('closing the coordination stream with %p failed, aborting it - %e', peer, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  /** The observers to ask, in order: configured ones, else the relay of the relayed connection. */
  private observersFor (relayed: Connection): Observer[] {
    if (this.settings.observers.length > 0) return this.settings.observers
    const hop = relayHop(relayed.remoteAddr)
    if (hop === undefined) return []
    if (hop.address !== undefined) return [{ peerId: hop.peerId, address: hop.address }]
    // The address names the relay without where it listens: use an outbound TCP connection to it, whose remote
    // address is the relay's listening address.
    for (const conn of this.components.connectionManager.getConnections(hop.peerId)) {
      const parsed = relayHop(conn.remoteAddr.encapsulate('/p2p-circuit'))
      if (conn.direction === 'outbound' && conn.status === 'open' && parsed?.address !== undefined) return [{ peerId: hop.peerId, address: parsed.address }]
    }
    return []
  }

  /** Learns the mapping of a fresh port; throws if it cannot or if it is unpredictable (then nothing stays open). */
  private async observe (relayed: Connection): Promise<Observation> {
    const observers = this.observersFor(relayed)
    if (observers.length === 0) throw new NoObserverError(`no observer for ${relayed.remoteAddr.toString()}: configure observers`)
    let lastError: unknown
    for (const observer of observers) {
      try {
        const observation = await observeMapping(this.components, observer, this.settings.observeTimeoutMs, this.log)
        if (this.settings.requirePortPreservation && !observation.portPreserved) {
          await observation.close()
          throw new UnpredictableMappingError(`our NAT mapped local port ${observation.localPort} to ${observation.observed.address}:${observation.observed.port}: it rewrites ports (symmetric)`)
        }
        return observation
      } catch (err) {
        if (err instanceof UnpredictableMappingError) throw err
        lastError = err
      }
    }
    throw lastError
  }

  private async startAttempt (relayed: Connection, attempt: number, signal?: AbortSignal): Promise<HolePunchSuccess> {
    const started = performance.now()
    const stream = await relayed.newStream(this.settings.protocol, { signal: this.signalFor(this.settings.messageTimeoutMs, signal), runOnLimitedConnection: true })
    const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_SIZE_BYTES })
    let observation: Observation | undefined
    try {
      try {
        observation = await this.observe(relayed)
      } catch (err) {
        await this.sendReject(lp, relayed.remotePeer, rejectReasonOf(err), attempt, signal)
        throw err
      }
      const sent = performance.now()
      await this.write(lp, { type: 'connect', candidate: observation.observed, attempt }, signal)
      const reply = await this.read(lp, signal)
      if (reply.type === 'reject') throw rejectionError(reply.reason)
      if (reply.type !== 'connect') throw new InvalidHolePunchMessageError(`expected connect, got ${reply.type}`)
      // Their preparation (observing their own mapping) is not part of the relay's round trip.
      const rttMs = Math.max(0, performance.now() - sent - (reply.elapsedMs ?? 0))
      await this.write(lp, { type: 'sync' }, signal)
      await this.closeCoordination(stream, relayed.remotePeer, signal)
      // The responder starts when sync arrives, half a round trip from now.
      await delay(rttMs / 2, undefined, { signal: this.signalFor(this.settings.punchTimeoutMs, signal) })
      return await this.punchAndUpgrade(relayed, observation, reply.candidate, 'starter', attempt, started, signal)
    } catch (err) {
      if (stream.status === 'open') stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    } finally {
      // The punched socket has its own flow; the observer connection is not needed any more, and the caller need
      // not wait for it to close.
      void observation?.close()
    }
  }

  private async respond (stream: Stream, relayed: Connection): Promise<void> {
    const peer = relayed.remotePeer
    const key = peer.toString()
    const started = performance.now()
    const lp = lpStream(stream, { maxDataLength: MAX_MESSAGE_SIZE_BYTES })
    let observation: Observation | undefined
    let registered = false
    let attempt = 1
    try {
      const request = await this.read(lp)
      if (request.type === 'sync') throw new InvalidHolePunchMessageError('expected connect, got sync')
      attempt = request.attempt ?? 1
      if (request.type === 'reject') throw rejectionError(request.reason)
      // Both peers started at once (each dialled the other through a relay): the lower id's attempt goes on.
      const current = this.active.get(key)
      if (current === 'responder' || (current === 'starter' && electRole(this.components.peerId, peer) === 'outbound')) {
        await this.write(lp, { type: 'reject', reason: 'busy' })
        throw new HolePunchBusyError()
      }
      if (current === undefined) {
        this.active.set(key, 'responder')
        registered = true
      }
      try {
        observation = await this.observe(relayed)
      } catch (err) {
        await this.sendReject(lp, peer, rejectReasonOf(err))
        throw err
      }
      await this.write(lp, { type: 'connect', candidate: observation.observed, elapsedMs: performance.now() - started })
      const sync = await this.read(lp)
      if (sync.type === 'reject') throw rejectionError(sync.reason)
      if (sync.type !== 'sync') throw new InvalidHolePunchMessageError(`expected sync, got ${sync.type}`)
      await this.closeCoordination(stream, peer)
      const success = await this.punchAndUpgrade(relayed, observation, request.candidate, 'responder', request.attempt ?? 1, started)
      this.report(success)
    } catch (err) {
      if (stream.status === 'open') stream.abort(err instanceof Error ? err : new Error(String(err)))
      this.fail({ peer, side: 'responder', error: asHolePunchError(err), attempts: attempt, ms: performance.now() - started })
    } finally {
      if (registered) this.active.delete(key)
      void observation?.close()
    }
  }

  private async punchAndUpgrade (relayed: Connection, observation: Observation, remote: Candidate, side: 'starter' | 'responder', attempt: number, started: number, signal?: AbortSignal): Promise<HolePunchSuccess> {
    const peer = relayed.remotePeer
    const role = electRole(this.components.peerId, peer)
    let socket
    try {
      socket = await connectFrom(remote, { localPort: observation.localPort, timeoutMs: this.settings.punchTimeoutMs, signal: AbortSignal.any([this.shutdown.signal, ...(signal === undefined ? [] : [signal])]) })
    } catch (err) {
      const reason = err instanceof TcpConnectError ? err.reason : 'error'
      throw new PunchFailedError(`simultaneous open with ${peer.toString()} at ${remote.address}:${remote.port} from port ${observation.localPort} failed (${reason})`, { cause: err })
    }
    const remoteAddr = multiaddr(`/ip4/${remote.address}/tcp/${remote.port}/p2p/${peer.toString()}`)
    const maConn = socketToMultiaddrConnection({ socket, remoteAddr, direction: role, log: this.log.newScope('punched') })
    const upgradeSignal = this.signalFor(this.settings.upgradeTimeoutMs, signal)
    let connection: Connection | undefined
    try {
      if (role === 'outbound') {
        connection = await this.components.upgrader.upgradeOutbound(maConn, { signal: upgradeSignal })
      } else {
        // upgradeInbound announces the connection (connection:open) instead of returning it.
        const opened = (evt: CustomEvent<Connection>): void => {
          if (evt.detail.remotePeer.equals(peer) && evt.detail.remoteAddr.equals(remoteAddr)) connection = evt.detail
        }
        this.components.events.addEventListener('connection:open', opened)
        try {
          await this.components.upgrader.upgradeInbound(maConn, { signal: upgradeSignal })
        } finally {
          this.components.events.removeEventListener('connection:open', opened)
        }
      }
    } catch (err) {
      maConn.abort(err as Error)
      throw new UpgradeFailedError(`upgrading the punched socket to ${peer.toString()} as ${role} failed: ${(err as Error).message}`, { cause: err })
    }
    if (connection === undefined) throw new UpgradeFailedError(`the ${role} upgrade with ${peer.toString()} produced no connection`)
    return {
      peer,
      connection,
      role,
      side,
      attempt,
      ms: performance.now() - started,
      sinceRelayedMs: Date.now() - relayed.timeline.open,
      localPort: observation.localPort,
      remote
    }
  }
}

/**
 * A libp2p service that upgrades relayed connections to direct TCP connections by hole punching. Needs the TCP and
 * circuit-relay transports and identify.
 *
 * @example
 * ```ts
 * import { createLibp2p } from 'libp2p'
 * import { tcpHolePunch } from '@tessera/holepunch'
 *
 * const node = await createLibp2p({
 *   transports: [tcp(), circuitRelayTransport()],
 *   connectionEncrypters: [noise()],
 *   streamMuxers: [yamux()],
 *   services: { identify: identify(), holePunch: tcpHolePunch() }
 * })
 * node.services.holePunch.addEventListener('hole-punch:success', (evt) => {
 *   console.log('direct to', evt.detail.peer.toString(), 'in', evt.detail.ms, 'ms')
 * })
 * ```
 */
export function tcpHolePunch (init: TcpHolePunchInit = {}): (components: TcpHolePunchComponents) => TcpHolePunch {
  resolveSettings(init)
  return (components) => new TcpHolePunchService(components, init)
}
