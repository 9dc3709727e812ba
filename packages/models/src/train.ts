/**
 * In-process training of the MLP: softmax cross-entropy, mini-batch AdamW with a cosine learning-rate decay,
 * He-normal initialisation — all seeded, so one seed gives bitwise-identical weights on every run.
 *
 * Hardware-aware training (as aihwkit users do it): with `weightNoise > 0`, every mini-batch's forward and
 * backward pass use a copy of the weights with Gaussian noise of σ = weightNoise · max|w| (per layer) added,
 * while the update is applied to the clean weights. The network learns weights whose function survives the
 * programming and read noise of analog tiles.
 */
import { createRng, ShapeMismatchError } from '@tessera/crossbar'
import type { Rng } from '@tessera/crossbar'
import {
  DEFAULT_EPOCHS, DEFAULT_LAYER_SIZES, DEFAULT_TRAINING, DEFAULT_TRAINING_SEED
} from './constants.js'
import { InvalidHyperparametersError } from './errors.js'
import { denseBackwardInput, denseBackwardWeights, denseForward, reluInPlace } from './linalg.js'
import { checkDatasetFits, validateModel } from './mlp.js'
import type { DenseLayer, MlpModel } from './mlp.js'
import type { Dataset } from './mnist.js'

/** Everything that determines the trained weights besides the seed and the data. */
export interface TrainingHyperparameters {
  /** Layer sizes, input first (default [784, 256, 128, 10]). */
  layerSizes: number[]
  /** Passes over the training set (default 12). */
  epochs: number
  /** Images per mini-batch (default 128). */
  batchSize: number
  /** Adam step size at the start (default 0.002). */
  learningRate: number
  /** The cosine schedule ends at this fraction of `learningRate` (default 0.05). */
  finalLearningRateFraction: number
  /** Adam β1 (default 0.9). */
  beta1: number
  /** Adam β2 (default 0.999). */
  beta2: number
  /** Adam ε (default 1e-8). */
  epsilon: number
  /** Decoupled weight decay per step, scaled by the learning rate (default 0.0001); biases are not decayed. */
  weightDecay: number
  /** Hardware-aware training noise σ relative to each layer's max|w| (default 0: off). */
  weightNoise: number
  /**
   * Data augmentation: each training image is shifted by a seeded random offset of up to this many pixels
   * along each axis (default 1; 0 disables it). Square images only.
   */
  shiftPixels: number
}

export interface TrainInit extends Partial<TrainingHyperparameters> {
  /** Seed of initialisation, batch order and weight noise (default 1). */
  seed?: number | string
  /** Called after each epoch with its mean training loss. */
  onEpoch?: (epoch: number, meanLoss: number) => void
}

export interface TrainResult {
  readonly model: MlpModel
  readonly hyperparameters: TrainingHyperparameters
  readonly seed: number | string
  /** Wall-clock training time. */
  readonly trainingTimeMs: number
  /** Mean cross-entropy per epoch. */
  readonly epochLosses: number[]
}

/** Fills in defaults and checks every hyperparameter; throws InvalidHyperparametersError. */
export function resolveHyperparameters (init: Partial<TrainingHyperparameters> = {}): TrainingHyperparameters {
  const h: TrainingHyperparameters = {
    layerSizes: [...(init.layerSizes ?? DEFAULT_LAYER_SIZES)],
    epochs: init.epochs ?? DEFAULT_EPOCHS,
    batchSize: init.batchSize ?? DEFAULT_TRAINING.batchSize,
    learningRate: init.learningRate ?? DEFAULT_TRAINING.learningRate,
    finalLearningRateFraction: init.finalLearningRateFraction ?? DEFAULT_TRAINING.finalLearningRateFraction,
    beta1: init.beta1 ?? DEFAULT_TRAINING.beta1,
    beta2: init.beta2 ?? DEFAULT_TRAINING.beta2,
    epsilon: init.epsilon ?? DEFAULT_TRAINING.epsilon,
    weightDecay: init.weightDecay ?? DEFAULT_TRAINING.weightDecay,
    weightNoise: init.weightNoise ?? DEFAULT_TRAINING.weightNoise,
    shiftPixels: init.shiftPixels ?? DEFAULT_TRAINING.shiftPixels
  }
  const fail = (what: string): never => { throw new InvalidHyperparametersError(what) }
  if (h.layerSizes.length < 2 || h.layerSizes.some((n) => !Number.isInteger(n) || n < 1)) fail(`layerSizes must be ≥ 2 positive integers, got [${h.layerSizes.join(', ')}]`)
  if (!Number.isInteger(h.epochs) || h.epochs < 1) fail(`epochs must be a positive integer, got ${h.epochs}`)
  if (!Number.isInteger(h.batchSize) || h.batchSize < 1) fail(`batchSize must be a positive integer, got ${h.batchSize}`)
  if (!(h.learningRate > 0 && Number.isFinite(h.learningRate))) fail(`learningRate must be positive, got ${h.learningRate}`)
  if (!(h.finalLearningRateFraction >= 0 && h.finalLearningRateFraction <= 1)) fail(`finalLearningRateFraction must be in [0, 1], got ${h.finalLearningRateFraction}`)
  if (!(h.beta1 >= 0 && h.beta1 < 1)) fail(`beta1 must be in [0, 1), got ${h.beta1}`)
  if (!(h.beta2 >= 0 && h.beta2 < 1)) fail(`beta2 must be in [0, 1), got ${h.beta2}`)
  if (!(h.epsilon > 0 && Number.isFinite(h.epsilon))) fail(`epsilon must be positive, got ${h.epsilon}`)
  if (!(h.weightDecay >= 0 && Number.isFinite(h.weightDecay))) fail(`weightDecay must be ≥ 0, got ${h.weightDecay}`)
  if (!(h.weightNoise >= 0 && Number.isFinite(h.weightNoise))) fail(`weightNoise must be ≥ 0, got ${h.weightNoise}`)
  if (!Number.isInteger(h.shiftPixels) || h.shiftPixels < 0) fail(`shiftPixels must be a non-negative integer, got ${h.shiftPixels}`)
  const side = Math.round(Math.sqrt(h.layerSizes[0]))
  if (h.shiftPixels > 0 && (side * side !== h.layerSizes[0] || h.shiftPixels >= side)) fail(`shiftPixels ${h.shiftPixels} needs square images wider than the shift, inputs are ${h.layerSizes[0]}`)
  return h
}

/** He-normal weights (σ = √(2 / inputs)) and zero biases, from `${seed}/init`. */
export function initialiseMlp (layerSizes: readonly number[], seed: number | string): MlpModel {
  const rng = createRng(`${seed}/init`)
  const layers: DenseLayer[] = []
  for (let l = 0; l + 1 < layerSizes.length; l++) {
    const inputs = layerSizes[l]
    const outputs = layerSizes[l + 1]
    const weights = new Float32Array(inputs * outputs)
    const scale = Math.sqrt(2 / inputs)
    for (let i = 0; i < weights.length; i++) weights[i] = rng.nextNormal() * scale
    layers.push({ inputs, outputs, weights, bias: new Float32Array(outputs) })
  }
  return { layerSizes: [...layerSizes], layers }
}

/**
 * Trains an MLP on a labelled dataset.
 *
 * @example
 * ```ts
 * const { train } = loadMnist()
 * const { model, trainingTimeMs } = trainMlp(train, { seed: 1 })
 * ```
 */
export function trainMlp (data: Dataset, init: TrainInit = {}): TrainResult {
  const h = resolveHyperparameters(init)
  const seed = init.seed ?? DEFAULT_TRAINING_SEED
  const sizes = h.layerSizes
  const classes = sizes[sizes.length - 1]
  const model = initialiseMlp(sizes, seed)
  checkDatasetFits(model, data)
  for (let i = 0; i < data.count; i++) {
    if (data.labels[i] >= classes) throw new ShapeMismatchError(`label ${data.labels[i]} of image ${i} is not below the ${classes} outputs`)
  }
  const started = performance.now()
  const layers = model.layers
  const layerCount = layers.length
  const batchSize = h.batchSize

  // Buffers sized once: activations per layer (input included), gradients, Adam moments, noisy weights.
  const activations = sizes.map((n) => new Float32Array(batchSize * n))
  const deltas = sizes.map((n) => new Float32Array(batchSize * n))
  const gradW = layers.map((layer) => new Float32Array(layer.weights.length))
  const gradB = layers.map((layer) => new Float32Array(layer.bias.length))
  const mW = layers.map((layer) => new Float64Array(layer.weights.length))
  const vW = layers.map((layer) => new Float64Array(layer.weights.length))
  const mB = layers.map((layer) => new Float64Array(layer.bias.length))
  const vB = layers.map((layer) => new Float64Array(layer.bias.length))
  const acc = new Float64Array(Math.max(...sizes))
  const noisy = h.weightNoise > 0 ? layers.map((layer) => new Float32Array(layer.weights.length)) : undefined
  const forwardWeights = noisy ?? layers.map((layer) => layer.weights)

  const order = new Uint32Array(data.count)
  for (let i = 0; i < data.count; i++) order[i] = i
  const shuffleRng = createRng(`${seed}/shuffle`)
  const noiseRng = createRng(`${seed}/weight-noise`)
  const augmentRng = createRng(`${seed}/augment`)
  const side = Math.round(Math.sqrt(data.pixels))
  const stepsPerEpoch = Math.ceil(data.count / batchSize)
  const totalSteps = stepsPerEpoch * h.epochs
  const epochLosses: number[] = []
  let step = 0

  for (let epoch = 0; epoch < h.epochs; epoch++) {
    shuffle(order, shuffleRng)
    let lossSum = 0
    for (let start = 0; start < data.count; start += batchSize) {
      const batch = Math.min(batchSize, data.count - start)
      const input = activations[0]
      for (let b = 0; b < batch; b++) {
        const source = order[start + b] * data.pixels
        if (h.shiftPixels === 0) {
          input.set(data.images.subarray(source, source + data.pixels), b * data.pixels)
        } else {
          const span = 2 * h.shiftPixels + 1
          shiftImage(data.images, source, input, b * data.pixels, side, augmentRng.nextInt(span) - h.shiftPixels, augmentRng.nextInt(span) - h.shiftPixels)
        }
      }
      if (noisy !== undefined) {
        for (let l = 0; l < layerCount; l++) perturb(layers[l].weights, noisy[l], h.weightNoise, noiseRng)
      }

      for (let l = 0; l < layerCount; l++) {
        const layer = layers[l]
        denseForward(activations[l], batch, layer.inputs, forwardWeights[l], layer.bias, layer.outputs, activations[l + 1], acc)
        if (l < layerCount - 1) reluInPlace(activations[l + 1], batch * layer.outputs)
      }

      lossSum += softmaxCrossEntropy(activations[layerCount], data.labels, order, start, batch, classes, deltas[layerCount])

      for (let l = layerCount - 1; l >= 0; l--) {
        const layer = layers[l]
        denseBackwardWeights(activations[l], batch, layer.inputs, deltas[l + 1], layer.outputs, gradW[l], gradB[l], acc)
        if (l > 0) denseBackwardInput(deltas[l + 1], batch, layer.outputs, forwardWeights[l], layer.inputs, activations[l], deltas[l])
      }

      step++
      const progress = totalSteps > 1 ? (step - 1) / (totalSteps - 1) : 1
      const cosine = 0.5 * (1 + Math.cos(Math.PI * progress))
      const lr = h.learningRate * (h.finalLearningRateFraction + (1 - h.finalLearningRateFraction) * cosine)
      const correction1 = 1 - Math.pow(h.beta1, step)
      const correction2 = 1 - Math.pow(h.beta2, step)
      for (let l = 0; l < layerCount; l++) {
        adamStep(layers[l].weights, gradW[l], mW[l], vW[l], h, lr, correction1, correction2, h.weightDecay)
        adamStep(layers[l].bias, gradB[l], mB[l], vB[l], h, lr, correction1, correction2, 0)
      }
    }
    const meanLoss = lossSum / data.count
    epochLosses.push(meanLoss)
    init.onEpoch?.(epoch, meanLoss)
  }
  validateModel(model)
  return { model, hyperparameters: h, seed, trainingTimeMs: performance.now() - started, epochLosses }
}

function shuffle (order: Uint32Array, rng: Rng): void {
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.nextInt(i + 1)
    const t = order[i]
    order[i] = order[j]
    order[j] = t
  }
}

/** Copies a side×side image moved by (dx, dy) pixels; pixels moved in from outside are 0. */
function shiftImage (source: Float32Array, sourceBase: number, target: Float32Array, targetBase: number, side: number, dx: number, dy: number): void {
  for (let r = 0; r < side; r++) {
    const sr = r - dy
    const rowBase = targetBase + r * side
    if (sr < 0 || sr >= side) {
      target.fill(0, rowBase, rowBase + side)
      continue
    }
    for (let c = 0; c < side; c++) {
      const sc = c - dx
      target[rowBase + c] = sc >= 0 && sc < side ? source[sourceBase + sr * side + sc] : 0
    }
  }
}

function perturb (clean: Float32Array, out: Float32Array, relativeSigma: number, rng: Rng): void {
  let maxAbs = 0
  for (let i = 0; i < clean.length; i++) {
    const a = Math.abs(clean[i])
    if (a > maxAbs) maxAbs = a
  }
  const sigma = relativeSigma * maxAbs
  for (let i = 0; i < clean.length; i++) out[i] = clean[i] + sigma * rng.nextNormal()
}

/**
 * Writes dlogits = (softmax − one-hot) / batch into `delta` and returns the batch's summed cross-entropy.
 */
function softmaxCrossEntropy (
  logits: Float32Array, labels: Uint8Array, order: Uint32Array, start: number, batch: number, classes: number,
  delta: Float32Array
): number {
  let loss = 0
  for (let b = 0; b < batch; b++) {
    const base = b * classes
    let max = logits[base]
    for (let k = 1; k < classes; k++) if (logits[base + k] > max) max = logits[base + k]
    let sum = 0
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[base + k] - max)
    const label = labels[order[start + b]]
    loss += Math.log(sum) - (logits[base + label] - max)
    for (let k = 0; k < classes; k++) {
      const p = Math.exp(logits[base + k] - max) / sum
      delta[base + k] = (p - (k === label ? 1 : 0)) / batch
    }
  }
  return loss
}

function adamStep (
  params: Float32Array, grad: Float32Array, m: Float64Array, v: Float64Array, h: TrainingHyperparameters,
  lr: number, correction1: number, correction2: number, weightDecay: number
): void {
  const { beta1, beta2, epsilon } = h
  for (let i = 0; i < params.length; i++) {
    const g = grad[i]
    const mi = beta1 * m[i] + (1 - beta1) * g
    const vi = beta2 * v[i] + (1 - beta2) * g * g
    m[i] = mi
    v[i] = vi
    params[i] -= lr * ((mi / correction1) / (Math.sqrt(vi / correction2) + epsilon) + weightDecay * params[i])
  }
}
