/**
 * Short-term memory: per peer, sliding windows (seconds to a minute) of load and latency, fed by the metrics
 * gossip and by the coordinator's own observations. Pure and clock-injected: every call takes `nowMs`.
 */
import { SHORT_TERM_DEFAULTS } from './constants.js'
import { ClockWentBackwardsError, InvalidMemoryOptionError, InvalidSampleError } from './errors.js'
import { TimeWindow } from './short-term-window.js'
import type { MetricSummary, ShortTermStats } from './peer-stats.js'

/** The numeric metrics a short-term window tracks. */
export type ShortTermMetric = 'queueDepth' | 'inFlight' | 'latencyMs' | 'serviceMs' | 'throughput'

/** Every {@link ShortTermMetric}, in a fixed order. */
export const SHORT_TERM_METRICS: readonly ShortTermMetric[] = ['queueDepth', 'inFlight', 'latencyMs', 'serviceMs', 'throughput']

/**
 * One observation of a peer. Every field is optional: a metrics gossip sample carries the peer's own view
 * (queue depth, in-flight work, throughput), the coordinator's observation of a shard call carries its round
 * trip, the execution time the peer reported and whether it succeeded.
 */
export interface ShortTermSample {
  /** Requests waiting in the peer's queue. */
  queueDepth?: number
  /** Requests the peer is executing now. */
  inFlight?: number
  /** Shard round trip seen by the coordinator, in milliseconds. */
  latencyMs?: number
  /** Time the peer spent executing one shard request, in milliseconds (reported by the peer). */
  serviceMs?: number
  /** Measured throughput, in MACs per second. */
  throughput?: number
  /** Outcome of a shard call: `false` counts towards the error rate. */
  ok?: boolean
}

/** Options of {@link createShortTermMemory}. */
export interface ShortTermMemoryInit {
  /** Window length in ms (default {@link SHORT_TERM_DEFAULTS.windowMs}, one minute). */
  windowMs?: number
  /** Ring-buffer size per metric per peer (default {@link SHORT_TERM_DEFAULTS.samplesPerWindow}). */
  samplesPerWindow?: number
  /** Peers kept; the least recently observed is forgotten first (default {@link SHORT_TERM_DEFAULTS.maxPeers}). */
  maxPeers?: number
  /** EMA smoothing factor per sample, in (0, 1] (default {@link SHORT_TERM_DEFAULTS.emaAlpha}). */
  emaAlpha?: number
}

/** Short-term memory of every peer a coordinator talks to. */
export interface ShortTermMemory {
  readonly windowMs: number
  /** Records one observation of `peerId` taken at `nowMs`. */
  observe: (peerId: string, sample: ShortTermSample, nowMs: number) => void
  /** Summary of one metric over the window, or `undefined` when the window holds no sample of it. */
  summary: (peerId: string, metric: ShortTermMetric, nowMs: number) => Readonly<MetricSummary> | undefined
  /** The `q`-quantile (0..1) of one metric over the window, or `undefined` when there is no sample. */
  quantile: (peerId: string, metric: ShortTermMetric, q: number, nowMs: number) => number | undefined
  /** Failed ÷ all shard calls in the window, or `undefined` when there was none. */
  errorRate: (peerId: string, nowMs: number) => number | undefined
  /** Everything known about `peerId` in the window, or `undefined` for an unknown peer. */
  stats: (peerId: string, nowMs: number) => ShortTermStats | undefined
  /** Peers currently tracked, least recently observed first. */
  peers: () => string[]
  /** Drops a peer's windows. */
  forget: (peerId: string) => void
}

interface PeerWindows {
  metrics: Record<ShortTermMetric, TimeWindow>
  outcomes: TimeWindow
  lastSeenMs: number
}

/**
 * Creates an empty short-term memory. Times must not go backwards per peer (a {@link ClockWentBackwardsError}
 * otherwise, and the observation is not recorded): feed it a monotonic clock such as
 * `performance.timeOrigin + performance.now()`, or the simulator's.
 *
 * @example
 * ```ts
 * const memory = createShortTermMemory({ windowMs: 30_000 })
 * memory.observe('12D3KooW…', { latencyMs: 14.2, ok: true }, Date.now())
 * memory.stats('12D3KooW…', Date.now())?.latencyMs?.p95
 * ```
 */
export function createShortTermMemory (init: ShortTermMemoryInit = {}): ShortTermMemory {
  const windowMs = init.windowMs ?? SHORT_TERM_DEFAULTS.windowMs
  const capacity = init.samplesPerWindow ?? SHORT_TERM_DEFAULTS.samplesPerWindow
  const maxPeers = init.maxPeers ?? SHORT_TERM_DEFAULTS.maxPeers
  const alpha = init.emaAlpha ?? SHORT_TERM_DEFAULTS.emaAlpha
  if (!Number.isFinite(windowMs) || windowMs <= 0) throw new InvalidMemoryOptionError(`windowMs must be positive, got ${windowMs}`)
  if (!Number.isInteger(capacity) || capacity < 1) throw new InvalidMemoryOptionError(`samplesPerWindow must be a positive integer, got ${capacity}`)
  if (!Number.isInteger(maxPeers) || maxPeers < 1) throw new InvalidMemoryOptionError(`maxPeers must be a positive integer, got ${maxPeers}`)
  if (!(alpha > 0 && alpha <= 1)) throw new InvalidMemoryOptionError(`emaAlpha must be in (0, 1], got ${alpha}`)

  // Map iteration order is insertion order: re-inserting on every observation keeps it least-recent first.
  const peers = new Map<string, PeerWindows>()
  const scratch = new Float64Array(capacity)

  const newPeer = (): PeerWindows => ({
    metrics: {
      queueDepth: new TimeWindow(windowMs, capacity),
      inFlight: new TimeWindow(windowMs, capacity),
      latencyMs: new TimeWindow(windowMs, capacity),
      serviceMs: new TimeWindow(windowMs, capacity),
      throughput: new TimeWindow(windowMs, capacity)
    },
    outcomes: new TimeWindow(windowMs, capacity),
    lastSeenMs: Number.NEGATIVE_INFINITY
  })

  const summarise = (window: TimeWindow, nowMs: number): Readonly<MetricSummary> | undefined => window.summary(alpha, nowMs)

  return {
    windowMs,
    observe (peerId, sample, nowMs) {
      checkPeerId(peerId)
      checkSample(sample)
      if (!Number.isFinite(nowMs)) throw new InvalidSampleError(`nowMs must be finite, got ${nowMs}`)
      let entry = peers.get(peerId)
      // Check the clock against every window first, so a rejected observation changes nothing.
      if (entry !== undefined) {
        const m = entry.metrics
        checkClock(m.queueDepth, nowMs)
        checkClock(m.inFlight, nowMs)
        checkClock(m.latencyMs, nowMs)
        checkClock(m.serviceMs, nowMs)
        checkClock(m.throughput, nowMs)
        checkClock(entry.outcomes, nowMs)
      }
      if (entry === undefined) {
        entry = newPeer()
      } else {
        peers.delete(peerId)
      }
      peers.set(peerId, entry)
      // Each metric by name (not by a loop over the names): observations come by the million in a simulation.
      const m = entry.metrics
      if (sample.queueDepth !== undefined) m.queueDepth.push(sample.queueDepth, nowMs)
      if (sample.inFlight !== undefined) m.inFlight.push(sample.inFlight, nowMs)
      if (sample.latencyMs !== undefined) m.latencyMs.push(sample.latencyMs, nowMs)
      if (sample.serviceMs !== undefined) m.serviceMs.push(sample.serviceMs, nowMs)
      if (sample.throughput !== undefined) m.throughput.push(sample.throughput, nowMs)
      if (sample.ok !== undefined) entry.outcomes.push(sample.ok ? 0 : 1, nowMs)
      entry.lastSeenMs = Math.max(entry.lastSeenMs, nowMs)
      while (peers.size > maxPeers) {
        const oldest = peers.keys().next().value as string
        peers.delete(oldest)
      }
    },
    summary (peerId, metric, nowMs) {
      const entry = peers.get(peerId)
      return entry === undefined ? undefined : summarise(entry.metrics[metric], nowMs)
    },
    quantile (peerId, metric, q, nowMs) {
      const entry = peers.get(peerId)
      return entry?.metrics[metric].quantile(q, nowMs, scratch)
    },
    errorRate (peerId, nowMs) {
      return peers.get(peerId)?.outcomes.mean(nowMs)
    },
    stats (peerId, nowMs) {
      const entry = peers.get(peerId)
      if (entry === undefined) return undefined
      return {
        peerId,
        lastSeenMs: entry.lastSeenMs,
        queueDepth: summarise(entry.metrics.queueDepth, nowMs),
        inFlight: summarise(entry.metrics.inFlight, nowMs),
        latencyMs: summarise(entry.metrics.latencyMs, nowMs),
        serviceMs: summarise(entry.metrics.serviceMs, nowMs),
        throughput: summarise(entry.metrics.throughput, nowMs),
        calls: entry.outcomes.size(nowMs),
        errorRate: entry.outcomes.mean(nowMs)
      }
    },
    peers () {
      return [...peers.keys()]
    },
    forget (peerId) {
      peers.delete(peerId)
    }
  }
}

/** Throws {@link InvalidSampleError} unless `peerId` can be a datastore key segment. */
export function checkPeerId (peerId: unknown): asserts peerId is string {
  if (typeof peerId !== 'string' || peerId.length === 0 || peerId.includes('/')) {
    throw new InvalidSampleError(`invalid peer id ${JSON.stringify(peerId)}`)
  }
}

function checkClock (window: TimeWindow, nowMs: number): void {
  if (nowMs < window.clockMs) throw new ClockWentBackwardsError(`nowMs ${nowMs} is before ${window.clockMs}`)
}

function checkValue (metric: ShortTermMetric, value: number | undefined): void {
  if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
    throw new InvalidSampleError(`${metric} must be a finite, non-negative number, got ${String(value)}`)
  }
}

function checkSample (sample: ShortTermSample): void {
  checkValue('queueDepth', sample.queueDepth)
  checkValue('inFlight', sample.inFlight)
  checkValue('latencyMs', sample.latencyMs)
  checkValue('serviceMs', sample.serviceMs)
  checkValue('throughput', sample.throughput)
  if (sample.ok !== undefined && typeof sample.ok !== 'boolean') throw new InvalidSampleError('ok must be a boolean')
}
