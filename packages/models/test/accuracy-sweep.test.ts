import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { InvalidHyperparametersError, accuracyOf, jobConditions, loadMnist, predictFloat, runAccuracySweep, sampleStd, sliceDataset } from '../src/index.js'
import type { MlpModel } from '../src/index.js'
import { smallModel } from './fixtures.js'

const data = sliceDataset(loadMnist().heldOut, 0, 400)

describe('runAccuracySweep', () => {
  let model: MlpModel
  before(async () => { model = await smallModel() })

  it('returns one row per (preset, geometry, time, compensation), ideal rows equal to the float accuracy', async () => {
    const result = await runAccuracySweep({ model, data, presets: ['ideal', 'rram-4bit'], geometries: [128, 256], timesSeconds: [1, 3600], deviceSeeds: 2, workers: 0 })
    assert.equal(result.rows.length, 2 * 2 * 2 * 2)
    assert.equal(result.jobs, 2 * 2 * 2)
    const floatAccuracy = accuracyOf(predictFloat(model, data), data.labels)
    for (const row of result.rows) {
      assert.equal(row.seeds, 2)
      assert.ok(row.accuracyMean >= 0 && row.accuracyMean <= 1)
      if (row.profile === 'ideal') {
        assert.equal(row.accuracyMean, floatAccuracy)
        assert.equal(row.accuracyStd, 0)
      }
    }
    const seedResults = [0, 1].map((s) => result.perSeed[`rram-4bit/256/${s}`][0])
    for (const r of seedResults) assert.equal(r.accuracy, r.correct / data.count)
    const row = result.rows.find((r) => r.profile === 'rram-4bit' && r.geometry === 256 && r.tSeconds === 1 && !r.driftCompensation)
    const [a, b] = seedResults.map((r) => r.accuracy)
    assert.ok(Math.abs((row?.accuracyMean ?? -1) - (a + b) / 2) < 1e-12)
    // Two values: the n − 1 standard deviation is |a − b| / √2.
    assert.ok(Math.abs((row?.accuracyStd ?? -1) - Math.abs(a - b) / Math.SQRT2) < 1e-12)
  })

  it('gives the same rows on worker threads as in process', async () => {
    const init = { model, data, presets: ['pcm' as const], geometries: [256], timesSeconds: [1, 86_400], deviceSeeds: 3 }
    const inProcess = await runAccuracySweep({ ...init, workers: 0 })
    const progress: number[] = []
    const onWorkers = await runAccuracySweep({ ...init, workers: 2, onProgress: (done) => progress.push(done) })
    assert.deepEqual(onWorkers.rows, inProcess.rows)
    assert.deepEqual(progress, [1, 2, 3])
    assert.equal(onWorkers.workers, 2)
  })

  it('rejects empty or invalid sweeps', async () => {
    await assert.rejects(runAccuracySweep({ model, data, presets: [] }), InvalidHyperparametersError)
    await assert.rejects(runAccuracySweep({ model, data, timesSeconds: [3600, 1] }), InvalidHyperparametersError)
    await assert.rejects(runAccuracySweep({ model, data, deviceSeeds: 0 }), InvalidHyperparametersError)
    await assert.rejects(runAccuracySweep({ model, data, geometries: [0] }), InvalidHyperparametersError)
    await assert.rejects(runAccuracySweep({ model, data, presets: ['nope' as 'pcm'] }), InvalidHyperparametersError)
  })
})

describe('jobConditions and sampleStd', () => {
  it('lists each time without then with compensation', () => {
    assert.deepEqual(jobConditions([1, 60]), [
      { tSeconds: 1, driftCompensation: false }, { tSeconds: 1, driftCompensation: true },
      { tSeconds: 60, driftCompensation: false }, { tSeconds: 60, driftCompensation: true }
    ])
  })

  it('computes the n − 1 standard deviation', () => {
    assert.equal(sampleStd([0.5]), 0)
    assert.ok(Math.abs(sampleStd([1, 2, 3, 4]) - Math.sqrt(5 / 3)) < 1e-12)
  })
})
