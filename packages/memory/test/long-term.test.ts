import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '@tessera/crossbar'
import { MemoryDatastore } from 'datastore-core'
import { Key } from 'interface-datastore'
import { ClockWentBackwardsError, CorruptMemoryRecordError, InvalidSampleError } from '../src/errors.js'
import { encodeLongTermRecord } from '../src/long-term-codec.js'
import { createLongTermMemory } from '../src/long-term.js'
import type { LongTermMemory } from '../src/long-term.js'

const HOUR = 3_600_000

/**
 * Feeds `hours` hourly buckets of `perBucket` latency samples ~ N(base + slope·h, sigma) and calls whose failure
 * probability is `failure(h)`.
 */
function feed (memory: LongTermMemory, peerId: string, seed: string, hours: number, perBucket: number,
  latency: (h: number) => number, sigma: number, failure: (h: number) => number = () => 0): void {
  const rng = createRng(seed)
  for (let h = 0; h < hours; h++) {
    for (let k = 0; k < perBucket; k++) {
      const t = h * HOUR + (k + 0.5) * (HOUR / perBucket)
      memory.observe(peerId, { latencyMs: Math.max(0, latency(h) + sigma * rng.nextNormal()), ok: rng.nextFloat() >= failure(h) }, t)
    }
  }
}

describe('long-term memory: trends', () => {
  // 24 buckets × 20 samples, σ = 10 ms: the slope's standard error is about σ/√(20·Σ(h − h̄)²) ≈ 0.066 ms/h,
  // so a slope of ±1 ms/h sits about 15 standard errors from zero, far past the threshold of 3.
  it('detects a degrading latency series', () => {
    const memory = createLongTermMemory()
    feed(memory, 'slow', 'trend/degrading', 24, 20, (h) => 50 + h, 10)
    const stats = memory.stats('slow', 24 * HOUR)
    assert.equal(stats?.trends.latencyMs.direction, 'degrading')
    assert.equal(stats?.trend, 'degrading')
    assert.ok(Math.abs((stats?.trends.latencyMs.slopePerHour ?? 0) - 1) < 5 * 0.066)
  })

  it('detects an improving latency series', () => {
    const memory = createLongTermMemory()
    feed(memory, 'fast', 'trend/improving', 24, 20, (h) => 80 - h, 10)
    const stats = memory.stats('fast', 24 * HOUR)
    assert.equal(stats?.trends.latencyMs.direction, 'improving')
    assert.equal(stats?.trend, 'improving')
  })

  it('detects a rising failure rate', () => {
    // 100 calls per bucket, failure probability 0.01 → 0.2 over 24 h: t ≈ 9 by the binomial variance.
    const memory = createLongTermMemory()
    feed(memory, 'flaky', 'trend/failures', 24, 100, () => 40, 1, (h) => 0.01 + (0.19 * h) / 23)
    const stats = memory.stats('flaky', 24 * HOUR)
    assert.equal(stats?.trends.failureRate.direction, 'degrading')
    assert.equal(stats?.trends.latencyMs.direction, 'stable')
    assert.equal(stats?.trend, 'degrading')
  })

  it('rarely calls a flat noisy series a trend', () => {
    // Under no trend |t| > 3 with 22 degrees of freedom has probability ≈ 0.007 per series (and the relative
    // change test only lowers it): among 20 seeds, 3 or more false alarms would have probability ≈ 1e-4.
    let alarms = 0
    for (let seed = 0; seed < 20; seed++) {
      const memory = createLongTermMemory()
      feed(memory, 'flat', `trend/flat/${seed}`, 24, 20, () => 50, 10)
      if (memory.stats('flat', 24 * HOUR)?.trend !== 'stable') alarms++
    }
    assert.ok(alarms <= 2, `${alarms} false alarms`)
  })

  it('averages with decay and shrinks towards the priors', () => {
    const memory = createLongTermMemory({ halfLifeMs: HOUR, priorWeight: 10, priorFailureRate: 0.05, priorAvailability: 0.95 })
    memory.observe('p', { up: true }, 0)
    const fresh = memory.stats('p', 0)
    assert.ok(fresh !== undefined)
    assert.equal(fresh.failureRate, 0.05) // no calls: the prior alone
    assert.equal(fresh.availability, (1 + 9.5) / 11)
    // Bucket 0 (mid 0.5 h) holds 10 failures, bucket 1 (mid 1.5 h) 10 successes; at 1.5 h their weights are ½ and 1.
    for (let i = 0; i < 10; i++) memory.observe('p', { ok: false, latencyMs: 100 }, 1000 + i)
    for (let i = 0; i < 10; i++) memory.observe('p', { ok: true, latencyMs: 10 }, HOUR + i)
    const stats = memory.stats('p', 1.5 * HOUR)
    assert.ok(stats !== undefined)
    assert.ok(Math.abs(stats.failureRate - (0.5 * 10 + 0.5) / (0.5 * 10 + 10 + 10)) < 1e-12)
    assert.ok(Math.abs((stats.latencyMs ?? 0) - (0.5 * 1000 + 100) / (0.5 * 10 + 10)) < 1e-9)
    assert.equal(stats.calls, 20)
    assert.equal(stats.resultError, undefined)
  })

  it('rejects bad observations and a clock going back a bucket', () => {
    const memory = createLongTermMemory()
    assert.throws(() => memory.observe('p', { resultError: -0.1 }, 0), InvalidSampleError)
    memory.observe('p', { ok: true }, 5 * HOUR)
    assert.throws(() => memory.observe('p', { ok: true }, 3 * HOUR), ClockWentBackwardsError)
  })
})

describe('long-term memory: persistence', () => {
  it('round-trips across a restart over the same datastore', async () => {
    const datastore = new MemoryDatastore()
    const first = createLongTermMemory({ datastore })
    feed(first, 'peer-a', 'persist/a', 5, 7, (h) => 20 + h, 2, () => 0.1)
    feed(first, 'peer-b', 'persist/b', 3, 4, () => 90, 5)
    first.observe('peer-b', { up: false, resultError: 0.02, throughput: 3e9 }, 3 * HOUR)
    assert.equal(await first.save(4 * HOUR), 2)
    assert.equal(await first.save(4 * HOUR), 0) // nothing changed since

    const second = createLongTermMemory({ datastore })
    const result = await second.load(4 * HOUR)
    assert.deepEqual({ loaded: result.loaded, expired: result.expired, skipped: result.skipped.length }, { loaded: 2, expired: 0, skipped: 0 })
    assert.deepEqual(new Set(second.peers()), new Set(['peer-a', 'peer-b']))
    for (const peerId of ['peer-a', 'peer-b']) {
      assert.deepEqual(second.record(peerId), first.record(peerId))
      assert.deepEqual(second.stats(peerId, 4 * HOUR), first.stats(peerId, 4 * HOUR))
    }
  })

  it('ages out peers unseen for maxAgeMs and keeps at most maxPeers', async () => {
    const datastore = new MemoryDatastore()
    const memory = createLongTermMemory({ datastore, maxAgeMs: 10 * HOUR, maxPeers: 3 })
    memory.observe('old', { ok: true }, 0)
    memory.observe('mid', { ok: true }, 5 * HOUR)
    memory.observe('new', { ok: true }, 9 * HOUR)
    await memory.save(9 * HOUR)
    assert.deepEqual(memory.prune(12 * HOUR), ['old'])
    memory.observe('newer', { ok: true }, 12 * HOUR)
    memory.observe('newest', { ok: true }, 13 * HOUR) // a fourth peer: 'mid', least recently seen, goes
    assert.deepEqual(memory.peers(), ['new', 'newer', 'newest'])
    await memory.save(13 * HOUR)
    const keys = []
    for await (const key of datastore.queryKeys({})) keys.push(key.toString().split('/').pop())
    assert.deepEqual(keys.sort(), ['new', 'newer', 'newest'])

    // Loading later than maxAgeMs after a peer was last seen drops it.
    const restarted = createLongTermMemory({ datastore, maxAgeMs: 10 * HOUR })
    const result = await restarted.load(20 * HOUR)
    assert.equal(result.loaded, 2)
    assert.equal(result.expired, 1)
    assert.deepEqual(restarted.peers().sort(), ['newer', 'newest'])
  })

  it('skips a corrupt entry with a named error and loads the rest', async () => {
    const datastore = new MemoryDatastore()
    const memory = createLongTermMemory({ datastore })
    memory.observe('good', { ok: true, latencyMs: 5 }, 0)
    await memory.save(0)
    const prefix = '/tessera/memory/long-term'
    await datastore.put(new Key(`${prefix}/garbage`), new TextEncoder().encode('{"v":1,"peerId":'))
    await datastore.put(new Key(`${prefix}/liar`), encodeLongTermRecord({ peerId: 'someone-else', bucketMs: HOUR, firstSeenMs: 0, lastSeenMs: 0, buckets: [] }))
    const bad = encodeLongTermRecord({
      peerId: 'inconsistent',
      bucketMs: HOUR,
      firstSeenMs: 0,
      lastSeenMs: 0,
      buckets: [{ startMs: 0, calls: 1, failures: 2, latencySumMs: 0, latencyCount: 0, throughputSum: 0, throughputCount: 0, errorSum: 0, errorCount: 0, upChecks: 0, checks: 0, verifiedAnswers: 0, failedChecks: 0, timeouts: 0, claimedThroughputSum: 0, claimedThroughputCount: 0 }]
    })
    await datastore.put(new Key(`${prefix}/inconsistent`), bad)
    await datastore.put(new Key(`${prefix}/future`), new TextEncoder().encode('{"v":99}'))

    const restarted = createLongTermMemory({ datastore })
    const result = await restarted.load(HOUR)
    assert.equal(result.loaded, 1)
    assert.equal(result.skipped.length, 4)
    for (const err of result.skipped) {
      assert.ok(err instanceof CorruptMemoryRecordError)
      assert.equal(err.name, 'CorruptMemoryRecordError')
      assert.equal(err.code, 'ERR_CORRUPT_MEMORY_RECORD')
    }
    assert.deepEqual(result.skipped.map((e) => e.key.split('/').pop()).sort(), ['future', 'garbage', 'inconsistent', 'liar'])
    assert.deepEqual(restarted.peers(), ['good'])
  })

  it('re-buckets an entry stored with another bucket width', async () => {
    const datastore = new MemoryDatastore()
    const fine = createLongTermMemory({ datastore, bucketMs: HOUR / 2 })
    for (let i = 0; i < 4; i++) fine.observe('p', { ok: i !== 0, latencyMs: 10 * (i + 1) }, i * HOUR / 2)
    await fine.save(2 * HOUR)
    const coarse = createLongTermMemory({ datastore, bucketMs: HOUR })
    await coarse.load(2 * HOUR)
    const record = coarse.record('p')
    assert.deepEqual(record?.buckets.map((b) => [b.startMs, b.calls, b.failures, b.latencySumMs]), [[0, 2, 1, 30], [HOUR, 2, 0, 70]])
  })

  it('throughput() is the throughput stats() gives, bit for bit, at any time', () => {
    const rng = createRng('long-term-throughput')
    const memory = createLongTermMemory()
    assert.equal(memory.throughput('p', 0), undefined)
    let t = 0
    for (let i = 0; i < 300; i++) {
      t += rng.nextFloat() * 10 * 60_000
      memory.observe('p', rng.nextFloat() < 0.3 ? { ok: true, latencyMs: 10 } : { ok: true, throughput: 1e6 * (1 + rng.nextFloat()) }, t)
      assert.equal(memory.throughput('p', t + 1000), memory.stats('p', t + 1000)?.throughput)
    }
    memory.observe('q', { ok: false }, t)
    assert.equal(memory.throughput('q', t), undefined)
    assert.equal(memory.stats('q', t)?.throughput, undefined)
  })
})
