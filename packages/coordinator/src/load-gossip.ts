/**
 * Load gossip into short-term memory: every peer pushes a metrics sample each period; the coordinator turns it into
 * the queue, in-flight calls and — for a peer it has not called lately — the throughput left for it. A client-only
 * node has no metrics service: the coordinator starts one so peers push to it.
 */
import { logger } from '@libp2p/logger'
import type { LongTermMemory, ShortTermMemory } from '@tessera/memory'
import { MetricsService } from '@tessera/peer'
import type { PeerSample, TesseraNode } from '@tessera/peer'
import type { MetricsSample } from '@tessera/wire'
import { COORDINATOR_METRICS_INTERVAL_MS, MAX_OTHERS_UTILISATION, RECENT_SPEED_WINDOW_MS } from './constants.js'
import type { PeerTarget } from './peers.js'
import type { RecentBusy } from './recent-busy.js'

const log = logger('tessera:coordinator:gossip')

/** Options of {@link listenToLoadGossip}. */
export interface LoadGossipInit {
  node: TesseraNode
  shortTerm: ShortTermMemory
  longTerm: LongTermMemory
  /** The peers found so far (gossip of others is observed without a throughput). */
  targets: ReadonlyMap<string, PeerTarget>
  recentBusy: RecentBusy
  now: () => number
  /** Push period of the coordinator's own metrics service when its node has none, ms (default {@link COORDINATOR_METRICS_INTERVAL_MS}). */
  metricsIntervalMs?: number
  /** Told every sample as it arrives, before it is observed (live views read peers' load from it). */
  onPeerSample?: (sample: PeerSample) => void
}

/** A listener on the load gossip. */
export interface LoadGossip {
  /** Resolves once samples are being received. */
  ready: Promise<void>
  stop: () => Promise<void>
}

/**
 * Observes one sample of `peerId` into short-term memory: its queue and calls in flight, the share of its pool
 * other users take, and — for a peer this coordinator has not called lately — the rate left for it, MAC/s.
 */
function observeSample (init: LoadGossipInit, peerId: string, sample: MetricsSample, nowMs: number): void {
  const target = init.targets.get(peerId)
  let throughput: number | undefined
  if (target !== undefined && sample.windowMs > 0) {
    // The gossip says how busy the peer's pool was over its last window; what this coordinator itself sent there
    // is known here, and the rest is other users' load. The rate left for us is the advertised one scaled by what
    // the others leave free.
    const busy = Math.min(1, (sample.executesInWindow * sample.mvmLatencyP50Ms) / sample.windowMs)
    const ours = init.recentBusy.since(peerId, nowMs - sample.windowMs) / sample.windowMs
    const others = Math.min(MAX_OTHERS_UTILISATION, Math.max(0, busy - ours))
    init.recentBusy.setOthers(peerId, others)
    // Each call of ours reports the device speed it saw (scaled by this share; see shard-calls.ts). A peer we have
    // not called lately gets what long-term memory remembers of its speed, else the record's advertised figure
    // (2 FLOPs per MAC).
    if (init.recentBusy.macsPerSecond(peerId, nowMs - RECENT_SPEED_WINDOW_MS) === undefined) {
      throughput = (init.longTerm.throughput(peerId, nowMs) ?? (target.record.throughputGflopPerSecond * 1e9) / 2) * (1 - others)
    }
  }
  init.shortTerm.observe(peerId, { queueDepth: sample.queueDepth, inFlight: sample.inFlight, ...(throughput !== undefined && throughput > 0 ? { throughput } : {}) }, nowMs)
}

/** Starts feeding the node's load gossip into short-term memory. */
export function listenToLoadGossip (init: LoadGossipInit): LoadGossip {
  const { node } = init
  const intervalMs = init.metricsIntervalMs ?? COORDINATOR_METRICS_INTERVAL_MS
  const ownMetrics = node.metrics == null
    ? new MetricsService(node.libp2p, () => ({ queueDepth: 0, inFlight: 0, mvmLatencyP50Ms: 0, tilesFree: 0, tilesTotal: 0, sampledAtMs: Math.floor(Date.now()), windowMs: intervalMs, executesInWindow: 0 }), { intervalMs })
    : undefined
  const onSample = (evt: Event): void => {
    const detail = (evt as CustomEvent<PeerSample>).detail
    const { peerId, sample } = detail
    init.onPeerSample?.(detail)
    log.trace('sample from %s: queue %d, in flight %d', peerId, sample.queueDepth, sample.inFlight)
    observeSample(init, peerId, sample, init.now())
  }
  const ready = ownMetrics === undefined
    ? Promise.resolve()
    : ownMetrics.start().then(() => { ownMetrics.addEventListener('sample', onSample) })
  if (ownMetrics === undefined) {
    // A volunteer's own service pushes only to peers pushing to it: as a coordinator's, it must start the exchange.
    node.metrics?.pushToEveryone()
    node.metrics?.addEventListener('sample', onSample)
  }
  return {
    ready,
    async stop () {
      await ready
      ownMetrics?.removeEventListener('sample', onSample)
      node.metrics?.removeEventListener('sample', onSample)
      await ownMetrics?.stop()
    }
  }
}
