import { AbortError } from '@libp2p/interface'
import { logger } from '@libp2p/logger'
import { lpStream, UnexpectedEOFError } from '@libp2p/utils'
import { isLibp2pError } from '@tessera/holepunch'
import { DEFAULT_METRICS_INTERVAL_MS, FRAME_OVERHEAD_BYTES, METRICS_PROTOCOL, decodeMetricsSample, encodeMetricsSample } from '@tessera/wire'
import { MAX_METRICS_PUSHES_PER_INTERVAL, METRICS_STALE_INTERVALS } from './constants.js'
import { NodeNotStartedError } from './errors.js'
import type { Connection, IdentifyResult, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { LengthPrefixedStream } from '@libp2p/utils'
import type { MetricsSample } from '@tessera/wire'
import type { Uint8ArrayList } from 'uint8arraylist'

const log = logger('tessera:peer:metrics')

/** A metrics frame is a handful of varints; anything larger is not a sample. */
const MAX_METRICS_FRAME_BYTES = FRAME_OVERHEAD_BYTES

/** Inbound metrics streams one connection may hold open (a pusher keeps one). */
const MAX_INBOUND_METRICS_STREAMS = 4

export interface MetricsServiceInit {
  /** Push period (default DEFAULT_METRICS_INTERVAL_MS of @tessera/wire, 3 s). */
  intervalMs?: number
  /** Timeout of one push or read (default the interval). */
  timeoutMs?: number
  /** Most peers pushed to per interval, the least recently pushed first (default MAX_METRICS_PUSHES_PER_INTERVAL, 24). */
  maxPushesPerInterval?: number
  /**
   * Whom to push to: `everyone` connected (default; a coordinator or a dashboard, which want samples back), or only
   * `listeners`, the peers pushing to this node (a volunteer: other volunteers do nothing with its samples, and
   * pushing to all of them kept ~100 streams per node open in a 100-node network).
   */
  pushTo?: 'everyone' | 'listeners'
}

/** The latest sample received from a peer. */
export interface PeerSample {
  peerId: string
  sample: MetricsSample
  /** Local clock when it arrived (ms since the epoch). */
  receivedAtMs: number
}

export interface MetricsServiceEvents {
  /** A sample arrived from a connected peer. */
  sample: CustomEvent<PeerSample>
}

/** The stream a pusher keeps open to one peer. */
interface PushStream {
  stream: Stream
  lp: LengthPrefixedStream
}

/**
 * `/tessera/metrics/1.0.0`: every interval the node pushes one short-term load sample to each connected peer that
 * speaks the protocol, and keeps the latest sample of each peer that pushes to it. Samples older than three
 * intervals, or of disconnected peers, are dropped.
 *
 * A pusher keeps one stream per peer open and writes each sample on it, so a push is one small frame rather than a
 * stream set-up (a protocol negotiation round trip) and tear-down; with a near-full mesh of 50 nodes in one process
 * the per-push streams alone were thousands of negotiations a minute. A receiver reads any number of samples from a
 * stream until it goes quiet for three of its intervals (at least three default intervals); a pusher whose stream
 * was closed or failed opens a new one at its next push. Which peers speak the protocol is learnt from identify, so
 * a push does not read the peer store.
 */
export class MetricsService extends EventTarget {
  private readonly node: Libp2p
  private readonly sampler: () => MetricsSample
  readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly idleTimeoutMs: number
  private readonly latestByPeer = new Map<string, PeerSample>()
  private readonly outbound = new Map<string, PushStream>()
  private readonly maxPushesPerInterval: number
  /** When each peer was last pushed to (a tick counter), so a capped interval serves the longest-waiting peers. */
  private readonly lastPushTick = new Map<string, number>()
  private tick = 0
  private readonly inbound = new Set<Stream>()
  /** Open inbound streams per peer: a peer with one is pushing to this node. */
  private readonly pushers = new Map<string, number>()
  private pushTo: 'everyone' | 'listeners'
  /** Whether each connected peer speaks the protocol, from its identify result (absent: not known yet). */
  private readonly speaks = new Map<string, boolean>()
  private timer?: ReturnType<typeof setInterval>
  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => {
    const peer = evt.detail.toString()
    this.latestByPeer.delete(peer)
    this.speaks.delete(peer)
    this.lastPushTick.delete(peer)
    this.dropOutbound(peer)
  }

  private readonly onIdentify = (evt: CustomEvent<IdentifyResult>): void => {
    this.speaks.set(evt.detail.peerId.toString(), evt.detail.protocols.includes(METRICS_PROTOCOL))
  }

  private pushing = false
  private stopped = false

  constructor (node: Libp2p, sampler: () => MetricsSample, init: MetricsServiceInit = {}) {
    super()
    this.node = node
    this.sampler = sampler
    this.intervalMs = init.intervalMs ?? DEFAULT_METRICS_INTERVAL_MS
    this.timeoutMs = init.timeoutMs ?? this.intervalMs
    this.maxPushesPerInterval = init.maxPushesPerInterval ?? MAX_METRICS_PUSHES_PER_INTERVAL
    this.pushTo = init.pushTo ?? 'everyone'
    // Pushers may run a longer interval than this node (a coordinator pushes every second, serving nodes every 3 s).
    this.idleTimeoutMs = METRICS_STALE_INTERVALS * Math.max(this.intervalMs, DEFAULT_METRICS_INTERVAL_MS)
  }

  async start (): Promise<void> {
    await this.node.handle(METRICS_PROTOCOL, (stream, connection) => { void this.receive(stream, connection) }, {
      runOnLimitedConnection: true,
      maxInboundStreams: MAX_INBOUND_METRICS_STREAMS
    })
    this.node.addEventListener('peer:disconnect', this.onDisconnect)
    this.node.addEventListener('peer:identify', this.onIdentify)
    this.timer = setInterval(() => { void this.pushAll() }, this.intervalMs)
    this.timer.unref?.()
  }

  async stop (): Promise<void> {
    this.stopped = true
    if (this.timer != null) clearInterval(this.timer)
    this.node.removeEventListener('peer:disconnect', this.onDisconnect)
    this.node.removeEventListener('peer:identify', this.onIdentify)
    await this.node.unhandle(METRICS_PROTOCOL)
    for (const peer of [...this.outbound.keys()]) this.dropOutbound(peer)
    for (const stream of this.inbound) stream.abort(new NodeNotStartedError('the metrics service is stopping'))
    this.inbound.clear()
  }

  /** Pushes to every connected peer from now on (a coordinator or dashboard on a volunteer's node wants samples). */
  pushToEveryone (): void {
    this.pushTo = 'everyone'
  }

  /** Latest fresh sample of each peer, keyed by peer id string. */
  latest (): Map<string, PeerSample> {
    this.prune(Date.now())
    return new Map(this.latestByPeer)
  }

  /**
   * Pushes the current sample to every connected peer that speaks the protocol — at most `maxPushesPerInterval` of
   * them, those pushed to least recently first; resolves when all are done.
   */
  async pushAll (): Promise<number> {
    // A slow round (a peer timing out) must not pile up behind the next tick.
    if (this.pushing || this.stopped) return 0
    this.pushing = true
    try {
      this.prune(Date.now())
      const frame = encodeMetricsSample(this.sampler())
      const peers = new Map<string, PeerId>()
      for (const c of this.node.getConnections()) {
        const key = c.remotePeer.toString()
        if (this.pushTo === 'everyone' || this.pushers.has(key)) peers.set(key, c.remotePeer)
      }
      const tick = ++this.tick
      const speaking: Array<[string, PeerId]> = []
      for (const [key, peer] of peers) {
        if (await this.speaksMetrics(key, peer)) speaking.push([key, peer])
      }
      // Array.prototype.sort is stable: among equally waiting peers the connection order decides.
      speaking.sort((a, b) => (this.lastPushTick.get(a[0]) ?? 0) - (this.lastPushTick.get(b[0]) ?? 0))
      const chosen = speaking.slice(0, this.maxPushesPerInterval)
      const pushed = await Promise.all(chosen.map(async ([key, peer]) => {
        this.lastPushTick.set(key, tick)
        try {
          await this.push(key, peer, frame)
          return true
        } catch (err) {
          // A peer that cannot take a sample now (gone, busy, timed out) misses one; the next interval tries again.
          log('pushing a sample to %p failed - %e', peer, err)
          return false
        }
      }))
      return pushed.filter(Boolean).length
    } finally {
      this.pushing = false
    }
  }

  private async speaksMetrics (key: string, peer: PeerId): Promise<boolean> {
    const known = this.speaks.get(key)
    if (known !== undefined) return known
    // Connected before this service started, or identify has not finished: the peer store has what is known.
    try {
      const p = await this.node.peerStore.get(peer)
      return p.protocols.includes(METRICS_PROTOCOL)
    } catch (err) {
      // Not in the peer store yet: nothing says it speaks the protocol, and identify will tell.
      log.trace('no peer store entry for %p - %e', peer, err)
      return false
    }
  }

  private async push (key: string, peer: PeerId, frame: Uint8Array): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    let out = this.outbound.get(key)
    if (out == null) {
      const stream = await this.node.dialProtocol(peer, METRICS_PROTOCOL, { signal, runOnLimitedConnection: true })
      if (this.stopped) {
        stream.abort(new NodeNotStartedError('the metrics service is stopping'))
        return
      }
      out = { stream, lp: lpStream(stream, { maxDataLength: MAX_METRICS_FRAME_BYTES }) }
      this.outbound.set(key, out)
      const opened = out
      // The receiver closes a quiet stream (or an older receiver after a few samples): open a new one next time.
      stream.addEventListener('close', () => { if (this.outbound.get(key) === opened) this.outbound.delete(key) }, { once: true })
    }
    try {
      await out.lp.write(frame, { signal })
    } catch (err) {
      if (this.outbound.get(key) === out) this.outbound.delete(key)
      out.stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  private dropOutbound (peer: string): void {
    const out = this.outbound.get(peer)
    if (out == null) return
    this.outbound.delete(peer)
    void out.stream.close({ signal: AbortSignal.timeout(this.timeoutMs) }).catch((err: Error) => {
      // The peer is gone or stopping: the stream ends with a reset instead.
      log.trace('closing the push stream to %s failed, aborting it - %e', peer, err)
      out.stream.abort(err)
    })
  }

  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: MAX_METRICS_FRAME_BYTES })
    const peerId = connection.remotePeer.toString()
    this.inbound.add(stream)
    this.pushers.set(peerId, (this.pushers.get(peerId) ?? 0) + 1)
    try {
      for (let frame = await this.readSample(lp); frame !== undefined; frame = await this.readSample(lp)) {
        const sample = decodeMetricsSample(frame)
        const entry: PeerSample = { peerId, sample, receivedAtMs: Date.now() }
        this.latestByPeer.set(peerId, entry)
        this.dispatchEvent(new CustomEvent('sample', { detail: entry }))
      }
      await stream.close({ signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (err) {
      // A malformed or oversized sample, or a broken stream: drop the stream, keep the peer's previous sample.
      log('dropping the metrics stream from %s - %e', peerId, err)
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    } finally {
      this.inbound.delete(stream)
      const open = (this.pushers.get(peerId) ?? 1) - 1
      if (open > 0) this.pushers.set(peerId, open)
      else this.pushers.delete(peerId)
    }
  }

  /** The next sample frame; undefined once the pusher closed the stream or it went quiet (then we close ours). */
  private async readSample (lp: LengthPrefixedStream): Promise<Uint8ArrayList | undefined> {
    const idle = AbortSignal.timeout(this.idleTimeoutMs)
    try {
      return await lp.read({ signal: idle })
    } catch (err) {
      if (idle.aborted || isLibp2pError(err, UnexpectedEOFError) || isLibp2pError(err, AbortError)) return undefined
      throw err
    }
  }

  private prune (nowMs: number): void {
    const maxAgeMs = METRICS_STALE_INTERVALS * this.intervalMs
    for (const [peer, entry] of this.latestByPeer) {
      if (nowMs - entry.receivedAtMs > maxAgeMs) this.latestByPeer.delete(peer)
    }
  }
}
