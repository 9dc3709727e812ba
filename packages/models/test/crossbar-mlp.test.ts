import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { createDeviceProfile, NonFiniteValueError, ShapeMismatchError, UnknownHandleError } from '@tessera/crossbar'
import {
  accuracyOf, argmaxRows, createCrossbarMlp, loadMnist, logitsFloat, meanCrossEntropy, predictFloat, sliceDataset
} from '../src/index.js'
import type { MlpModel } from '../src/index.js'
import { bytesOf, smallModel } from './fixtures.js'

const { heldOut } = loadMnist()
const ONE_DAY_SECONDS = 86_400

describe('createCrossbarMlp', () => {
  let model: MlpModel
  before(async () => { model = await smallModel() })

  it('on the ideal profile predicts exactly what the float model predicts, on every held-out digit', () => {
    const floatPredictions = predictFloat(model, heldOut)
    for (const geometry of [128, 512]) {
      const onTiles = createCrossbarMlp({ model, profile: createDeviceProfile('ideal', { rows: geometry, cols: geometry }), seed: 1 })
      const predictions = onTiles.predict(heldOut)
      assert.deepEqual(predictions, floatPredictions, `${geometry}×${geometry}`)
      assert.equal(onTiles.accuracy(heldOut), accuracyOf(floatPredictions, heldOut.labels))
      onTiles.release()
    }
  })

  it('places every weight through the planner and counts the MACs of every block', () => {
    const onTiles = createCrossbarMlp({ model, profile: createDeviceProfile('ideal', { rows: 128, cols: 128 }) })
    const weights = model.layers.reduce((sum, layer) => sum + layer.inputs * layer.outputs, 0)
    assert.equal(onTiles.plan.cellsUsed, weights)
    assert.equal(onTiles.pool.tilesTotal, onTiles.plan.tiles)
    assert.equal(onTiles.pool.cellsUsed(), weights)
    const part = sliceDataset(heldOut, 0, 37)
    onTiles.predict(part)
    assert.equal(onTiles.stats().macs, 37 * weights)
    onTiles.release()
  })

  it('is deterministic for a device seed and differs between seeds', () => {
    const part = sliceDataset(heldOut, 0, 200)
    const run = (seed: number): Float32Array => {
      const onTiles = createCrossbarMlp({ model, profile: createDeviceProfile('pcm', { rows: 256, cols: 256 }), seed })
      const logits = onTiles.logits(part, { tSeconds: 3600 })
      onTiles.release()
      return logits
    }
    assert.deepEqual(bytesOf(run(4)), bytesOf(run(4)))
    assert.notDeepEqual(bytesOf(run(4)), bytesOf(run(5)))
  })

  it('PCM after one day: drift compensation loses less than no compensation', () => {
    const classes = 10
    const floatLogits = logitsFloat(model, heldOut)
    const floatCrossEntropy = meanCrossEntropy(floatLogits, heldOut.labels, classes)
    let accuracyDifference = 0
    let discordant = 0
    const seeds = [1, 2, 3]
    for (const seed of seeds) {
      const onTiles = createCrossbarMlp({ model, profile: createDeviceProfile('pcm', { rows: 256, cols: 256 }), seed })
      const without = onTiles.logits(heldOut, { tSeconds: ONE_DAY_SECONDS, driftCompensation: false })
      const withComp = onTiles.logits(heldOut, { tSeconds: ONE_DAY_SECONDS, driftCompensation: true })
      onTiles.release()
      // Task loss: drift shrinks each layer's outputs (to ≈ 0.66 after a day for PCM's ν ≈ 0.06), so uncompensated
      // logits are several times too small and the held-out cross-entropy rises well above the float model's;
      // compensation restores the scale.
      const ceWithout = meanCrossEntropy(without, heldOut.labels, classes)
      const ceWith = meanCrossEntropy(withComp, heldOut.labels, classes)
      assert.ok(ceWith < ceWithout, `seed ${seed}: cross-entropy ${ceWith} with compensation, ${ceWithout} without`)
      assert.ok(ceWith - floatCrossEntropy < (ceWithout - floatCrossEntropy) / 2, `seed ${seed}: compensation recovers less than half of the loss`)
      const pWithout = argmaxRows(without, classes)
      const pWith = argmaxRows(withComp, classes)
      accuracyDifference += accuracyOf(pWith, heldOut.labels) - accuracyOf(pWithout, heldOut.labels)
      for (let i = 0; i < heldOut.count; i++) if ((pWith[i] === heldOut.labels[i]) !== (pWithout[i] === heldOut.labels[i])) discordant++
    }
    // Top-1 accuracy: compensation must not do worse beyond sampling noise. The paired difference over
    // n = seeds × 2,000 digits has standard error ≈ √(discordant) / n; allow 5 of them.
    const n = seeds.length * heldOut.count
    const meanDifference = accuracyDifference / seeds.length
    assert.ok(meanDifference > -5 * Math.sqrt(Math.max(discordant, 1)) / n, `accuracy with − without = ${meanDifference}`)
  })

  it('rejects NaN weights, mismatching images and use after release with named errors', () => {
    const nan = Float32Array.from(model.layers[1].weights); nan[0] = Number.NaN
    const bad: MlpModel = { ...model, layers: model.layers.map((layer, l) => l === 1 ? { ...layer, weights: nan } : layer) }
    assert.throws(() => createCrossbarMlp({ model: bad, profile: createDeviceProfile('ideal') }), NonFiniteValueError)
    const onTiles = createCrossbarMlp({ model, profile: createDeviceProfile('ideal') })
    const wrong = { images: new Float32Array(2 * 100), labels: new Uint8Array(2), count: 2, pixels: 100 }
    assert.throws(() => onTiles.predict(wrong), ShapeMismatchError)
    onTiles.release()
    assert.throws(() => onTiles.predict(sliceDataset(heldOut, 0, 1)), UnknownHandleError)
  })
})
