/**
 * What long-term memory says of a peer at a time: averages over its buckets, older ones decayed with the
 * configured half-life and pulled towards priors for failure rate and availability, and a trend per metric.
 */
import { fitTrend, isSignificant } from './long-term-trend.js'
import { reputationOf } from './reputation.js'
import type { LongTermBucket } from './long-term-codec.js'
import type { LongTermConfig } from './long-term-config.js'
import type { TrendFit } from './long-term-trend.js'
import type { LongTermStats, TrendDirection, TrendEstimate } from './peer-stats.js'

const MS_PER_HOUR = 3_600_000
/** Relative changes of a failure rate are measured against at least this level (one failure in a hundred). */
const FAILURE_RATE_LEVEL_FLOOR = 0.01
/** Relative changes of latency and throughput: only guards against a zero mean. */
const LEVEL_FLOOR = 1e-9

/** A peer's history as long-term memory holds it. */
export interface PeerHistory {
  firstSeenMs: number
  lastSeenMs: number
  /** In increasing time order. */
  buckets: LongTermBucket[]
}

/** Arrays the trend fits fill, `trendBuckets` long, reused across calls. */
export interface TrendScratch {
  times: Float64Array
  values: Float64Array
  weights: Float64Array
}

export function createTrendScratch (trendBuckets: number): TrendScratch {
  return { times: new Float64Array(trendBuckets), values: new Float64Array(trendBuckets), weights: new Float64Array(trendBuckets) }
}

/** One metric of a bucket for a trend fit: its mean there and its weight (samples). */
interface BucketMetric {
  value: (b: LongTermBucket) => number
  weight: (b: LongTermBucket) => number
}

const LATENCY: BucketMetric = { value: (b) => b.latencyCount > 0 ? b.latencySumMs / b.latencyCount : 0, weight: (b) => b.latencyCount }
const THROUGHPUT: BucketMetric = { value: (b) => b.throughputCount > 0 ? b.throughputSum / b.throughputCount : 0, weight: (b) => b.throughputCount }
const FAILURE_RATE: BucketMetric = { value: (b) => b.calls > 0 ? b.failures / b.calls : 0, weight: (b) => b.calls }

/** Decayed averages and trends of a peer at `nowMs`. */
export function longTermStats (peerId: string, history: PeerHistory, nowMs: number, config: LongTermConfig, scratch: TrendScratch): LongTermStats {
  const sums = decayedSums(history, nowMs, config)
  const trend = (metric: BucketMetric, floor: number, risingIsBad: boolean): TrendEstimate =>
    estimate(fit(history, nowMs, metric, floor, config, scratch), risingIsBad, config)
  const latency = trend(LATENCY, LEVEL_FLOOR, true)
  const throughput = trend(THROUGHPUT, LEVEL_FLOOR, false)
  const failureTrend = trend(FAILURE_RATE, FAILURE_RATE_LEVEL_FLOOR, true)
  const directions = [latency.direction, throughput.direction, failureTrend.direction]
  const { priorWeight, priorFailureRate, priorAvailability } = config
  const failureRate = sums.wCalls + priorWeight > 0 ? (sums.wFailures + priorFailureRate * priorWeight) / (sums.wCalls + priorWeight) : priorFailureRate
  const observedThroughput = sums.wTpCount > 0 ? sums.wTpSum / sums.wTpCount : undefined
  const claimedThroughput = sums.wClaimCount > 0 ? sums.wClaimSum / sums.wClaimCount : undefined
  const stats: LongTermStats = {
    peerId,
    firstSeenMs: history.firstSeenMs,
    lastSeenMs: history.lastSeenMs,
    calls: sums.calls,
    failureRate,
    throughputSamples: sums.throughputSamples,
    timeoutRate: sums.wCalls > 0 ? sums.wTimeouts / sums.wCalls : 0,
    verifiedAnswers: sums.verifiedAnswers,
    failedChecks: sums.failedChecks,
    reputation: reputationOf({ failedChecks: sums.wFailedChecks, observedThroughput, claimedThroughput, throughputSamples: sums.throughputSamples, failureRate }),
    availability: sums.wChecks + priorWeight > 0 ? (sums.wUp + priorAvailability * priorWeight) / (sums.wChecks + priorWeight) : priorAvailability,
    trend: directions.includes('degrading') ? 'degrading' : directions.includes('improving') ? 'improving' : 'stable',
    trends: { latencyMs: latency, throughput, failureRate: failureTrend }
  }
  if (sums.wLatCount > 0) stats.latencyMs = sums.wLatSum / sums.wLatCount
  if (observedThroughput !== undefined) stats.throughput = observedThroughput
  if (claimedThroughput !== undefined) stats.claimedThroughput = claimedThroughput
  if (sums.wErrCount > 0) stats.resultError = sums.wErrSum / sums.wErrCount
  return stats
}

/** Sums over the buckets, each weighted by 0.5^(age / half-life) (`calls` unweighted). */
interface DecayedSums {
  calls: number
  wCalls: number
  wFailures: number
  wChecks: number
  wUp: number
  wLatSum: number
  wLatCount: number
  wTpSum: number
  wTpCount: number
  wErrSum: number
  wErrCount: number
  wTimeouts: number
  wFailedChecks: number
  wClaimSum: number
  wClaimCount: number
  /** Undecayed counts. */
  throughputSamples: number
  verifiedAnswers: number
  failedChecks: number
}

/** The decayed mean throughput alone, as `decayedSums` adds it up (undefined without a throughput sample). */
export function decayedThroughput (history: PeerHistory, nowMs: number, config: LongTermConfig): number | undefined {
  let wTpSum = 0
  let wTpCount = 0
  for (const b of history.buckets) {
    const ageMs = Math.max(0, nowMs - (b.startMs + config.bucketMs / 2))
    const w = Math.pow(0.5, ageMs / config.halfLifeMs)
    wTpSum += w * b.throughputSum
    wTpCount += w * b.throughputCount
  }
  return wTpCount > 0 ? wTpSum / wTpCount : undefined
}

function decayedSums (history: PeerHistory, nowMs: number, config: LongTermConfig): DecayedSums {
  const s: DecayedSums = {
    calls: 0, wCalls: 0, wFailures: 0, wChecks: 0, wUp: 0, wLatSum: 0, wLatCount: 0, wTpSum: 0, wTpCount: 0, wErrSum: 0, wErrCount: 0,
    wTimeouts: 0, wFailedChecks: 0, wClaimSum: 0, wClaimCount: 0, throughputSamples: 0, verifiedAnswers: 0, failedChecks: 0
  }
  for (const b of history.buckets) {
    const ageMs = Math.max(0, nowMs - (b.startMs + config.bucketMs / 2))
    const w = Math.pow(0.5, ageMs / config.halfLifeMs)
    s.calls += b.calls
    s.wCalls += w * b.calls; s.wFailures += w * b.failures
    s.wChecks += w * b.checks; s.wUp += w * b.upChecks
    s.wLatSum += w * b.latencySumMs; s.wLatCount += w * b.latencyCount
    s.wTpSum += w * b.throughputSum; s.wTpCount += w * b.throughputCount
    s.wErrSum += w * b.errorSum; s.wErrCount += w * b.errorCount
    s.wTimeouts += w * b.timeouts; s.wFailedChecks += w * b.failedChecks
    s.wClaimSum += w * b.claimedThroughputSum; s.wClaimCount += w * b.claimedThroughputCount
    s.throughputSamples += b.throughputCount; s.verifiedAnswers += b.verifiedAnswers; s.failedChecks += b.failedChecks
  }
  return s
}

/** Fits a line through one metric of the most recent `trendBuckets` buckets (those within that span of `nowMs`). */
function fit (history: PeerHistory, nowMs: number, metric: BucketMetric, floor: number,
  config: LongTermConfig, scratch: TrendScratch): TrendFit {
  const { bucketMs, trendBuckets } = config
  const { times, values, weights } = scratch
  const horizon = Math.floor(nowMs / bucketMs) * bucketMs - (trendBuckets - 1) * bucketMs
  let n = 0
  for (let i = Math.max(0, history.buckets.length - trendBuckets); i < history.buckets.length; i++) {
    const b = history.buckets[i]
    if (b.startMs < horizon) continue
    times[n] = (b.startMs + bucketMs / 2 - nowMs) / MS_PER_HOUR
    values[n] = metric.value(b)
    weights[n] = metric.weight(b)
    n++
  }
  return fitTrend({ timesHours: times, values, weights, length: n }, floor)
}

function estimate (f: TrendFit, risingIsBad: boolean, config: LongTermConfig): TrendEstimate {
  const sign = isSignificant(f, config.thresholds)
  let direction: TrendDirection = 'stable'
  if (sign !== 0) direction = (sign > 0) === risingIsBad ? 'degrading' : 'improving'
  return { direction, slopePerHour: f.slopePerHour, relativeChange: f.relativeChange, tStatistic: f.tStatistic, buckets: f.buckets }
}
