import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { ShapeMismatchError } from '@tessera/crossbar'
import { InvalidHyperparametersError, accuracyOf, loadMnist, predictFloat, resolveHyperparameters, sliceDataset, trainMlp } from '../src/index.js'
import { bytesOf } from './fixtures.js'

const { train, heldOut } = loadMnist()
// A quick configuration: one hidden layer of 32, one epoch.
const subset = sliceDataset(train, 0, 8000)
const quick = { layerSizes: [784, 32, 10], epochs: 1 }

describe('trainMlp', () => {
  it('is deterministic: the same seed gives bitwise-identical weights and biases', () => {
    const a = trainMlp(subset, { ...quick, seed: 5 })
    const b = trainMlp(subset, { ...quick, seed: 5 })
    a.model.layers.forEach((layer, l) => {
      assert.deepEqual(bytesOf(layer.weights), bytesOf(b.model.layers[l].weights), `layer ${l} weights`)
      assert.deepEqual(bytesOf(layer.bias), bytesOf(b.model.layers[l].bias), `layer ${l} bias`)
    })
    assert.deepEqual(a.epochLosses, b.epochLosses)
  })

  it('is deterministic with hardware-aware weight noise too, and the noise changes the result', () => {
    const a = trainMlp(subset, { ...quick, seed: 5, weightNoise: 0.05 })
    const b = trainMlp(subset, { ...quick, seed: 5, weightNoise: 0.05 })
    const clean = trainMlp(subset, { ...quick, seed: 5 })
    assert.deepEqual(bytesOf(a.model.layers[0].weights), bytesOf(b.model.layers[0].weights))
    assert.notDeepEqual(bytesOf(a.model.layers[0].weights), bytesOf(clean.model.layers[0].weights))
  })

  it('gives different weights for another seed', () => {
    const a = trainMlp(subset, { ...quick, seed: 5 })
    const b = trainMlp(subset, { ...quick, seed: 6 })
    assert.notDeepEqual(bytesOf(a.model.layers[0].weights), bytesOf(b.model.layers[0].weights))
  })

  it('learns: one epoch of a small MLP classifies most held-out digits and its loss falls', () => {
    const result = trainMlp(subset, { ...quick, epochs: 2, seed: 7 })
    // Chance is 10%; a 784-32-10 MLP after two epochs on 8,000 digits is typically above 90%.
    const accuracy = accuracyOf(predictFloat(result.model, heldOut), heldOut.labels)
    assert.ok(accuracy > 0.85, `held-out accuracy ${accuracy}`)
    assert.ok(result.epochLosses[1] < result.epochLosses[0], `losses ${result.epochLosses.join(', ')}`)
  })

  it('rejects bad hyperparameters with InvalidHyperparametersError', () => {
    const bad = [
      { epochs: 0 }, { batchSize: 1.5 }, { learningRate: -1 }, { learningRate: Number.NaN }, { beta1: 1 }, { beta2: -0.1 },
      { epsilon: 0 }, { weightDecay: -1 }, { weightNoise: Number.POSITIVE_INFINITY }, { shiftPixels: -1 },
      { layerSizes: [784] }, { layerSizes: [784, 0, 10] }, { finalLearningRateFraction: 2 },
      { layerSizes: [780, 10], shiftPixels: 1 }
    ]
    for (const init of bad) assert.throws(() => resolveHyperparameters(init), InvalidHyperparametersError, JSON.stringify(init))
  })

  it('rejects data that does not fit the model', () => {
    assert.throws(() => trainMlp(subset, { layerSizes: [100, 10], shiftPixels: 0 }), ShapeMismatchError)
    const badLabels = { ...sliceDataset(train, 0, 10), labels: Uint8Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 12]) }
    assert.throws(() => trainMlp(badLabels, quick), ShapeMismatchError)
  })
})
