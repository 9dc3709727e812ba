/**
 * What one shard call costs its peer, measured by running it: each call group of each planned shard
 * (`groupCalls`), with its input assembled as the pipeline assembles it (the group's slices of the layer's input
 * at their row offsets, zeros elsewhere), executed by the peer's own `ShardExecutor` on a tile pool of each
 * preset, on the real MNIST inputs carried through the real model's layers. The MACs the executor reports ÷ one
 * full read per vector is the call's read factor: below 1 where inputs are all zero (a block whose pixels are
 * blank is not read — the top rows of a digit), above 1 where bound management reads again. The emulated time
 * of a call on a rate-capped node is MACs ÷ rate, so this sets how long each call holds its peer.
 */
import { createDeviceProfile, createTilePool } from '@tessera/crossbar'
import type { PresetName } from '@tessera/crossbar'
import { groupCalls } from '@tessera/coordinator'
import type { JobPlan, ModelJob } from '@tessera/coordinator'
import { ShardExecutor } from '@tessera/peer'

/** Read factor per call group (`<shard id>#<group>`) and preset. */
export type CallReadFactors = Map<string, Map<string, number>>

/** The key of a shard's call group. */
export function callKey (shardId: string, group: number): string {
  return `${shardId}#${group}`
}

/** Layer inputs of `vectors` requests through the model in float (bias and activation applied between layers). */
function layerInputs (job: ModelJob, inputs: Float32Array, vectors: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>()
  let x = inputs.subarray(0, vectors * job.layers[0].inputs)
  for (const layer of job.layers) {
    out.set(layer.id, x)
    const y = new Float32Array(vectors * layer.outputs)
    for (let v = 0; v < vectors; v++) {
      for (let i = 0; i < layer.inputs; i++) {
        const xi = x[v * layer.inputs + i]
        if (xi === 0) continue
        const row = i * layer.outputs
        for (let o = 0; o < layer.outputs; o++) y[v * layer.outputs + o] += xi * layer.weights[row + o]
      }
      for (let o = 0; o < layer.outputs; o++) {
        const z = y[v * layer.outputs + o] + layer.bias[o]
        y[v * layer.outputs + o] = layer.activation === 'relu' && z < 0 ? 0 : z
      }
    }
    x = y
  }
  return out
}

/** Measures every call group of `plan` on each preset at tile size `geometry`, over `vectors` requests. */
export function measureCallReadFactors (init: { plan: JobPlan, job: ModelJob, inputs: Float32Array, vectors: number, presets: readonly string[], geometry: number, seed: string }): CallReadFactors {
  const { plan, job } = init
  const vectors = Math.min(init.vectors, Math.floor(init.inputs.length / job.layers[0].inputs))
  const acts = layerInputs(job, init.inputs, vectors)
  const layers = new Map(job.layers.map((l) => [l.id, l]))
  const factors: CallReadFactors = new Map()
  for (const preset of init.presets) {
    for (const shard of plan.shards) {
      const w = plan.weights.get(shard.id)
      if (w === undefined) continue
      const tilesNeeded = Math.ceil(w.rows / init.geometry) * Math.ceil(w.cols / init.geometry)
      const executor = new ShardExecutor(createTilePool({ profile: createDeviceProfile(preset as PresetName, { rows: init.geometry, cols: init.geometry }), tiles: tilesNeeded }))
      executor.reserve(shard.id, w.rows, w.cols)
      executor.program(shard.id, w.values, `${init.seed}/${shard.id}`)
      groupCalls(plan.blocks.get(shard.id) ?? []).forEach((blocks, g) => {
        const layer = layers.get(blocks[0].matrixId)
        const a = acts.get(blocks[0].matrixId)
        if (layer === undefined || a === undefined) return
        const x = new Float32Array(vectors * w.rows)
        for (const b of blocks) {
          for (let v = 0; v < vectors; v++) x.set(a.subarray(v * layer.inputs + b.matrixRow, v * layer.inputs + b.matrixRow + b.rows), v * w.rows + b.rowOffset)
        }
        const { stats } = executor.execute(shard.id, x, vectors, { noiseKey: `des/${shard.id}/${g}` })
        const key = callKey(shard.id, g)
        const byPreset = factors.get(key) ?? new Map<string, number>()
        byPreset.set(preset, stats.macs / (vectors * w.rows * w.cols))
        factors.set(key, byPreset)
      })
      executor.release(shard.id)
    }
  }
  return factors
}
