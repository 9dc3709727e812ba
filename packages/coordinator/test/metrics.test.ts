import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { computeRunMetrics, quantileSorted, RunRecorder, throughputSeries } from '../src/metrics.js'
import type { CallRecord } from '../src/metrics.js'

function call (peerId: string, startMs: number, endMs: number, deviceMs: number, ok = true): CallRecord {
  return { peerId, shardId: 's', startMs, endMs, queuedMs: 0, ok, deviceTimeNs: deviceMs * 1e6, macs: 1 }
}

/** A run from 0 to `endMs` that answered `count` requests at each `atMs`. */
function runAnswering (endMs: number, answers: Array<[count: number, atMs: number]>): RunRecorder {
  const r = new RunRecorder()
  r.startMs = 0
  r.endMs = endMs
  for (const [count, atMs] of answers) r.answered(count, atMs)
  return r
}

describe('run metrics', () => {
  it('quantiles interpolate linearly between order statistics', () => {
    assert.equal(quantileSorted([10, 20, 30, 40, 50], 0.5), 30)
    assert.equal(quantileSorted([10, 20], 0.95), 19.5)
    assert.ok(Number.isNaN(quantileSorted([], 0.5)))
  })

  it('computes throughput, latency, both utilisations, accuracy, lost and duplicated from the records', () => {
    const r = new RunRecorder()
    // Two peers of 100-cell tiles: peer a holds 90 weights in one tile from before the start; peer b gets a
    // 50-weight shard in one tile halfway through the 1 s run.
    r.allocate('a', 90, 100, -5)
    r.startMs = 0
    r.endMs = 1000
    r.allocate('b', 50, 100, 500)
    r.call(call('a', 0, 100, 400))
    r.call(call('a', 100, 300, 200))
    r.call(call('b', 500, 600, 300))
    r.call(call('b', 600, 700, 0, false))
    const answers = Uint8Array.from([1, 1, 2, 0])
    const predictions = Uint8Array.from([3, 4, 5, 6])
    const labels = Uint8Array.from([3, 0, 5, 6])
    const m = computeRunMetrics(r, { answers, predictions, labels })
    assert.equal(m.answered, 3)
    assert.equal(m.requestsLost, 1)
    assert.equal(m.requestsDuplicated, 1)
    assert.equal(m.throughputRps, 3)
    assert.equal(m.accuracy, 2 / 3)
    assert.equal(m.shardCalls, 4)
    assert.equal(m.failedCalls, 1)
    // Latencies of the successful calls: 100, 200, 100 → p50 100, p95 190.
    assert.equal(m.latencyP50Ms, 100)
    assert.ok(Math.abs(m.latencyP95Ms - 190) < 1e-9)
    // ∫cells = 90·1000 + 50·500, ∫allocated = 100·1000 + 100·500.
    assert.ok(Math.abs(m.memoryUtilisation - (90_000 + 25_000) / 150_000) < 1e-12)
    // Busy 600 ms + 300 ms over 2 peers × 1000 ms.
    assert.ok(Math.abs(m.resourceUtilisation - 0.45) < 1e-12)
    assert.equal(m.peersHoldingShards, 2)
  })

  it('counts answers per time bucket', () => {
    const s = throughputSeries(runAnswering(1000, [[10, 100], [30, 900]]), 500)
    assert.deepEqual(s.tSeconds, [0.5, 1])
    assert.deepEqual(s.rps, [20, 60])
  })

  it('averages answers over a trailing window, and over the elapsed time while shorter', () => {
    const s = throughputSeries(runAnswering(2000, [[10, 100], [30, 900], [20, 1900]]), 500, 1000)
    assert.deepEqual(s.tSeconds, [0.5, 1, 1.5, 2])
    // 10 answers in 0.5 s; 40 in the first second; 30 in (0.5, 1.5]; 20 in (1, 2].
    assert.deepEqual(s.rps, [20, 40, 30, 20])
  })
})
