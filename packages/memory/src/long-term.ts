/**
 * Long-term memory: per peer, time-bucketed sums (hours to days) of shard-call outcomes, latency, throughput,
 * result error and availability, with decayed averages and a trend estimate; persisted in a datastore and
 * kept across restarts. Pure and clock-injected: every call takes `nowMs`.
 */
import { Key } from 'interface-datastore'
import type { Datastore } from 'interface-datastore'
import {
  LONG_TERM_BUCKET_MS,
  LONG_TERM_HALF_LIFE_MS,
  LONG_TERM_KEY_PREFIX,
  LONG_TERM_MAX_AGE_MS,
  LONG_TERM_MAX_BUCKETS,
  LONG_TERM_MAX_PEERS,
  LONG_TERM_PRIOR_AVAILABILITY,
  LONG_TERM_PRIOR_FAILURE_RATE,
  LONG_TERM_PRIOR_WEIGHT,
  LONG_TERM_TREND_BUCKETS,
  LONG_TERM_TREND_MIN_BUCKETS,
  LONG_TERM_TREND_MIN_RELATIVE_CHANGE,
  LONG_TERM_TREND_T_THRESHOLD
} from './constants.js'
import {
  ClockWentBackwardsError, CorruptMemoryRecordError, InvalidMemoryOptionError, InvalidSampleError
} from './errors.js'
import { decodeLongTermRecord, encodeLongTermRecord } from './long-term-codec.js'
import { fitTrend, isSignificant } from './long-term-trend.js'
import { checkPeerId } from './short-term.js'
import type { LongTermBucket, LongTermRecord } from './long-term-codec.js'
import type { TrendFit, TrendThresholds } from './long-term-trend.js'
import type { LongTermStats, TrendDirection, TrendEstimate } from './peer-stats.js'

const MS_PER_HOUR = 3_600_000
/** Relative changes of a failure rate are measured against at least this level (one failure in a hundred). */
const FAILURE_RATE_LEVEL_FLOOR = 0.01
/** Relative changes of latency and throughput: only guards against a zero mean. */
const LEVEL_FLOOR = 1e-9

/** One observation for long-term memory; every field is optional. */
export interface LongTermObservation {
  /** Outcome of a shard call. */
  ok?: boolean
  /** Shard round trip, ms. */
  latencyMs?: number
  /** Measured throughput, MACs per second. */
  throughput?: number
  /** Relative result error found by verification (|y − y_ref| / |y_ref|, dimensionless). */
  resultError?: number
  /** Result of an availability check (dial, ping or capacity-record refresh). */
  up?: boolean
}

/** Options of {@link createLongTermMemory}; every field has a default in constants.ts. */
export interface LongTermMemoryInit {
  /** Where entries persist (the node passes its datastore-level store). Without one, load/save are no-ops. */
  datastore?: Datastore
  /** Key prefix of the entries (default {@link LONG_TERM_KEY_PREFIX}). */
  keyPrefix?: string
  /** Bucket width, ms (default one hour; simulations use seconds). */
  bucketMs?: number
  /** Buckets kept per peer (default 72). */
  maxBuckets?: number
  /** Peers kept; the least recently seen goes first (default 1024). */
  maxPeers?: number
  /** A peer unseen for this long is dropped, ms (default seven days). */
  maxAgeMs?: number
  /** Half-life of the decay weighting old buckets in averages, ms (default one day). */
  halfLifeMs?: number
  /** Most recent buckets the trend regression uses (default 24). */
  trendBuckets?: number
  /** Fewest non-empty buckets for a non-stable trend (default 6). */
  trendMinBuckets?: number
  /** |t| needed for a trend (default 3). */
  trendTThreshold?: number
  /** Smallest relative change over the fitted span for a trend (default 0.1). */
  trendMinRelativeChange?: number
  /** Failure rate assumed for a peer without history (default 0.05). */
  priorFailureRate?: number
  /** Availability assumed for a peer without history (default 0.95). */
  priorAvailability?: number
  /** Weight of the priors, in pseudo-observations (default 10). */
  priorWeight?: number
}

/** Outcome of {@link LongTermMemory.load}. */
export interface LongTermLoadResult {
  /** Entries loaded into memory. */
  loaded: number
  /** Entries older than `maxAgeMs` (dropped from memory and deleted from the datastore on the next save). */
  expired: number
  /** Entries that failed to decode or validate; each was skipped, the rest loaded. */
  skipped: CorruptMemoryRecordError[]
}

/** Long-term memory of every peer a node has worked with. */
export interface LongTermMemory {
  readonly bucketMs: number
  /** Adds an observation of `peerId` made at `nowMs` to its current bucket. */
  observe: (peerId: string, observation: LongTermObservation, nowMs: number) => void
  /** Decayed averages and trends of `peerId` at `nowMs`, or `undefined` for an unknown peer. */
  stats: (peerId: string, nowMs: number) => LongTermStats | undefined
  /** Peers currently held, least recently seen first. */
  peers: () => string[]
  /** A copy of a peer's entry as it would be stored. */
  record: (peerId: string) => LongTermRecord | undefined
  /** Drops a peer (its entry is deleted from the datastore on the next save). */
  forget: (peerId: string) => void
  /** Drops peers unseen for more than `maxAgeMs`; returns their ids. */
  prune: (nowMs: number) => string[]
  /** Reads every entry under the key prefix; merges with anything already observed. */
  load: (nowMs: number) => Promise<LongTermLoadResult>
  /** Prunes, writes changed entries and deletes dropped ones in one batch; returns entries written. */
  save: (nowMs: number) => Promise<number>
}

interface PeerEntry {
  firstSeenMs: number
  lastSeenMs: number
  buckets: LongTermBucket[]
  dirty: boolean
}

/**
 * Creates a long-term memory, empty until {@link LongTermMemory.load} reads the datastore.
 *
 * @example
 * ```ts
 * const memory = createLongTermMemory({ datastore })
 * await memory.load(Date.now())
 * memory.observe('12D3KooW…', { ok: true, latencyMs: 18 }, Date.now())
 * memory.stats('12D3KooW…', Date.now())?.trend // 'stable'
 * await memory.save(Date.now())
 * ```
 */
export function createLongTermMemory (init: LongTermMemoryInit = {}): LongTermMemory {
  const bucketMs = positive('bucketMs', init.bucketMs ?? LONG_TERM_BUCKET_MS)
  const maxBuckets = positiveInteger('maxBuckets', init.maxBuckets ?? LONG_TERM_MAX_BUCKETS)
  const maxPeers = positiveInteger('maxPeers', init.maxPeers ?? LONG_TERM_MAX_PEERS)
  const maxAgeMs = positive('maxAgeMs', init.maxAgeMs ?? LONG_TERM_MAX_AGE_MS)
  const halfLifeMs = positive('halfLifeMs', init.halfLifeMs ?? LONG_TERM_HALF_LIFE_MS)
  const trendBuckets = positiveInteger('trendBuckets', init.trendBuckets ?? LONG_TERM_TREND_BUCKETS)
  const thresholds: TrendThresholds = {
    minBuckets: positiveInteger('trendMinBuckets', init.trendMinBuckets ?? LONG_TERM_TREND_MIN_BUCKETS),
    tThreshold: positive('trendTThreshold', init.trendTThreshold ?? LONG_TERM_TREND_T_THRESHOLD),
    minRelativeChange: nonNegative('trendMinRelativeChange', init.trendMinRelativeChange ?? LONG_TERM_TREND_MIN_RELATIVE_CHANGE)
  }
  const priorFailureRate = fraction('priorFailureRate', init.priorFailureRate ?? LONG_TERM_PRIOR_FAILURE_RATE)
  const priorAvailability = fraction('priorAvailability', init.priorAvailability ?? LONG_TERM_PRIOR_AVAILABILITY)
  const priorWeight = nonNegative('priorWeight', init.priorWeight ?? LONG_TERM_PRIOR_WEIGHT)
  const prefix = (init.keyPrefix ?? LONG_TERM_KEY_PREFIX).replace(/\/+$/, '')
  const datastore = init.datastore

  // Insertion order = least recently seen first (entries are re-inserted when seen).
  const peers = new Map<string, PeerEntry>()
  const deleted = new Set<string>()
  const times = new Float64Array(trendBuckets)
  const values = new Float64Array(trendBuckets)
  const weights = new Float64Array(trendBuckets)

  const keyOf = (peerId: string): Key => new Key(`${prefix}/${peerId}`)

  const touch = (peerId: string, entry: PeerEntry): void => {
    peers.delete(peerId)
    peers.set(peerId, entry)
    deleted.delete(peerId)
    while (peers.size > maxPeers) {
      const oldest = peers.keys().next().value as string
      peers.delete(oldest)
      deleted.add(oldest)
    }
  }

  const drop = (peerId: string): void => {
    if (peers.delete(peerId)) deleted.add(peerId)
  }

  const fit = (entry: PeerEntry, nowMs: number, select: (b: LongTermBucket) => [value: number, weight: number], floor: number): TrendFit => {
    const horizon = Math.floor(nowMs / bucketMs) * bucketMs - (trendBuckets - 1) * bucketMs
    let n = 0
    for (let i = Math.max(0, entry.buckets.length - trendBuckets); i < entry.buckets.length; i++) {
      const b = entry.buckets[i]
      if (b.startMs < horizon) continue
      const [value, weight] = select(b)
      times[n] = (b.startMs + bucketMs / 2 - nowMs) / MS_PER_HOUR
      values[n] = value
      weights[n] = weight
      n++
    }
    return fitTrend({ timesHours: times, values, weights, length: n }, floor)
  }

  const estimate = (f: TrendFit, risingIsBad: boolean): TrendEstimate => {
    const sign = isSignificant(f, thresholds)
    let direction: TrendDirection = 'stable'
    if (sign !== 0) direction = (sign > 0) === risingIsBad ? 'degrading' : 'improving'
    return { direction, slopePerHour: f.slopePerHour, relativeChange: f.relativeChange, tStatistic: f.tStatistic, buckets: f.buckets }
  }

  const merge = (peerId: string, record: LongTermRecord): void => {
    const existing = peers.get(peerId)
    const byStart = new Map<number, LongTermBucket>()
    for (const b of existing?.buckets ?? []) byStart.set(b.startMs, { ...b })
    for (const b of record.buckets) {
      const start = Math.floor(b.startMs / bucketMs) * bucketMs
      const into = byStart.get(start)
      if (into === undefined) byStart.set(start, { ...b, startMs: start })
      else addBucket(into, b)
    }
    const buckets = [...byStart.values()].sort((a, b) => a.startMs - b.startMs).slice(-maxBuckets)
    const entry: PeerEntry = {
      firstSeenMs: Math.min(record.firstSeenMs, existing?.firstSeenMs ?? Number.POSITIVE_INFINITY),
      lastSeenMs: Math.max(record.lastSeenMs, existing?.lastSeenMs ?? Number.NEGATIVE_INFINITY),
      buckets,
      dirty: existing !== undefined || record.bucketMs !== bucketMs
    }
    touch(peerId, entry)
  }

  const prune = (nowMs: number): string[] => {
    const removed: string[] = []
    for (const [peerId, entry] of peers) {
      if (entry.lastSeenMs < nowMs - maxAgeMs) removed.push(peerId)
    }
    for (const peerId of removed) drop(peerId)
    return removed
  }

  return {
    bucketMs,
    observe (peerId, observation, nowMs) {
      checkPeerId(peerId)
      checkObservation(observation)
      if (!Number.isFinite(nowMs)) throw new InvalidSampleError(`nowMs must be finite, got ${nowMs}`)
      let entry = peers.get(peerId)
      if (entry === undefined) entry = { firstSeenMs: nowMs, lastSeenMs: nowMs, buckets: [], dirty: true }
      const start = Math.floor(nowMs / bucketMs) * bucketMs
      let bucket = entry.buckets[entry.buckets.length - 1]
      if (bucket !== undefined && start < bucket.startMs) {
        throw new ClockWentBackwardsError(`observation at ${nowMs} precedes bucket ${bucket.startMs}`)
      }
      if (bucket === undefined || start > bucket.startMs) {
        bucket = emptyBucket(start)
        entry.buckets.push(bucket)
        if (entry.buckets.length > maxBuckets) entry.buckets.splice(0, entry.buckets.length - maxBuckets)
      }
      if (observation.ok !== undefined) {
        bucket.calls++
        if (!observation.ok) bucket.failures++
      }
      if (observation.latencyMs !== undefined) { bucket.latencySumMs += observation.latencyMs; bucket.latencyCount++ }
      if (observation.throughput !== undefined) { bucket.throughputSum += observation.throughput; bucket.throughputCount++ }
      if (observation.resultError !== undefined) { bucket.errorSum += observation.resultError; bucket.errorCount++ }
      if (observation.up !== undefined) {
        bucket.checks++
        if (observation.up) bucket.upChecks++
      }
      entry.lastSeenMs = Math.max(entry.lastSeenMs, nowMs)
      entry.dirty = true
      touch(peerId, entry)
    },
    stats (peerId, nowMs) {
      const entry = peers.get(peerId)
      if (entry === undefined) return undefined
      let calls = 0; let wCalls = 0; let wFailures = 0; let wChecks = 0; let wUp = 0
      let wLatSum = 0; let wLatCount = 0; let wTpSum = 0; let wTpCount = 0; let wErrSum = 0; let wErrCount = 0
      for (const b of entry.buckets) {
        const ageMs = Math.max(0, nowMs - (b.startMs + bucketMs / 2))
        const w = Math.pow(0.5, ageMs / halfLifeMs)
        calls += b.calls
        wCalls += w * b.calls; wFailures += w * b.failures
        wChecks += w * b.checks; wUp += w * b.upChecks
        wLatSum += w * b.latencySumMs; wLatCount += w * b.latencyCount
        wTpSum += w * b.throughputSum; wTpCount += w * b.throughputCount
        wErrSum += w * b.errorSum; wErrCount += w * b.errorCount
      }
      const latency = estimate(fit(entry, nowMs, (b) => [b.latencyCount > 0 ? b.latencySumMs / b.latencyCount : 0, b.latencyCount], LEVEL_FLOOR), true)
      const throughput = estimate(fit(entry, nowMs, (b) => [b.throughputCount > 0 ? b.throughputSum / b.throughputCount : 0, b.throughputCount], LEVEL_FLOOR), false)
      const failureRate = estimate(fit(entry, nowMs, (b) => [b.calls > 0 ? b.failures / b.calls : 0, b.calls], FAILURE_RATE_LEVEL_FLOOR), true)
      const directions = [latency.direction, throughput.direction, failureRate.direction]
      const trend: TrendDirection = directions.includes('degrading') ? 'degrading' : directions.includes('improving') ? 'improving' : 'stable'
      const stats: LongTermStats = {
        peerId,
        firstSeenMs: entry.firstSeenMs,
        lastSeenMs: entry.lastSeenMs,
        calls,
        failureRate: wCalls + priorWeight > 0 ? (wFailures + priorFailureRate * priorWeight) / (wCalls + priorWeight) : priorFailureRate,
        availability: wChecks + priorWeight > 0 ? (wUp + priorAvailability * priorWeight) / (wChecks + priorWeight) : priorAvailability,
        trend,
        trends: { latencyMs: latency, throughput, failureRate }
      }
      if (wLatCount > 0) stats.latencyMs = wLatSum / wLatCount
      if (wTpCount > 0) stats.throughput = wTpSum / wTpCount
      if (wErrCount > 0) stats.resultError = wErrSum / wErrCount
      return stats
    },
    peers () {
      return [...peers.keys()]
    },
    record (peerId) {
      const entry = peers.get(peerId)
      if (entry === undefined) return undefined
      return { peerId, bucketMs, firstSeenMs: entry.firstSeenMs, lastSeenMs: entry.lastSeenMs, buckets: entry.buckets.map((b) => ({ ...b })) }
    },
    forget (peerId) {
      drop(peerId)
    },
    prune,
    async load (nowMs) {
      const result: LongTermLoadResult = { loaded: 0, expired: 0, skipped: [] }
      if (datastore === undefined) return result
      const records: LongTermRecord[] = []
      for await (const { key, value } of datastore.query({ prefix: `${prefix}/` })) {
        const name = key.toString()
        const peerId = name.slice(prefix.length + 1)
        try {
          const record = decodeLongTermRecord(name, value)
          if (record.peerId !== peerId) throw new CorruptMemoryRecordError(name, `entry names peer ${record.peerId}`)
          records.push(record)
        } catch (err) {
          if (!(err instanceof CorruptMemoryRecordError)) throw err
          result.skipped.push(err)
        }
      }
      // Oldest first, so that when more than maxPeers are stored the most recently seen survive.
      records.sort((a, b) => a.lastSeenMs - b.lastSeenMs)
      for (const record of records) {
        if (record.lastSeenMs < nowMs - maxAgeMs) {
          result.expired++
          deleted.add(record.peerId)
          continue
        }
        merge(record.peerId, record)
        result.loaded++
      }
      return result
    },
    async save (nowMs) {
      prune(nowMs)
      if (datastore === undefined) return 0
      const batch = datastore.batch()
      let written = 0
      for (const [peerId, entry] of peers) {
        if (!entry.dirty) continue
        batch.put(keyOf(peerId), encodeLongTermRecord({ peerId, bucketMs, firstSeenMs: entry.firstSeenMs, lastSeenMs: entry.lastSeenMs, buckets: entry.buckets }))
        written++
      }
      for (const peerId of deleted) {
        if (!peers.has(peerId)) batch.delete(keyOf(peerId))
      }
      await batch.commit()
      for (const entry of peers.values()) entry.dirty = false
      deleted.clear()
      return written
    }
  }
}

function emptyBucket (startMs: number): LongTermBucket {
  return { startMs, calls: 0, failures: 0, latencySumMs: 0, latencyCount: 0, throughputSum: 0, throughputCount: 0, errorSum: 0, errorCount: 0, upChecks: 0, checks: 0 }
}

function addBucket (into: LongTermBucket, b: LongTermBucket): void {
  into.calls += b.calls; into.failures += b.failures
  into.latencySumMs += b.latencySumMs; into.latencyCount += b.latencyCount
  into.throughputSum += b.throughputSum; into.throughputCount += b.throughputCount
  into.errorSum += b.errorSum; into.errorCount += b.errorCount
  into.upChecks += b.upChecks; into.checks += b.checks
}

function checkObservation (o: LongTermObservation): void {
  for (const field of ['latencyMs', 'throughput', 'resultError'] as const) {
    const value = o[field]
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new InvalidSampleError(`${field} must be a finite, non-negative number, got ${String(value)}`)
    }
  }
  if (o.ok !== undefined && typeof o.ok !== 'boolean') throw new InvalidSampleError('ok must be a boolean')
  if (o.up !== undefined && typeof o.up !== 'boolean') throw new InvalidSampleError('up must be a boolean')
}

function positive (name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidMemoryOptionError(`${name} must be a positive number, got ${value}`)
  return value
}

function nonNegative (name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new InvalidMemoryOptionError(`${name} must be a non-negative number, got ${value}`)
  return value
}

function positiveInteger (name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new InvalidMemoryOptionError(`${name} must be a positive integer, got ${value}`)
  return value
}

function fraction (name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw new InvalidMemoryOptionError(`${name} must be in [0, 1], got ${value}`)
  return value
}
