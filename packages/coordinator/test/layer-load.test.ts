import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { performance } from 'node:perf_hooks'
import { InvalidRunOptionError } from '../src/errors.js'
import { startLayerLoad } from '../src/layer-load.js'
import { INPUTS, oneShardRun } from './one-shard-run.js'

describe('startLayerLoad', () => {
  it('open loop: runs layer-only batches at their arrival rate through the layer shards, and stops when asked', async () => {
    const { ctx, job, starts } = oneShardRun()
    const t0 = performance.now()
    // 4 per batch at 100/s: a batch due every 40 ms; calls take 20 ms, so one lane would keep up.
    const load = startLayerLoad(ctx, { job, layerId: 'L', lanes: 3, batchSize: 4, inputs: new Float32Array(5 * INPUTS).fill(1), seed: 's', arrivalRps: 100 })
    await new Promise((resolve) => setTimeout(resolve, 330))
    const stats = await load.stop()
    // Due at 0, 40, …, 320 ms: 9 batches, give or take the one due as it stopped.
    assert.ok(stats.batches >= 8 && stats.batches <= 10, `${stats.batches} batches`)
    assert.equal(stats.failed, 0)
    starts.forEach((t, k) => assert.ok(t - t0 >= k * 40 - 1, `batch ${k} at ${(t - t0).toFixed(1)} ms, due at ${k * 40} ms`))
  })

  it('names a layer the job does not have, and bad lanes or rates', () => {
    const { ctx, job } = oneShardRun()
    const base = { job, layerId: 'L', lanes: 1, batchSize: 4, inputs: new Float32Array(INPUTS), seed: 's' }
    assert.throws(() => startLayerLoad(ctx, { ...base, layerId: 'nope' }), /no layer "nope"/)
    assert.throws(() => startLayerLoad(ctx, { ...base, lanes: 0 }), InvalidRunOptionError)
    assert.throws(() => startLayerLoad(ctx, { ...base, arrivalRps: 0 }), InvalidRunOptionError)
  })
})
