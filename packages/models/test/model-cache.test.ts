import assert from 'node:assert/strict'
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { after, before, describe, it } from 'node:test'
import {
  InvalidModelFileError, loadMnist, loadOrTrainModel, loadOrTrainModels, sliceDataset, trainMlp
} from '../src/index.js'
import { bytesOf } from './fixtures.js'

const data = sliceDataset(loadMnist().train, 0, 1000)
const config = { layerSizes: [784, 16, 10], epochs: 1 }

describe('model cache', () => {
  let dir = ''
  before(async () => { dir = await mkdtemp(join(tmpdir(), 'tessera-model-cache-')) })
  after(async () => { await rm(dir, { recursive: true, force: true }) })

  it('trains once, then loads the same weights from the cache', async () => {
    const first = await loadOrTrainModel({ ...config, seed: 1, cacheDir: dir, data })
    assert.equal(first.fromCache, false)
    const second = await loadOrTrainModel({ ...config, seed: 1, cacheDir: dir, data })
    assert.equal(second.fromCache, true)
    assert.equal(second.path, first.path)
    assert.deepEqual(bytesOf(second.record.model.layers[0].weights), bytesOf(first.record.model.layers[0].weights))
    assert.equal(second.record.trainingTimeMs, first.record.trainingTimeMs)
    const other = await loadOrTrainModel({ ...config, seed: 2, cacheDir: dir, data })
    assert.equal(other.fromCache, false)
    assert.notEqual(other.path, first.path)
  })

  it('trains missing models on worker threads, bitwise equal to training in process', async () => {
    const started: number[] = []
    const results = await loadOrTrainModels([{ ...config, seed: 1 }, { ...config, seed: 9 }, { ...config, seed: 10, weightNoise: 0.04 }],
      { cacheDir: dir, data, workers: 2, onTrainingStart: (index) => started.push(index) })
    assert.deepEqual(results.map((r) => r.fromCache), [true, false, false])
    assert.deepEqual(started.sort(), [1, 2])
    const inProcess = trainMlp(data, { ...config, seed: 10, weightNoise: 0.04 })
    inProcess.model.layers.forEach((layer, l) => {
      assert.deepEqual(bytesOf(results[2].record.model.layers[l].weights), bytesOf(layer.weights))
      assert.deepEqual(bytesOf(results[2].record.model.layers[l].bias), bytesOf(layer.bias))
    })
    const again = await loadOrTrainModels([{ ...config, seed: 9 }], { cacheDir: dir, data })
    assert.equal(again[0].fromCache, true)
    assert.equal((await readdir(dir)).filter((f) => f.endsWith('.tmp')).length, 0)
  })

  it('throws the named error for a corrupt cache file instead of overwriting it', async () => {
    const { path } = await loadOrTrainModel({ ...config, seed: 1, cacheDir: dir, data })
    await writeFile(path, 'not a model')
    await assert.rejects(loadOrTrainModel({ ...config, seed: 1, cacheDir: dir, data }), InvalidModelFileError)
    await assert.rejects(loadOrTrainModels([{ ...config, seed: 1 }], { cacheDir: dir, data }), InvalidModelFileError)
  })
})
