import { lpStream } from '@libp2p/utils'
import { DEFAULT_METRICS_INTERVAL_MS, FRAME_OVERHEAD_BYTES, METRICS_PROTOCOL, decodeMetricsSample, encodeMetricsSample } from '@tessera/wire'
import { METRICS_STALE_INTERVALS } from './constants.js'
import type { Connection, Libp2p, PeerId, Stream } from '@libp2p/interface'
import type { MetricsSample } from '@tessera/wire'

/** A metrics frame is a handful of varints; anything larger is not a sample. */
const MAX_METRICS_FRAME_BYTES = FRAME_OVERHEAD_BYTES

/** Most samples read from one inbound stream before it is closed (a pusher sends one per stream). */
const MAX_SAMPLES_PER_STREAM = 4

export interface MetricsServiceInit {
  /** Push period (default DEFAULT_METRICS_INTERVAL_MS of @tessera/wire, 3 s). */
  intervalMs?: number
  /** Timeout of one push or read (default the interval). */
  timeoutMs?: number
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

/**
 * `/tessera/metrics/1.0.0`: every interval the node pushes one short-term load sample to each connected peer that
 * speaks the protocol (one short stream per push, so no long-lived stream state to repair), and keeps the latest
 * sample of each peer that pushes to it. Samples older than three intervals, or of disconnected peers, are dropped.
 */
export class MetricsService extends EventTarget {
  private readonly node: Libp2p
  private readonly sampler: () => MetricsSample
  readonly intervalMs: number
  private readonly timeoutMs: number
  private readonly latestByPeer = new Map<string, PeerSample>()
  private timer?: ReturnType<typeof setInterval>
  private readonly onDisconnect = (evt: CustomEvent<PeerId>): void => { this.latestByPeer.delete(evt.detail.toString()) }
  private pushing = false

  constructor (node: Libp2p, sampler: () => MetricsSample, init: MetricsServiceInit = {}) {
    super()
    this.node = node
    this.sampler = sampler
    this.intervalMs = init.intervalMs ?? DEFAULT_METRICS_INTERVAL_MS
    this.timeoutMs = init.timeoutMs ?? this.intervalMs
  }

  async start (): Promise<void> {
    await this.node.handle(METRICS_PROTOCOL, (stream, connection) => { void this.receive(stream, connection) }, {
      runOnLimitedConnection: true
    })
    this.node.addEventListener('peer:disconnect', this.onDisconnect)
    this.timer = setInterval(() => { void this.pushAll() }, this.intervalMs)
    this.timer.unref?.()
  }

  async stop (): Promise<void> {
    if (this.timer != null) clearInterval(this.timer)
    this.node.removeEventListener('peer:disconnect', this.onDisconnect)
    await this.node.unhandle(METRICS_PROTOCOL)
  }

  /** Latest fresh sample of each peer, keyed by peer id string. */
  latest (): Map<string, PeerSample> {
    this.prune(Date.now())
    return new Map(this.latestByPeer)
  }

  /** Pushes the current sample to every connected peer that speaks the protocol; resolves when all are done. */
  async pushAll (): Promise<number> {
    // A slow round (a peer timing out) must not pile up behind the next tick.
    if (this.pushing) return 0
    this.pushing = true
    try {
      this.prune(Date.now())
      const frame = encodeMetricsSample(this.sampler())
      const peers = new Map<string, PeerId>()
      for (const c of this.node.getConnections()) peers.set(c.remotePeer.toString(), c.remotePeer)
      const results = await Promise.allSettled([...peers.values()].map(async (peer) => {
        if (!(await this.speaksMetrics(peer))) return false
        await this.push(peer, frame)
        return true
      }))
      return results.filter((r) => r.status === 'fulfilled' && r.value).length
    } finally {
      this.pushing = false
    }
  }

  private async speaksMetrics (peer: PeerId): Promise<boolean> {
    try {
      const p = await this.node.peerStore.get(peer)
      return p.protocols.includes(METRICS_PROTOCOL)
    } catch {
      return false
    }
  }

  private async push (peer: PeerId, frame: Uint8Array): Promise<void> {
    const signal = AbortSignal.timeout(this.timeoutMs)
    const stream = await this.node.dialProtocol(peer, METRICS_PROTOCOL, { signal, runOnLimitedConnection: true })
    try {
      const lp = lpStream(stream, { maxDataLength: MAX_METRICS_FRAME_BYTES })
      await lp.write(frame, { signal })
      await stream.close({ signal })
    } catch (err) {
      stream.abort(err instanceof Error ? err : new Error(String(err)))
      throw err
    }
  }

  private async receive (stream: Stream, connection: Connection): Promise<void> {
    const lp = lpStream(stream, { maxDataLength: MAX_METRICS_FRAME_BYTES })
    const peerId = connection.remotePeer.toString()
    try {
      for (let i = 0; i < MAX_SAMPLES_PER_STREAM; i++) {
        let frame
        try {
          frame = await lp.read({ signal: AbortSignal.timeout(this.timeoutMs) })
        } catch (err: any) {
          if (err?.name === 'UnexpectedEOFError') break
          throw err
        }
        const sample = decodeMetricsSample(frame)
        const entry: PeerSample = { peerId, sample, receivedAtMs: Date.now() }
        this.latestByPeer.set(peerId, entry)
        this.dispatchEvent(new CustomEvent('sample', { detail: entry }))
      }
      await stream.close({ signal: AbortSignal.timeout(this.timeoutMs) })
    } catch (err) {
      // A malformed or oversized sample: drop the stream, keep the peer's previous sample.
      stream.abort(err instanceof Error ? err : new Error(String(err)))
    }
  }

  private prune (nowMs: number): void {
    const maxAgeMs = METRICS_STALE_INTERVALS * this.intervalMs
    for (const [peer, entry] of this.latestByPeer) {
      if (nowMs - entry.receivedAtMs > maxAgeMs) this.latestByPeer.delete(peer)
    }
  }
}
