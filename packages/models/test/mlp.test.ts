import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { NonFiniteValueError, ShapeMismatchError } from '@tessera/crossbar'
import { accuracyOf, argmaxRows, logitsFloat, meanCrossEntropy, predictFloat, validateModel } from '../src/index.js'
import type { Dataset, MlpModel } from '../src/index.js'

/** A 4-input, 2-class model whose decision is known by hand: class 1 iff x2 + x3 > x0 + x1. */
function handModel (): MlpModel {
  // hidden = relu([x0 + x1, x2 + x3]) ; logits = hidden (identity)
  const w1 = Float32Array.from([1, 0, 1, 0, 0, 1, 0, 1]) // inputs × outputs (4 × 2)
  const w2 = Float32Array.from([1, 0, 0, 1])
  return {
    layerSizes: [4, 2, 2],
    layers: [
      { inputs: 4, outputs: 2, weights: w1, bias: new Float32Array(2) },
      { inputs: 2, outputs: 2, weights: w2, bias: new Float32Array(2) }
    ]
  }
}

function dataset (rows: number[][], labels: number[]): Dataset {
  return { images: Float32Array.from(rows.flat()), labels: Uint8Array.from(labels), count: rows.length, pixels: rows[0].length }
}

describe('float inference', () => {
  it('computes the logits and predictions of a hand-built model', () => {
    const data = dataset([[1, 1, 0, 0], [0, 0, 1, 2], [0.5, 0, 0, 0.4]], [0, 1, 1])
    assert.deepEqual([...logitsFloat(handModel(), data)], [2, 0, 0, 3, 0.5, Math.fround(0.4)])
    assert.deepEqual([...predictFloat(handModel(), data, 2)], [0, 1, 0])
    assert.equal(accuracyOf(predictFloat(handModel(), data), data.labels), 2 / 3)
  })

  it('cross-entropy of uniform logits is ln(classes)', () => {
    assert.ok(Math.abs(meanCrossEntropy(new Float32Array(20), new Uint8Array(2), 10) - Math.log(10)) < 1e-12)
  })

  it('argmaxRows rejects logits that do not split into rows', () => {
    assert.throws(() => argmaxRows(new Float32Array(7), 2), ShapeMismatchError)
  })
})

describe('validateModel', () => {
  it('rejects layers that do not chain or arrays of the wrong length', () => {
    const m = handModel()
    assert.throws(() => validateModel({ ...m, layerSizes: [4, 3, 2] }), ShapeMismatchError)
    assert.throws(() => validateModel({ ...m, layers: [m.layers[0]] }), ShapeMismatchError)
    assert.throws(() => validateModel({ ...m, layers: [{ ...m.layers[0], weights: new Float32Array(7) }, m.layers[1]] }), ShapeMismatchError)
    assert.throws(() => validateModel({ ...m, layers: [m.layers[0], { ...m.layers[1], bias: new Float32Array(3) }] }), ShapeMismatchError)
  })

  it('rejects NaN and infinite weights and biases with NonFiniteValueError', () => {
    const m = handModel()
    const nanWeights = Float32Array.from(m.layers[0].weights); nanWeights[3] = Number.NaN
    assert.throws(() => validateModel({ ...m, layers: [{ ...m.layers[0], weights: nanWeights }, m.layers[1]] }), NonFiniteValueError)
    const infBias = Float32Array.from([0, Number.POSITIVE_INFINITY])
    assert.throws(() => validateModel({ ...m, layers: [m.layers[0], { ...m.layers[1], bias: infBias }] }), NonFiniteValueError)
  })

  it('rejects images that do not fit the input layer', () => {
    assert.throws(() => predictFloat(handModel(), dataset([[1, 2, 3]], [0])), ShapeMismatchError)
  })
})
