import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { performance } from 'node:perf_hooks'
import { createRng } from '@tessera/crossbar'
import { newShardState, Slots } from '../../src/coordinator/context.js'
import type { RunContext } from '../../src/coordinator/context.js'
import { PeerHealth } from '../../src/coordinator/health.js'
import { runPipeline } from '../../src/coordinator/pipeline.js'
import type { ModelJob } from '../../src/coordinator/job.js'

const INPUTS = 3
const OUTPUTS = 2
const SERVICE_MS = 20

/**
 * One identity-like layer on one shard held by peer `p`, whose calls take SERVICE_MS; every call's start time is
 * recorded. The job computes y = x · W with W picking the first two inputs.
 */
function oneShardRun (): { ctx: RunContext, job: ModelJob, starts: number[] } {
  const weights = new Float32Array([1, 0, 0, 1, 0, 0])
  const job: ModelJob = { name: 't', layers: [{ id: 'L', inputs: INPUTS, outputs: OUTPUTS, weights, bias: new Float32Array(OUTPUTS), activation: 'identity', sensitivity: 0 }] }
  const shard = newShardState({
    spec: { id: 'L/0', tilesNeeded: 1, geometry: { rows: INPUTS, cols: OUTPUTS }, cells: 6, bytes: 24, sensitivity: 0, expectedLoad: 1 },
    blocks: [{ matrixId: 'L', matrixRow: 0, matrixCol: 0, rows: INPUTS, cols: OUTPUTS, deviceId: 'p', tile: 0, rowOffset: 0, colOffset: 0 }],
    rows: INPUTS,
    cols: OUTPUTS,
    weights
  })
  shard.holders.push('p')
  const starts: number[] = []
  const ctx = {
    settings: { runId: 'run', seed: 's', callTimeoutMs: 5000, batchDeadlineMs: 10_000 },
    shards: new Map([['L/0', shard]]),
    health: new PeerHealth(),
    dead: new Set<string>(),
    pending: new Map<string, number>(),
    rng: createRng('pipeline'),
    now: () => performance.now(),
    views: () => [],
    policy: { route: () => 'p' },
    slotsOf: () => new Slots(64),
    emulatedDelayMs: () => 0,
    remoteId: (id: string) => id,
    recorder: { call: () => {} },
    recentBusy: { record: () => {}, others: () => 0 },
    shortTerm: { observe: () => {} },
    longTerm: { observe: () => {} },
    client: () => ({
      execute: async ({ input, batch }: { input: Float32Array, batch: number }) => {
        starts.push(performance.now())
        await new Promise((resolve) => setTimeout(resolve, SERVICE_MS))
        const output = new Float32Array(batch * OUTPUTS)
        for (let s = 0; s < batch; s++) for (let c = 0; c < OUTPUTS; c++) output[s * OUTPUTS + c] = input[s * INPUTS + c]
        return { output, deviceTimeNs: SERVICE_MS * 1e6, macs: batch * INPUTS * OUTPUTS }
      }
    })
  }
  return { ctx: ctx as unknown as RunContext, job, starts }
}

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
