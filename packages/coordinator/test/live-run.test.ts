import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { liveRunOf } from '../src/live-run.js'
import type { LiveRunSource } from '../src/live-run.js'
import { computeRunMetrics, RunRecorder, throughputSeries } from '../src/metrics.js'
import { runErrorOf } from '../src/run-errors.js'

/** A run's state with `lostBatches` failed batches of 4 requests each (and one error that loses none). */
function source (recorder: RunRecorder, lostBatches = 0): LiveRunSource & { shardMap: Map<string, { spec: { id: string }, holders: string[], programming: string[], draining: string[] }> } {
  const shardMap = new Map([
    ['L0/0', { spec: { id: 'L0/0' }, holders: ['a', 'b'], programming: [], draining: [] }],
    ['L1/0', { spec: { id: 'L1/0' }, holders: ['b'], programming: ['c'], draining: ['a'] }]
  ])
  const errors = [
    runErrorOf('timeline', new Error('entry failed'), { label: 'slowdown' }),
    ...Array.from({ length: lostBatches }, (_, i) => runErrorOf('batch', new Error('deadline'), { firstRequest: 4 * i, requestCount: 4 }))
  ]
  return { runId: 'r', policy: 'tessera', planDescription: 'plan', requests: 100, recorder, errors, shards: shardMap, shardMap, dead: new Set(['d']) }
}

/** Peer a holds 90 weights on a 100-cell tile from the start; two calls, 40 answers by 500 ms. */
function busyRecorder (): RunRecorder {
  const r = new RunRecorder()
  r.allocate('a', 90, 100, -1)
  r.startMs = 0
  r.call({ peerId: 'a', shardId: 'L0/0', startMs: 0, endMs: 100, queuedMs: 0, ok: true, deviceTimeNs: 50e6, macs: 1 })
  r.call({ peerId: 'a', shardId: 'L0/0', startMs: 100, endMs: 300, queuedMs: 0, ok: true, deviceTimeNs: 150e6, macs: 1 })
  r.answered(40, 300)
  return r
}

describe('live run view', () => {
  it('has no metrics before the first batch', () => {
    const live = liveRunOf(source(new RunRecorder()))
    assert.equal(live.metricsAt(1_000), undefined)
  })

  it('gives the metrics as they stand, as the run\'s own computation would with the run ending now', () => {
    const recorder = busyRecorder()
    const live = liveRunOf(source(recorder, 2))
    const m = live.metricsAt(500)
    assert.ok(m !== undefined)
    // 40 answers in 0.5 s.
    assert.equal(m.throughputRps, 80)
    assert.equal(m.answered, 40)
    assert.equal(m.requestsLost, 8)
    assert.equal(m.latencyP50Ms, 150)
    assert.equal(m.memoryUtilisation, 0.9)
    // 200 ms of device time over one peer × 500 ms.
    assert.ok(Math.abs(m.resourceUtilisation - 0.4) < 1e-12)
    assert.deepEqual(m.callsByPeer, { a: 2 })
    // The recorder itself is untouched: the run has not ended.
    assert.ok(Number.isNaN(recorder.endMs))
  })

  it('reads a view of the recorder ending now, sharing its arrays; the recorder itself once the run ended', () => {
    const recorder = busyRecorder()
    const live = liveRunOf(source(recorder))
    const view = live.recorderAt(1_000)
    assert.equal(view.endMs, 1_000)
    assert.equal(view.calls, recorder.calls)
    assert.deepEqual(throughputSeries(view, 500).rps, [80, 0])
    recorder.answered(10, 900)
    assert.deepEqual(throughputSeries(view, 500).rps, [80, 20], 'later answers show in the same view')
    recorder.endMs = 950
    assert.equal(live.recorderAt(5_000), recorder)
    const final = computeRunMetrics(recorder, { answers: new Uint8Array(50).fill(1), predictions: new Uint8Array(50) })
    assert.equal(live.metricsAt(5_000)?.throughputRps, final.throughputRps)
  })

  it('lists every shard\'s copies and the departed peers as copies of the run\'s state', () => {
    const s = source(new RunRecorder())
    const live = liveRunOf(s)
    const copies = live.copies()
    assert.deepEqual(copies, [
      { shardId: 'L0/0', active: ['a', 'b'], programming: [], draining: [] },
      { shardId: 'L1/0', active: ['b'], programming: ['c'], draining: ['a'] }
    ])
    copies[0].active.push('x')
    assert.deepEqual(s.shardMap.get('L0/0')?.holders, ['a', 'b'])
    s.shardMap.get('L1/0')?.programming.splice(0)
    assert.deepEqual(live.copies()[1].programming, [])
    assert.deepEqual(live.departed(), ['d'])
  })
})
