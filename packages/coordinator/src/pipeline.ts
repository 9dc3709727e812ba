/**
 * The request pipeline: requests are grouped into batches, several batches are in flight at once, and each
 * batch goes layer by layer — scatter the input slices to every block of the layer's shards, gather the
 * partial sums (added in plan order, so the sum does not depend on which reply came first), add the bias and
 * apply the activation digitally, next layer. Every request id is answered at most once per delivery and the
 * answers are counted, so lost and duplicated requests are measured, not assumed.
 */
import type { PlannedBlockLike } from '@tessera/scheduler'
import type { RunContext } from './run-context.js'
import type { ShardState } from './shard-state.js'
import { sleepUntil } from './sleep.js'
import { finishLayer } from './job.js'
import type { JobLayer, ModelJob } from './job.js'
import { groupCalls } from './calls.js'
import { callShard } from './shard-calls.js'

/** One call of a layer: a shard and the blocks of that layer it runs in one MVM. */
export interface LayerCall {
  shard: ShardState
  blocks: PlannedBlockLike[]
}

/** The calls of every layer, in plan order. */
export function layerCalls (ctx: RunContext, job: ModelJob): Map<string, LayerCall[]> {
  const calls = new Map<string, LayerCall[]>(job.layers.map((l) => [l.id, []]))
  for (const shard of ctx.shards.values()) {
    for (const blocks of groupCalls(shard.blocks)) calls.get(blocks[0].matrixId)?.push({ shard, blocks })
  }
  for (const list of calls.values()) {
    list.sort((a, b) => a.blocks[0].matrixRow - b.blocks[0].matrixRow || a.blocks[0].matrixCol - b.blocks[0].matrixCol)
  }
  return calls
}

/**
 * One layer of a batch: scatters the `n × layer.inputs` input to the layer's calls and adds their partial sums in
 * plan order into `n × layer.outputs` pre-activations (bias and activation not applied). Call i's read noise is
 * keyed `${keyPrefix}/${i}`.
 */
export async function runLayer (ctx: RunContext, layer: JobLayer, list: readonly LayerCall[], x: Float32Array, n: number, keyPrefix: string, deadlineMs: number): Promise<Float32Array> {
  const outputs = await Promise.all(list.map(async ({ shard, blocks }, call) => {
    const input = new Float32Array(n * shard.rows)
    for (const block of blocks) {
      for (let s = 0; s < n; s++) {
        input.set(x.subarray(s * layer.inputs + block.matrixRow, s * layer.inputs + block.matrixRow + block.rows), s * shard.rows + block.rowOffset)
      }
    }
    return await callShard(ctx, shard, input, n, `${keyPrefix}/${call}`, deadlineMs)
  }))
  const acc = new Float32Array(n * layer.outputs)
  list.forEach(({ shard, blocks }, i) => {
    const y = outputs[i]
    for (const block of blocks) {
      for (let s = 0; s < n; s++) {
        const src = s * shard.cols + block.colOffset
        const dst = s * layer.outputs + block.matrixCol
        for (let c = 0; c < block.cols; c++) acc[dst + c] += y[src + c]
      }
    }
  })
  return acc
}

/** Inputs of {@link runPipeline}. */
export interface PipelineInit {
  job: ModelJob
  /** Input vectors, `count × job.layers[0].inputs`; request i uses vector i mod count. */
  inputs: Float32Array
  requests: number
  batchSize: number
  batchesInFlight: number
  /**
   * Open loop: requests arrive at this rate (batches of `batchSize` at their arrival times), at most
   * `batchesInFlight` batches run at once. Default: closed loop, each of the `batchesInFlight` lanes starts its
   * next batch as soon as its previous one is answered.
   */
  arrivalRps?: number
  /** Called once per answered batch (request ids first … first + count − 1, logits row-major). */
  onAnswer: (first: number, count: number, logits: Float32Array) => void
  /** Called for a batch that failed for good (its requests stay unanswered). */
  onBatchFailed?: (first: number, count: number, err: unknown) => void
  signal?: AbortSignal
}

/**
 * Runs `requests` requests through the placed shards (fewer when `signal` aborts: no batch starts after it);
 * resolves when every batch started is answered or failed, to the number of requests started.
 */
export async function runPipeline (ctx: RunContext, init: PipelineInit): Promise<{ started: number }> {
  const { job, batchSize } = init
  const inputsPerVector = job.layers[0].inputs
  const count = init.inputs.length / inputsPerVector
  const calls = layerCalls(ctx, job)
  const batches = Math.ceil(init.requests / batchSize)
  let next = 0

  // A call's read noise is keyed by (batch, layer, call in plan order): the same request ids read the same noise
  // whichever batches run alongside, in whatever order calls reach a node, and on whichever copy a retry lands.
  // Every call of a batch shares one deadline: a batch is lost only when some shard found no peer before it.
  const forward = async (x: Float32Array, n: number, first: number, deadlineMs: number): Promise<Float32Array> => {
    let current = x
    for (const layer of job.layers) {
      const acc = await runLayer(ctx, layer, calls.get(layer.id) ?? [], current, n, `${first}/${layer.id}`, deadlineMs)
      finishLayer(layer, acc, n)
      current = acc
    }
    return current
  }

  const startMs = ctx.now()
  let begun = 0
  const stopped = (): boolean => init.signal?.aborted === true
  const lane = async (): Promise<void> => {
    while (next < batches && !stopped()) {
      const b = next++
      if (init.arrivalRps !== undefined) {
        // Open loop: batch b arrives at its time whatever the answers; one that finds every lane busy waits (a
        // backlog, worked off once there is capacity again). Batches due after the stop are not started.
        // A timer may fire up to a millisecond early against the high-resolution clock (the event loop's cached
        // time lags it): sleepUntil sleeps again until the arrival time has really come.
        await sleepUntil(startMs + (b * batchSize * 1000) / init.arrivalRps, ctx.now, stopped)
        if (stopped()) return
      }
      begun++
      const first = b * batchSize
      const n = Math.min(batchSize, init.requests - first)
      const x = new Float32Array(n * inputsPerVector)
      for (let s = 0; s < n; s++) {
        const image = (first + s) % count
        x.set(init.inputs.subarray(image * inputsPerVector, (image + 1) * inputsPerVector), s * inputsPerVector)
      }
      try {
        init.onAnswer(first, n, await forward(x, n, first, ctx.now() + ctx.settings.batchDeadlineMs))
      } catch (err) {
        init.onBatchFailed?.(first, n, err)
      }
    }
  }
  await Promise.all(Array.from({ length: Math.max(1, Math.min(init.batchesInFlight, batches)) }, lane))
  // Batches start in order of their ids, so those begun are the first ones.
  return { started: Math.min(init.requests, begun * batchSize) }
}
