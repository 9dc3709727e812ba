/**
 * A job is a model described apart from where it runs: dense layers in crossbar orientation (W^T, rows =
 * inputs), biases and activations. The coordinator keeps this copy of the weights for the whole run, so a shard
 * whose peer leaves can be programmed again elsewhere.
 */
import { layerMatrixId } from '@tessera/models'
import type { MlpModel } from '@tessera/models'
import { InvalidJobError } from './errors.js'

/** Activation applied digitally after bias. */
export type Activation = 'relu' | 'identity'

/** One dense layer of a job. */
export interface JobLayer {
  /** Matrix id in plans and shards (`dense0`, …). */
  id: string
  inputs: number
  outputs: number
  /** `inputs × outputs`, row-major (W^T, the matrix a crossbar holds). */
  weights: Float32Array
  bias: Float32Array
  activation: Activation
  /** 0 … 1: how much the output suffers from device noise on this layer (steers it to low-noise tiles). */
  sensitivity: number
}

/** A model to run through the network. */
export interface ModelJob {
  name: string
  layers: JobLayer[]
}

/** Options of {@link jobFromMlp}. */
export interface JobFromMlpInit {
  name?: string
  /**
   * Sensitivity per layer (default: rising linearly from 0 at the first layer to 1 at the logits, since an
   * error in a late layer reaches the logits with no later layer to average it out).
   */
  sensitivity?: readonly number[]
}

/** Describes a trained MLP (ReLU hidden layers, linear logits) as a job. */
export function jobFromMlp (model: MlpModel, init: JobFromMlpInit = {}): ModelJob {
  const n = model.layers.length
  const job: ModelJob = {
    name: init.name ?? `mlp-${model.layerSizes.join('-')}`,
    layers: model.layers.map((layer, l) => ({
      id: layerMatrixId(l),
      inputs: layer.inputs,
      outputs: layer.outputs,
      weights: layer.weights,
      bias: layer.bias,
      activation: l < n - 1 ? 'relu' : 'identity',
      sensitivity: init.sensitivity?.[l] ?? (n > 1 ? l / (n - 1) : 1)
    }))
  }
  validateJob(job)
  return job
}

/** Throws {@link InvalidJobError} unless the layers chain and every array has its shape's length. */
export function validateJob (job: ModelJob): void {
  if (job.layers.length === 0) throw new InvalidJobError('a job needs at least one layer')
  const ids = new Set<string>()
  job.layers.forEach((layer, l) => {
    if (ids.has(layer.id)) throw new InvalidJobError(`two layers share the id ${layer.id}`)
    ids.add(layer.id)
    if (!(Number.isSafeInteger(layer.inputs) && layer.inputs > 0 && Number.isSafeInteger(layer.outputs) && layer.outputs > 0)) {
      throw new InvalidJobError(`layer ${layer.id} has a bad shape ${layer.inputs}×${layer.outputs}`)
    }
    if (l > 0 && job.layers[l - 1].outputs !== layer.inputs) {
      throw new InvalidJobError(`layer ${layer.id} takes ${layer.inputs} inputs, the previous layer gives ${job.layers[l - 1].outputs}`)
    }
    if (layer.weights.length !== layer.inputs * layer.outputs) throw new InvalidJobError(`layer ${layer.id} has ${layer.weights.length} weights, needs ${layer.inputs * layer.outputs}`)
    if (layer.bias.length !== layer.outputs) throw new InvalidJobError(`layer ${layer.id} has ${layer.bias.length} biases, needs ${layer.outputs}`)
    if (layer.activation !== 'relu' && layer.activation !== 'identity') throw new InvalidJobError(`layer ${layer.id} has an unknown activation ${String(layer.activation)}`)
    if (!(layer.sensitivity >= 0 && layer.sensitivity <= 1)) throw new InvalidJobError(`layer ${layer.id} sensitivity must be in [0, 1]`)
  })
}

/** Adds the bias and applies the activation in place on a `batch × outputs` accumulator. */
export function finishLayer (layer: JobLayer, acc: Float32Array, batch: number): void {
  const { outputs, bias } = layer
  const relu = layer.activation === 'relu'
  for (let b = 0; b < batch; b++) {
    const base = b * outputs
    for (let o = 0; o < outputs; o++) {
      const v = acc[base + o] + bias[o]
      acc[base + o] = relu && v < 0 ? 0 : v
    }
  }
}
