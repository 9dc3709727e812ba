/**
 * Versioned, validated encoding of one peer's long-term memory entry. JSON (UTF-8) keeps entries readable
 * with any datastore tool; every field is checked on decode, so a truncated or tampered entry is rejected
 * with a {@link CorruptMemoryRecordError} instead of poisoning the averages.
 *
 * Layout (version 2):
 * `{"v":2,"peerId":"…","bucketMs":3600000,"firstSeenMs":…,"lastSeenMs":…,"buckets":[[startMs, calls,
 * failures, latencySumMs, latencyCount, throughputSum, throughputCount, errorSum, errorCount, upChecks,
 * checks, verifiedAnswers, failedChecks, timeouts, claimedThroughputSum, claimedThroughputCount], …]}` with
 * buckets in strictly increasing `startMs`. Version 1 entries (the first 11 fields: written before reputation)
 * still decode, with the reputation sums zero; they are written back as version 2.
 */
import { LONG_TERM_RECORD_VERSION } from './constants.js'
import { CorruptMemoryRecordError } from './errors.js'

/** Sums over one time bucket; every count is a non-negative integer. */
export interface LongTermBucket {
  startMs: number
  /** Shard calls with a known outcome. */
  calls: number
  failures: number
  latencySumMs: number
  latencyCount: number
  throughputSum: number
  throughputCount: number
  /** Sum of relative result errors found by verification. */
  errorSum: number
  errorCount: number
  /** Availability checks that found the peer up. */
  upChecks: number
  checks: number
  /** Answers verification checked, and those that failed the check (reputation). */
  verifiedAnswers: number
  failedChecks: number
  /** Shard calls that timed out (also counted in `failures`). */
  timeouts: number
  /** Sum of the throughput claims in force at the calls, MAC/s, and their count. */
  claimedThroughputSum: number
  claimedThroughputCount: number
}

/** One peer's long-term memory as stored. */
export interface LongTermRecord {
  peerId: string
  bucketMs: number
  firstSeenMs: number
  lastSeenMs: number
  buckets: LongTermBucket[]
}

/** Fields of a bucket by version. */
const FIELDS_BY_VERSION: Record<number, number> = { 1: 11, [LONG_TERM_RECORD_VERSION]: 16 }

/** Encodes a record (buckets must already be in increasing time order). */
export function encodeLongTermRecord (record: LongTermRecord): Uint8Array {
  const body = {
    v: LONG_TERM_RECORD_VERSION,
    peerId: record.peerId,
    bucketMs: record.bucketMs,
    firstSeenMs: record.firstSeenMs,
    lastSeenMs: record.lastSeenMs,
    buckets: record.buckets.map((b) => [b.startMs, b.calls, b.failures, b.latencySumMs, b.latencyCount,
      b.throughputSum, b.throughputCount, b.errorSum, b.errorCount, b.upChecks, b.checks,
      b.verifiedAnswers, b.failedChecks, b.timeouts, b.claimedThroughputSum, b.claimedThroughputCount])
  }
  return new TextEncoder().encode(JSON.stringify(body))
}

/**
 * Decodes and validates an entry stored under `key`. Throws {@link CorruptMemoryRecordError} on malformed
 * UTF-8 or JSON, an unknown version, a missing or ill-typed field, a count that is not a non-negative integer,
 * more failures than calls or more up-checks than checks, or buckets out of order.
 */
export function decodeLongTermRecord (key: string, bytes: Uint8Array): LongTermRecord {
  let body: unknown
  try {
    body = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch (err) {
    throw new CorruptMemoryRecordError(key, `not valid UTF-8 JSON: ${(err as Error).message}`, { cause: err })
  }
  const fail = (why: string): never => { throw new CorruptMemoryRecordError(key, why) }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('not a JSON object')
  const o = body as Record<string, unknown>
  const fields = typeof o.v === 'number' ? FIELDS_BY_VERSION[o.v] : undefined
  if (fields === undefined) return fail(`unsupported version ${String(o.v)}`)
  if (typeof o.peerId !== 'string' || o.peerId.length === 0 || o.peerId.includes('/')) return fail('bad peerId')
  const bucketMs = o.bucketMs
  if (!isFiniteNumber(bucketMs) || bucketMs <= 0) return fail('bad bucketMs')
  if (!isFiniteNumber(o.firstSeenMs) || !isFiniteNumber(o.lastSeenMs) || o.firstSeenMs > o.lastSeenMs) return fail('bad first/last seen time')
  if (!Array.isArray(o.buckets)) return fail('buckets is not an array')
  const buckets: LongTermBucket[] = []
  let previous = Number.NEGATIVE_INFINITY
  for (const raw of o.buckets as unknown[]) {
    if (!Array.isArray(raw) || raw.length !== fields || !raw.every(isFiniteNumber)) return fail(`bucket is not ${fields} finite numbers`)
    const [startMs, calls, failures, latencySumMs, latencyCount, throughputSum, throughputCount, errorSum,
      errorCount, upChecks, checks, verifiedAnswers = 0, failedChecks = 0, timeouts = 0, claimedThroughputSum = 0, claimedThroughputCount = 0] = raw as number[]
    if (startMs <= previous) return fail('buckets out of order')
    previous = startMs
    for (const count of [calls, failures, latencyCount, throughputCount, errorCount, upChecks, checks, verifiedAnswers, failedChecks, timeouts, claimedThroughputCount]) {
      if (!Number.isInteger(count) || count < 0) return fail('bucket count is not a non-negative integer')
    }
    if (latencySumMs < 0 || throughputSum < 0 || errorSum < 0 || claimedThroughputSum < 0) return fail('negative bucket sum')
    if (failures > calls) return fail('more failures than calls')
    if (upChecks > checks) return fail('more up-checks than checks')
    if (failedChecks > verifiedAnswers) return fail('more failed checks than checked answers')
    if (timeouts > failures) return fail('more timeouts than failures')
    buckets.push({
      startMs, calls, failures, latencySumMs, latencyCount, throughputSum, throughputCount, errorSum, errorCount, upChecks, checks,
      verifiedAnswers, failedChecks, timeouts, claimedThroughputSum, claimedThroughputCount
    })
  }
  return { peerId: o.peerId, bucketMs, firstSeenMs: o.firstSeenMs, lastSeenMs: o.lastSeenMs, buckets }
}

function isFiniteNumber (value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value)
}
