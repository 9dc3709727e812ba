/**
 * A multi-layer perceptron with ReLU hidden layers and linear logits. Weights are kept in crossbar
 * orientation: a dense layer y = W·x + b (W: outputs × inputs) stores `weights` = W^T as a row-major
 * `inputs × outputs` Float32Array, exactly the matrix a crossbar tile holds (rows = word lines = inputs,
 * cols = bit lines = outputs). Float inference and tile inference therefore share one layout.
 */
import { DEFAULT_INFERENCE_BATCH } from './constants.js'
import { NonFiniteValueError, ShapeMismatchError } from '@tessera/crossbar'
import { argmax, denseForward, reluInPlace } from './linalg.js'
import type { Dataset } from './mnist.js'

/** One dense layer: `weights` is `inputs × outputs` row-major (W^T), `bias` has `outputs` values. */
export interface DenseLayer {
  readonly inputs: number
  readonly outputs: number
  readonly weights: Float32Array
  readonly bias: Float32Array
}

/** A ReLU MLP: every layer but the last is followed by a ReLU; the last gives logits. */
export interface MlpModel {
  readonly layerSizes: readonly number[]
  readonly layers: readonly DenseLayer[]
}

/**
 * Checks that the layers chain, every array has the length its shape needs and every value is finite.
 * Throws ShapeMismatchError or NonFiniteValueError.
 */
export function validateModel (model: MlpModel): void {
  const sizes = model.layerSizes
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((n) => !Number.isInteger(n) || n < 1)) {
    throw new ShapeMismatchError(`layer sizes must be ≥ 2 positive integers, got [${String(sizes)}]`)
  }
  if (model.layers.length !== sizes.length - 1) {
    throw new ShapeMismatchError(`${sizes.length} layer sizes need ${sizes.length - 1} layers, got ${model.layers.length}`)
  }
  model.layers.forEach((layer, l) => {
    if (layer.inputs !== sizes[l] || layer.outputs !== sizes[l + 1]) {
      throw new ShapeMismatchError(`layer ${l} is ${layer.inputs}→${layer.outputs}, the layer sizes say ${sizes[l]}→${sizes[l + 1]}`)
    }
    if (layer.weights.length !== layer.inputs * layer.outputs) {
      throw new ShapeMismatchError(`layer ${l} has ${layer.weights.length} weights, ${layer.inputs}×${layer.outputs} needs ${layer.inputs * layer.outputs}`)
    }
    if (layer.bias.length !== layer.outputs) {
      throw new ShapeMismatchError(`layer ${l} has ${layer.bias.length} biases, needs ${layer.outputs}`)
    }
    const badWeight = firstNonFinite(layer.weights)
    if (badWeight >= 0) throw new NonFiniteValueError(`layer ${l} weight ${badWeight} is ${layer.weights[badWeight]}`)
    const badBias = firstNonFinite(layer.bias)
    if (badBias >= 0) throw new NonFiniteValueError(`layer ${l} bias ${badBias} is ${layer.bias[badBias]}`)
  })
}

function firstNonFinite (values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i
  return -1
}

/** Checks that a dataset's images fit the model's input layer. */
export function checkDatasetFits (model: MlpModel, data: Dataset): void {
  if (data.pixels !== model.layerSizes[0]) {
    throw new ShapeMismatchError(`the model takes ${model.layerSizes[0]} inputs, the images have ${data.pixels} pixels`)
  }
  if (data.images.length !== data.count * data.pixels || data.labels.length !== data.count) {
    throw new ShapeMismatchError(`dataset of ${data.count} images has ${data.images.length} pixel values and ${data.labels.length} labels`)
  }
}

/**
 * Runs the model in float32 on every image and returns the logits, `count × classes` row-major. Images are
 * processed in batches of `batchSize` (default 500).
 */
export function logitsFloat (model: MlpModel, data: Dataset, batchSize = DEFAULT_INFERENCE_BATCH): Float32Array {
  validateModel(model)
  checkDatasetFits(model, data)
  const widest = Math.max(...model.layerSizes)
  const a = new Float32Array(batchSize * widest)
  const b = new Float32Array(batchSize * widest)
  const acc = new Float64Array(widest)
  const classes = model.layerSizes[model.layerSizes.length - 1]
  const logits = new Float32Array(data.count * classes)
  for (let start = 0; start < data.count; start += batchSize) {
    const batch = Math.min(batchSize, data.count - start)
    let input = data.images.subarray(start * data.pixels, (start + batch) * data.pixels)
    let out = a
    model.layers.forEach((layer, l) => {
      denseForward(input, batch, layer.inputs, layer.weights, layer.bias, layer.outputs, out, acc)
      if (l < model.layers.length - 1) reluInPlace(out, batch * layer.outputs)
      input = out
      out = out === a ? b : a
    })
    logits.set(input.subarray(0, batch * classes), start * classes)
  }
  return logits
}

/** Predicted class per row of a `count × classes` logit matrix (argmax; the first class on ties). */
export function argmaxRows (logits: Float32Array, classes: number): Uint8Array {
  if (!Number.isInteger(classes) || classes < 1 || logits.length % classes !== 0) {
    throw new ShapeMismatchError(`${logits.length} logits do not split into rows of ${classes}`)
  }
  const count = logits.length / classes
  const predictions = new Uint8Array(count)
  for (let i = 0; i < count; i++) predictions[i] = argmax(logits, i * classes, classes)
  return predictions
}

/** The float32 model's predicted class per image. */
export function predictFloat (model: MlpModel, data: Dataset, batchSize = DEFAULT_INFERENCE_BATCH): Uint8Array {
  return argmaxRows(logitsFloat(model, data, batchSize), model.layerSizes[model.layerSizes.length - 1])
}

/** Fraction of predictions equal to the labels. */
export function accuracyOf (predictions: Uint8Array, labels: Uint8Array): number {
  if (predictions.length !== labels.length || labels.length === 0) {
    throw new ShapeMismatchError(`${predictions.length} predictions for ${labels.length} labels`)
  }
  let correct = 0
  for (let i = 0; i < labels.length; i++) if (predictions[i] === labels[i]) correct++
  return correct / labels.length
}

/** Mean softmax cross-entropy (nats) of `labels` under `count × classes` logits. */
export function meanCrossEntropy (logits: Float32Array, labels: Uint8Array, classes: number): number {
  if (logits.length !== labels.length * classes || labels.length === 0) {
    throw new ShapeMismatchError(`${logits.length} logits for ${labels.length} labels of ${classes} classes`)
  }
  let total = 0
  for (let i = 0; i < labels.length; i++) {
    const base = i * classes
    let max = logits[base]
    for (let k = 1; k < classes; k++) if (logits[base + k] > max) max = logits[base + k]
    let sum = 0
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[base + k] - max)
    total += Math.log(sum) - (logits[base + labels[i]] - max)
  }
  return total / labels.length
}
