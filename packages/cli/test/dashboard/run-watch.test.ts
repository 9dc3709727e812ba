import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import { describe, it } from 'node:test'
import { computeRunMetrics, liveRunOf, RunRecorder } from '@tessera/coordinator'
import type { RunResult } from '@tessera/coordinator'
import { RunWatch } from '../../src/dashboard/run-watch.js'
import { DashboardStore } from '../../src/dashboard/store.js'
import type { DashboardJob } from '../../src/dashboard/types.js'

/** A run on peers a and b: one shard copy each, one moving from a to c. */
function liveRun (recorder: RunRecorder): { live: ReturnType<typeof liveRunOf>, shards: Map<string, { spec: { id: string }, holders: string[], programming: string[], draining: string[] }> } {
  const shards = new Map([
    ['dense0/0', { spec: { id: 'dense0/0' }, holders: ['a'], programming: ['c'], draining: [] }],
    ['dense1/0', { spec: { id: 'dense1/0' }, holders: ['b'], programming: [], draining: [] }]
  ])
  return { live: liveRunOf({ runId: 'seed/tessera/0', policy: 'tessera', planDescription: 'two shards', requests: 64, recorder, errors: [], shards, dead: new Set() }), shards }
}

function result (recorder: RunRecorder): RunResult {
  const answers = new Uint8Array(64).fill(1)
  const predictions = new Uint8Array(64)
  const metrics = computeRunMetrics(recorder, { answers, predictions, labels: predictions })
  return {
    policy: 'tessera', planDescription: 'two shards', metrics, answers, predictions, logits: new Float32Array(640), placement: {}, peers: [],
    recorder, errors: [], events: [], layerLoad: { batches: 0, failed: 0 }
  }
}

describe('run watch', () => {
  it('shows the placement while placing, then the metrics and series as the run streams, then the final figures', () => {
    const store = new DashboardStore({ title: 't', mode: 'run', sources: [] })
    const watch = new RunWatch(store, 60_000)
    const recorder = new RunRecorder()
    const { live, shards } = liveRun(recorder)
    try {
      watch.started(live)
      assert.equal(store.job?.phase, 'placing')
      assert.deepEqual(store.job?.placement.map((s) => s.active), [['a'], ['b']])
      assert.equal(store.job?.metrics, null)
      // A function: TypeScript would keep the narrowing above for the later reads of the same expression.
      const current = (): DashboardJob | null => store.job

      // The stream started 2 s ago; 32 answers so far, two calls on a.
      const now = performance.timeOrigin + performance.now()
      recorder.startMs = now - 2_000
      recorder.call({ peerId: 'a', shardId: 'dense0/0', startMs: now - 1_500, endMs: now - 1_490, queuedMs: 0, ok: true, deviceTimeNs: 1e6, macs: 1 })
      recorder.call({ peerId: 'a', shardId: 'dense0/0', startMs: now - 900, endMs: now - 870, queuedMs: 0, ok: true, deviceTimeNs: 1e6, macs: 1 })
      recorder.answered(32, now - 800)
      shards.get('dense0/0')?.holders.push('c')
      shards.get('dense0/0')?.programming.splice(0)
      watch.refresh()
      const job = store.job
      assert.equal(job?.phase, 'streaming')
      assert.deepEqual(job?.placement[0].active, ['a', 'c'])
      assert.equal(job?.metrics?.answered, 32)
      assert.ok((job?.metrics?.throughputRps ?? 0) > 0 && (job?.metrics?.throughputRps ?? 0) <= 16, 'about 32 answers over 2 s')
      assert.equal(job?.metrics?.latencyP50Ms, 20)
      assert.equal(job?.metrics?.accuracy, null)
      assert.ok((job?.series.tSeconds.length ?? 0) >= 2)
      assert.ok(job?.series.throughputRps.some((x) => x > 0))
      assert.deepEqual(store.callsByPeer, { a: 2 })

      watch.decision({ type: 'migrate', shardId: 'dense0/0', from: 'a', to: 'c', reason: 'a slowed down', predictedGain: 1.8, atMs: recorder.startMs + 1_500 })
      assert.deepEqual(store.decisions.at(-1), { runId: 'seed/tessera/0', policy: 'tessera', atMs: recorder.startMs + 1_500, tSeconds: 1.5, type: 'migrate', shardId: 'dense0/0', from: 'a', to: 'c', reason: 'a slowed down', predictedGain: 1.8 })

      // The stream ends, the copies are released; the page keeps the placement the run ended with.
      recorder.answered(32, now)
      recorder.endMs = now
      shards.get('dense0/0')?.holders.splice(0)
      const final = result(recorder)
      watch.finished(final)
      assert.equal(store.job?.phase, 'done')
      assert.deepEqual(store.job?.placement[0].active, ['a', 'c'])
      assert.equal(current()?.metrics?.accuracy, 1)
      assert.equal(current()?.metrics?.answered, 64)
      assert.equal(store.runs.length, 1)
      assert.equal(store.runs[0].metrics.throughputRps, final.metrics.throughputRps)
    } finally {
      watch.stop()
    }
  })

  it('says why a run failed', () => {
    const store = new DashboardStore({ title: 't', mode: 'run', sources: [] })
    const watch = new RunWatch(store, 60_000)
    watch.started(liveRun(new RunRecorder()).live)
    watch.failed(new Error('no peer can take shard dense0/0'))
    assert.equal(store.job?.phase, 'done')
    assert.match(store.notices.at(-1)?.text ?? '', /run seed\/tessera\/0 failed: no peer can take shard dense0\/0/)
    assert.equal(store.notices.at(-1)?.level, 'error')
  })
})
