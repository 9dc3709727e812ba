/**
 * One time bucket of long-term memory: what an observation adds to it, and how two buckets of the same time merge.
 */
import { InvalidSampleError } from './errors.js'
import type { LongTermBucket } from './long-term-codec.js'

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
  /** Outcome of the verification of an answer: passed (true) or failed (false). */
  checkPassed?: boolean
  /** A shard call that timed out (counted besides `ok: false`). */
  timedOut?: boolean
  /** Throughput the peer's capacity record claimed when the call was made, MACs per second. */
  claimedThroughput?: number
}

/** Throws {@link InvalidSampleError} when a field of the observation is out of range. */
export function checkObservation (o: LongTermObservation): void {
  for (const field of ['latencyMs', 'throughput', 'resultError', 'claimedThroughput'] as const) {
    const value = o[field]
    if (value !== undefined && !(typeof value === 'number' && Number.isFinite(value) && value >= 0)) {
      throw new InvalidSampleError(`${field} must be a finite, non-negative number, got ${String(value)}`)
    }
  }
  if (o.ok !== undefined && typeof o.ok !== 'boolean') throw new InvalidSampleError('ok must be a boolean')
  for (const field of ['up', 'checkPassed', 'timedOut'] as const) {
    if (o[field] !== undefined && typeof o[field] !== 'boolean') throw new InvalidSampleError(`${field} must be a boolean`)
  }
  if (o.timedOut === true && o.ok !== false) throw new InvalidSampleError('a timed-out call must also be ok: false')
}

export function emptyBucket (startMs: number): LongTermBucket {
  return {
    startMs, calls: 0, failures: 0, latencySumMs: 0, latencyCount: 0, throughputSum: 0, throughputCount: 0, errorSum: 0, errorCount: 0, upChecks: 0, checks: 0,
    verifiedAnswers: 0, failedChecks: 0, timeouts: 0, claimedThroughputSum: 0, claimedThroughputCount: 0
  }
}

/** Counts a (checked) observation in the bucket. */
export function addObservation (bucket: LongTermBucket, observation: LongTermObservation): void {
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
  if (observation.checkPassed !== undefined) {
    bucket.verifiedAnswers++
    if (!observation.checkPassed) bucket.failedChecks++
  }
  if (observation.timedOut === true) bucket.timeouts++
  if (observation.claimedThroughput !== undefined) { bucket.claimedThroughputSum += observation.claimedThroughput; bucket.claimedThroughputCount++ }
}

/** Adds the sums of `b` to `into`. */
export function addBucket (into: LongTermBucket, b: LongTermBucket): void {
  into.calls += b.calls; into.failures += b.failures
  into.latencySumMs += b.latencySumMs; into.latencyCount += b.latencyCount
  into.throughputSum += b.throughputSum; into.throughputCount += b.throughputCount
  into.errorSum += b.errorSum; into.errorCount += b.errorCount
  into.upChecks += b.upChecks; into.checks += b.checks
  into.verifiedAnswers += b.verifiedAnswers; into.failedChecks += b.failedChecks; into.timeouts += b.timeouts
  into.claimedThroughputSum += b.claimedThroughputSum; into.claimedThroughputCount += b.claimedThroughputCount
}
