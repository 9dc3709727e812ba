import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { performance } from 'node:perf_hooks'
import { runPipeline } from '../src/pipeline.js'
import { INPUTS, oneShardRun, OUTPUTS, SERVICE_MS } from './one-shard-run.js'

describe('runPipeline', () => {
  it('open loop: starts batches at their arrival times, not as answers come back, and answers each once', async () => {
    const { ctx, job, starts } = oneShardRun()
    const inputs = Float32Array.from({ length: 10 * INPUTS }, (_, i) => i)
    const answered = new Map<number, Float32Array>()
    const t0 = performance.now()
    // 4 requests per batch at 200 requests/s: a batch every 20 ms; calls take as long, so a closed loop of
    // 4 lanes would start the first four at once.
    const out = await runPipeline(ctx, {
      job, inputs, requests: 40, batchSize: 4, batchesInFlight: 4, arrivalRps: 200,
      onAnswer: (first, n, logits) => { answered.set(first, logits.slice(0, n * OUTPUTS)) }
    })
    assert.equal(out.started, 40)
    assert.equal(answered.size, 10)
    const expectedGapMs = (4 * 1000) / 200
    starts.forEach((t, b) => {
      // Never before its arrival time (timers never fire early; 1 ms for clock granularity).
      assert.ok(t - t0 >= b * expectedGapMs - 1, `batch ${b} started at ${(t - t0).toFixed(1)} ms, due at ${b * expectedGapMs} ms`)
    })
    // The answers are the identity on the first two inputs of each request's vector.
    for (const [first, logits] of answered) {
      for (let s = 0; s < 4; s++) {
        const image = (first + s) % 10
        assert.deepEqual([...logits.subarray(s * OUTPUTS, (s + 1) * OUTPUTS)], [image * INPUTS, image * INPUTS + 1])
      }
    }
  })

  it('closed loop: keeps batchesInFlight batches running from the start, and stops starting them when aborted', async () => {
    const { ctx, job, starts } = oneShardRun()
    const inputs = Float32Array.from({ length: 10 * INPUTS }, (_, i) => i)
    const stop = new AbortController()
    let answered = 0
    const out = await runPipeline(ctx, {
      job, inputs, requests: 4000, batchSize: 4, batchesInFlight: 3,
      signal: stop.signal,
      onAnswer: (_first, n) => {
        answered += n
        if (answered >= 24) stop.abort()
      }
    })
    // Three lanes start together; after the abort no lane takes another batch.
    assert.ok(starts[2] - starts[0] < SERVICE_MS, 'the first three batches started together')
    assert.equal(out.started, starts.length * 4)
    assert.equal(answered, out.started)
    assert.ok(out.started < 4000)
  })
})
