import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { CorruptMemoryRecordError } from '../src/errors.js'
import { decodeLongTermRecord, encodeLongTermRecord } from '../src/long-term-codec.js'
import type { LongTermRecord } from '../src/long-term-codec.js'

const record: LongTermRecord = {
  peerId: 'peer',
  bucketMs: 1000,
  firstSeenMs: 0,
  lastSeenMs: 1500,
  buckets: [
    { startMs: 0, calls: 3, failures: 1, latencySumMs: 30.5, latencyCount: 3, throughputSum: 2e9, throughputCount: 2, errorSum: 0.01, errorCount: 1, upChecks: 2, checks: 2, verifiedAnswers: 3, failedChecks: 1, timeouts: 1, claimedThroughputSum: 4e9, claimedThroughputCount: 2 },
    { startMs: 1000, calls: 0, failures: 0, latencySumMs: 0, latencyCount: 0, throughputSum: 0, throughputCount: 0, errorSum: 0, errorCount: 0, upChecks: 0, checks: 1, verifiedAnswers: 0, failedChecks: 0, timeouts: 0, claimedThroughputSum: 0, claimedThroughputCount: 0 }
  ]
}

/** The record's JSON as encodeLongTermRecord writes it: each bucket an array of its fields, in a fixed order. */
interface EncodedRecord {
  v: number
  peerId: string
  bucketMs: number
  firstSeenMs: number
  lastSeenMs: number
  buckets: unknown[][]
}

/** Re-encodes the record's JSON after `edit` changes it. */
function tampered (edit: (body: EncodedRecord) => void): Uint8Array {
  const body: EncodedRecord = JSON.parse(new TextDecoder().decode(encodeLongTermRecord(record)))
  edit(body)
  return new TextEncoder().encode(JSON.stringify(body))
}

describe('long-term record codec', () => {
  it('round-trips a record', () => {
    assert.deepEqual(decodeLongTermRecord('/k', encodeLongTermRecord(record)), record)
  })

  it('writes version 2 and still reads a version 1 entry, its reputation sums zero', () => {
    assert.equal(JSON.parse(new TextDecoder().decode(encodeLongTermRecord(record))).v, 2)
    const v1 = new TextEncoder().encode(JSON.stringify({
      v: 1, peerId: 'peer', bucketMs: 1000, firstSeenMs: 0, lastSeenMs: 1500, buckets: [[0, 3, 1, 30.5, 3, 2e9, 2, 0.01, 1, 2, 2]]
    }))
    assert.deepEqual(decodeLongTermRecord('/k', v1).buckets, [{
      startMs: 0, calls: 3, failures: 1, latencySumMs: 30.5, latencyCount: 3, throughputSum: 2e9, throughputCount: 2, errorSum: 0.01, errorCount: 1, upChecks: 2, checks: 2,
      verifiedAnswers: 0, failedChecks: 0, timeouts: 0, claimedThroughputSum: 0, claimedThroughputCount: 0
    }])
  })

  it('rejects every kind of damage with CorruptMemoryRecordError', () => {
    const cases: Array<[string, Uint8Array]> = [
      ['invalid UTF-8', Uint8Array.from([0xff, 0xfe, 0x7b])],
      ['truncated JSON', encodeLongTermRecord(record).subarray(0, 40)],
      ['not an object', new TextEncoder().encode('[1,2]')],
      ['unknown version', tampered((b) => { b.v = 3 })],
      ['version 1 with version 2 buckets', tampered((b) => { b.v = 1 })],
      ['more failed checks than checked answers', tampered((b) => { b.buckets[0][12] = 4 })],
      ['more timeouts than failures', tampered((b) => { b.buckets[0][13] = 2 })],
      ['negative claimed throughput', tampered((b) => { b.buckets[0][14] = -1 })],
      ['fractional timeouts', tampered((b) => { b.buckets[0][13] = 0.5 })],
      ['peer id with a slash', tampered((b) => { b.peerId = 'a/b' })],
      ['zero bucket width', tampered((b) => { b.bucketMs = 0 })],
      ['first seen after last seen', tampered((b) => { b.firstSeenMs = 2000 })],
      ['short bucket', tampered((b) => { b.buckets[0].pop() })],
      ['string in a bucket', tampered((b) => { b.buckets[0][1] = '3' })],
      ['fractional count', tampered((b) => { b.buckets[0][1] = 2.5 })],
      ['negative sum', tampered((b) => { b.buckets[0][3] = -1 })],
      ['more failures than calls', tampered((b) => { b.buckets[0][2] = 4 })],
      ['more up-checks than checks', tampered((b) => { b.buckets[1][9] = 2 })],
      ['buckets out of order', tampered((b) => { b.buckets.reverse() })]
    ]
    for (const [what, bytes] of cases) {
      assert.throws(() => decodeLongTermRecord('/tessera/memory/long-term/peer', bytes), (err: unknown) => {
        assert.ok(err instanceof CorruptMemoryRecordError, what)
        assert.equal(err.key, '/tessera/memory/long-term/peer')
        return true
      }, what)
    }
  })
})
