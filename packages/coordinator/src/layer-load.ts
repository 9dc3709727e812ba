/**
 * Extra load on one layer of a running job — a hotspot: other requests that need only that layer (another model
 * or service sharing its weights) arrive alongside the job's own. Each lane runs batches through the layer's
 * shards back to back, over the same shards, copies and recovery as the job's requests, so the layer's load
 * grows by the lanes' share. Inputs are seeded: the first layer's are the job's own input vectors, a later
 * layer's are non-negative activations drawn from the seed (what a ReLU layer feeds it).
 */
import { logger } from '@libp2p/logger'
import { createRng } from '@tessera/crossbar'
import type { RunContext } from './run-context.js'
import { sleepUntil } from './sleep.js'
import { InvalidRunOptionError } from './errors.js'
import type { ModelJob } from './job.js'
import { layerCalls, runLayer } from './pipeline.js'

const log = logger('tessera:coordinator:layer-load')

/** Outcome of a layer load. */
export interface LayerLoadStats {
  /** Batches answered. */
  batches: number
  /** Batches that failed for good (no copy served them before the batch deadline). */
  failed: number
}

/** A running layer load. */
export interface LayerLoad {
  /** Stops starting batches; resolves once those in flight are done. */
  stop: () => Promise<LayerLoadStats>
}

/** Options of {@link startLayerLoad}. */
export interface LayerLoadInit {
  job: ModelJob
  layerId: string
  /** Batches in flight at once. */
  lanes: number
  batchSize: number
  /** The job's input vectors (used for the first layer). */
  inputs: Float32Array
  seed: string
  /**
   * Open loop: layer requests arrive at this rate, requests/s (batches of `batchSize`), `lanes` at most running at
   * once. Default: closed loop, every lane starts its next batch when the last one is answered.
   */
  arrivalRps?: number
}

/** Starts `lanes` loops of batches through one layer. */
export function startLayerLoad (ctx: RunContext, init: LayerLoadInit): LayerLoad {
  const index = init.job.layers.findIndex((l) => l.id === init.layerId)
  if (index < 0) throw new InvalidRunOptionError(`no layer ${JSON.stringify(init.layerId)} in the job (layers: ${init.job.layers.map((l) => l.id).join(', ')})`)
  if (!(Number.isSafeInteger(init.lanes) && init.lanes > 0)) throw new InvalidRunOptionError(`lanes must be a positive integer, got ${init.lanes}`)
  if (init.arrivalRps !== undefined && !(Number.isFinite(init.arrivalRps) && init.arrivalRps > 0)) throw new InvalidRunOptionError(`arrivalRps must be a positive number, got ${init.arrivalRps}`)
  const layer = init.job.layers[index]
  const list = layerCalls(ctx, init.job).get(layer.id) ?? []
  const n = init.batchSize
  const rng = createRng(`${init.seed}/layer-load/${layer.id}`)
  // A fixed pool of input batches, drawn once: the load, not the values, is what matters here.
  const pool = Array.from({ length: 8 }, () => {
    const x = new Float32Array(n * layer.inputs)
    const count = init.inputs.length / layer.inputs
    for (let s = 0; s < n; s++) {
      if (index === 0) {
        const image = rng.nextInt(count)
        x.set(init.inputs.subarray(image * layer.inputs, (image + 1) * layer.inputs), s * layer.inputs)
      } else for (let i = 0; i < layer.inputs; i++) x[s * layer.inputs + i] = rng.nextFloat()
    }
    return x
  })
  const stats: LayerLoadStats = { batches: 0, failed: 0 }
  let stopped = false
  let k = 0
  const startMs = ctx.now()
  const lane = async (): Promise<void> => {
    while (!stopped) {
      const batch = k++
      if (init.arrivalRps !== undefined) {
        await sleepUntil(startMs + (batch * n * 1000) / init.arrivalRps, ctx.now)
        if (stopped) return
      }
      try {
        await runLayer(ctx, layer, list, pool[batch % pool.length], n, `load/${layer.id}/${batch}`, ctx.now() + ctx.settings.batchDeadlineMs)
        stats.batches++
      } catch (err) {
        // Counted in the stats the run reports; the batch's requests are extra load, not the job's.
        log('layer-load batch %d on %s failed: %e', batch, layer.id, err)
        stats.failed++
      }
    }
  }
  const lanes = Array.from({ length: init.lanes }, lane)
  return {
    async stop () {
      stopped = true
      await Promise.all(lanes)
      return stats
    }
  }
}
