import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InvalidJobError } from '../src/errors.js'
import { finishLayer, jobFromMlp, validateJob } from '../src/job.js'

const model = {
  layerSizes: [3, 2, 2],
  layers: [
    { inputs: 3, outputs: 2, weights: new Float32Array(6), bias: Float32Array.from([1, -1]) },
    { inputs: 2, outputs: 2, weights: new Float32Array(4), bias: Float32Array.from([0.5, -0.5]) }
  ]
}

describe('jobs', () => {
  it('describes an MLP: ReLU hidden layers, linear logits, sensitivity rising to the logits', () => {
    const job = jobFromMlp(model)
    assert.deepEqual(job.layers.map((l) => l.activation), ['relu', 'identity'])
    assert.deepEqual(job.layers.map((l) => l.sensitivity), [0, 1])
    assert.deepEqual(job.layers.map((l) => l.id), ['dense0', 'dense1'])
  })

  it('adds the bias and applies the activation digitally', () => {
    const job = jobFromMlp(model)
    const acc = Float32Array.from([0, 0, 2, 0.5])
    finishLayer(job.layers[0], acc, 2)
    assert.deepEqual([...acc], [1, 0, 3, 0])
    const logits = Float32Array.from([0, 0])
    finishLayer(job.layers[1], logits, 1)
    assert.deepEqual([...logits], [0.5, -0.5])
  })

  it('rejects layers that do not chain or have arrays of the wrong length', () => {
    const job = jobFromMlp(model)
    assert.throws(() => validateJob({ ...job, layers: [job.layers[1], job.layers[0]] }), InvalidJobError)
    assert.throws(() => validateJob({ ...job, layers: [{ ...job.layers[0], bias: new Float32Array(1) }] }), InvalidJobError)
    assert.throws(() => validateJob({ ...job, layers: [] }), InvalidJobError)
  })
})
