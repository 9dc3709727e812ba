/**
 * Inference of a trained MLP on emulated crossbar tiles. Every dense layer's weight matrix (crossbar
 * orientation: rows = inputs, cols = outputs, i.e. W^T) is cut into tile-sized blocks by the partition planner
 * and programmed once on a tile pool of the chosen device profile (weight-stationary); biases and ReLUs stay
 * digital, as in analog accelerators' periphery. Each layer runs as one batched planned MVM whose
 * column-sharing blocks' partial sums are added digitally.
 */
import { createTilePool, createWasmKernelSync, planPartition, programPlannedMatrices, UnknownHandleError } from '@tessera/crossbar'
import type { DeviceProfile, ExecuteOptions, ExecuteStats, MvmKernel, PartitionPlan, PlannedMatrices, TilePool } from '@tessera/crossbar'
import { DEFAULT_INFERENCE_BATCH } from './constants.js'
import { InvalidHyperparametersError } from './errors.js'
import { accuracyOf, argmaxRows, checkDatasetFits, validateModel } from './mlp.js'
import type { MlpModel } from './mlp.js'
import type { Dataset } from './mnist.js'

/** Id of the single tile pool the model is planned on. */
const DEVICE_ID = 'local'

/** Matrix id of dense layer `l` in plans and planned matrices. */
export function layerMatrixId (layer: number): string {
  return `dense${layer}`
}

/**
 * The partition plan of a model's dense layers (matrix ids `dense0`, `dense1`, …) on one tile pool of the
 * profile's geometry.
 */
export function planMlp (model: MlpModel, profile: DeviceProfile): PartitionPlan {
  validateModel(model)
  const { rows: tileRows, cols: tileCols } = profile.geometry
  const matrices = model.layers.map((layer, l) => ({ id: layerMatrixId(l), rows: layer.inputs, cols: layer.outputs }))
  // Enough tiles for the unpacked tile grid; the planner packs into fewer and the pool gets exactly those.
  const gridTiles = matrices.reduce((sum, m) => sum + Math.ceil(m.rows / tileRows) * Math.ceil(m.cols / tileCols), 0)
  return planPartition(matrices, [{ id: DEVICE_ID, geometry: profile.geometry, freeTiles: gridTiles, noiseLevel: profile.noiseLevel }])
}

export interface CrossbarMlpInit {
  model: MlpModel
  /** Device profile of every tile (its geometry sets the block size). */
  profile: DeviceProfile
  /** Device seed: programming noise, faults, drift exponents and read noise all derive from it (default 0). */
  seed?: number | string
  /** MVM kernel (default: the WebAssembly SIMD kernel). */
  kernel?: MvmKernel
  /** Images per batched MVM (default 500). */
  batchSize?: number
}

export interface CrossbarMlp {
  readonly plan: PartitionPlan
  readonly pool: TilePool
  /** Logits per image (`count × classes` row-major), read at `options.tSeconds` after programming. */
  logits (data: Dataset, options?: ExecuteOptions): Float32Array
  /** Predicted class per image (argmax of the logits). */
  predict (data: Dataset, options?: ExecuteOptions): Uint8Array
  /** Fraction of images classified correctly. */
  accuracy (data: Dataset, options?: ExecuteOptions): number
  /** Device time, energy and MACs of every MVM so far. */
  stats (): ExecuteStats
  /** Releases the blocks and tiles; the model cannot run afterwards. */
  release (): void
}

/**
 * Plans and programs a model on a tile pool.
 *
 * @example
 * ```ts
 * const onTiles = createCrossbarMlp({ model, profile: createDeviceProfile('pcm', { rows: 256, cols: 256 }), seed: 3 })
 * const accuracyAfterOneDay = onTiles.accuracy(heldOut, { tSeconds: 86_400, driftCompensation: true })
 * onTiles.release()
 * ```
 */
export function createCrossbarMlp (init: CrossbarMlpInit): CrossbarMlp {
  const { model, profile } = init
  validateModel(model)
  const batchSize = init.batchSize ?? DEFAULT_INFERENCE_BATCH
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new InvalidHyperparametersError(`batchSize must be a positive integer, got ${batchSize}`)
  const plan = planMlp(model, profile)
  const pool = createTilePool({ profile, tiles: plan.tiles, kernel: init.kernel ?? createWasmKernelSync() })
  const weights = Object.fromEntries(model.layers.map((layer, l) => [layerMatrixId(l), layer.weights]))
  let planned: PlannedMatrices | undefined = programPlannedMatrices(plan, weights, { [DEVICE_ID]: pool }, init.seed ?? 0)

  const widest = Math.max(...model.layerSizes)
  const bufferA = new Float32Array(batchSize * widest)
  const bufferB = new Float32Array(batchSize * widest)
  const classes = model.layerSizes[model.layerSizes.length - 1]
  const total: ExecuteStats = { deviceTimeNs: 0, energyPj: 0, macs: 0 }

  const logits = (data: Dataset, options?: ExecuteOptions): Float32Array => {
    if (planned === undefined) throw new UnknownHandleError('the model was released from its tiles')
    checkDatasetFits(model, data)
    const result = new Float32Array(data.count * classes)
    for (let start = 0; start < data.count; start += batchSize) {
      const batch = Math.min(batchSize, data.count - start)
      let input = data.images.subarray(start * data.pixels, (start + batch) * data.pixels)
      let out = bufferA
      for (let l = 0; l < model.layers.length; l++) {
        const layer = model.layers[l]
        const s = planned.mvm(layerMatrixId(l), input, batch, out, options)
        total.deviceTimeNs += s.deviceTimeNs
        total.energyPj += s.energyPj
        total.macs += s.macs
        const relu = l < model.layers.length - 1
        const outputs = layer.outputs
        for (let b = 0; b < batch; b++) {
          const base = b * outputs
          for (let o = 0; o < outputs; o++) {
            const v = out[base + o] + layer.bias[o]
            out[base + o] = relu && v < 0 ? 0 : v
          }
        }
        input = out
        out = out === bufferA ? bufferB : bufferA
      }
      result.set(input.subarray(0, batch * classes), start * classes)
    }
    return result
  }
  const predict = (data: Dataset, options?: ExecuteOptions): Uint8Array => argmaxRows(logits(data, options), classes)

  return {
    plan,
    pool,
    logits,
    predict,
    accuracy (data, options) {
      return accuracyOf(predict(data, options), data.labels)
    },
    stats () {
      return { ...total }
    },
    release () {
      planned?.release()
      planned = undefined
    }
  }
}
