/**
 * The projection check against seeded honest devices of every preset (PCM one day after programming included)
 * and against cheaters. The region's false-alarm probability is 2e−9 per check (acceptance.ts), so over the
 * N checks below the chance of any false alarm is at most N × 2e−9 < 1e−5: the tests demand none. The model's
 * expected error is also checked to be the right size (not a loose region that would pass anything).
 */
import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { referenceProduct } from '@tessera/testing'
import { compareReplicas, createShardVerifier, DEFAULT_FALSE_ALARM_PER_CHECK, falseAlarmPerRun } from '../src/index.js'
import { deviceOf, honestDevice, perturb, randomInputs, randomWeights } from './verification-fixtures.js'

const BATCH = 32
const DEVICES = 4
const BATCHES = 4
const CASES = [
  { preset: 'ideal', tSeconds: 1 },
  { preset: 'pcm', tSeconds: 1 },
  { preset: 'pcm', tSeconds: 86_400 },
  { preset: 'rram-4bit', tSeconds: 1 },
  { preset: 'rram-hifi', tSeconds: 1 }
] as const
// A full tile, a shard of two row blocks, and a logits-like extent with padding columns.
const SHAPES = [
  { rows: 128, cols: 128, tile: 128, zeroCols: 0 },
  { rows: 160, cols: 64, tile: 128, zeroCols: 0 },
  { rows: 100, cols: 16, tile: 128, zeroCols: 6 }
]

describe('projection check', () => {
  for (const { preset, tSeconds } of CASES) {
    it(`accepts every honest ${preset} answer at t = ${tSeconds} s, with an expected error of the right size`, () => {
      const profile = deviceOf(preset, 128)
      let checks = 0
      let ratioSum = 0
      let ratios = 0
      for (const shape of SHAPES) {
        for (let d = 0; d < DEVICES; d++) {
          const w = randomWeights(shape.rows, shape.cols, `w/${preset}/${d}`, shape.zeroCols)
          const device = honestDevice(profile, w, shape.rows, shape.cols, `device/${d}`, tSeconds)
          const verifier = createShardVerifier({ profile, weights: w, rows: shape.rows, cols: shape.cols, seed: `secret/${d}`, ageSeconds: tSeconds })
          for (let c = 0; c < BATCHES; c++) {
            const x = randomInputs(shape.rows, BATCH, `x/${d}/${c}`, c % 2 === 0 ? 'sparse' : 'signed')
            const y = device(x, BATCH, `key/${c}`)
            const verdict = verifier.check(x, y, BATCH)
            checks++
            let ySquare = 0
            for (const v of y) ySquare += v * v
            // An exact device is allowed float32 rounding only.
            if (preset === 'ideal') assert.ok(verdict.expected < 1e-7 * ySquare, `ideal: M ${verdict.expected} vs ‖y‖² ${ySquare}`)
            assert.ok(verdict.accepted, `${preset} shape ${shape.rows}×${shape.cols} device ${d} batch ${c}: S ${verdict.statistic} > ${verdict.threshold}`)
            if (preset !== 'ideal') {
              ratioSum += verdict.statistic / verdict.expected
              ratios++
            }
          }
        }
      }
      assert.ok(falseAlarmPerRun(checks, DEFAULT_FALSE_ALARM_PER_CHECK) < 1e-5)
      if (preset !== 'ideal') {
        // E[S] = E‖e‖² when the model is right: the mean ratio of S to the model's M must be near 1 (measured
        // 0.85 … 1.37 over these shapes; a model off by 2× either way fails).
        const mean = ratioSum / ratios
        assert.ok(mean > 0.5 && mean < 2, `mean S/M ${mean}`)
      }
    })
  }

  it('rejects large perturbations on every preset, and perturbations well above the device noise', () => {
    for (const { preset, tSeconds } of CASES) {
      const profile = deviceOf(preset, 128)
      const w = randomWeights(128, 128, `w/${preset}`)
      const device = honestDevice(profile, w, 128, 128, 'device', tSeconds)
      const verifier = createShardVerifier({ profile, weights: w, rows: 128, cols: 128, seed: 'secret', ageSeconds: tSeconds })
      for (let c = 0; c < 4; c++) {
        const x = randomInputs(128, BATCH, `x/${c}`, 'sparse')
        const y = device(x, BATCH, `key/${c}`)
        assert.equal(verifier.check(x, perturb(y, 2, `p/${c}`), BATCH).accepted, false, `${preset}: 200 % perturbation passed`)
        // A perturbation whose energy is 4× the acceptance threshold is rejected whatever the signs drawn.
        const honest = verifier.check(x, y, BATCH)
        let ss = 0
        for (const v of y) ss += v * v
        const relative = Math.sqrt((4 * honest.threshold * (1 + 1e-9)) / ss) || 0.01
        assert.equal(verifier.check(x, perturb(y, relative, `q/${c}`), BATCH).accepted, false, `${preset}: ${relative} perturbation passed`)
      }
    }
  })

  it('rejects answers computed with other weights (another model, or these weights 10 % off)', () => {
    for (const { preset, tSeconds } of CASES) {
      const profile = deviceOf(preset, 128)
      const w = randomWeights(128, 128, 'w/right')
      const other = randomWeights(128, 128, 'w/other')
      const off = Float32Array.from(w, (v, i) => v * (1 + 0.1 * Math.sign(other[i])))
      const verifier = createShardVerifier({ profile, weights: w, rows: 128, cols: 128, seed: 'secret', ageSeconds: tSeconds })
      const x = randomInputs(128, BATCH, 'x', 'sparse')
      assert.equal(verifier.check(x, honestDevice(profile, other, 128, 128, 'd', tSeconds)(x, BATCH, 'k'), BATCH).accepted, false, `${preset}: other model passed`)
      if (preset === 'ideal' || preset === 'rram-hifi') {
        // 10 % weight errors are far above these devices' noise (1.6 % relative for rram-hifi).
        assert.equal(verifier.check(x, Float32Array.from(referenceProduct(x, off, BATCH, 128, 128).exact), BATCH).accepted, false, `${preset}: 10 % off weights passed`)
      }
    }
  })

  it('spot replication: two honest copies agree within the region, a perturbed one does not', () => {
    const profile = deviceOf('rram-hifi', 128)
    const pcm = deviceOf('pcm', 128)
    const w = randomWeights(128, 128, 'w')
    const a = createShardVerifier({ profile, weights: w, rows: 128, cols: 128, seed: 'secret', ageSeconds: 1 })
    const b = createShardVerifier({ profile: pcm, weights: w, rows: 128, cols: 128, seed: 'secret', ageSeconds: 1 })
    const x = randomInputs(128, BATCH, 'x', 'sparse')
    const ya = honestDevice(profile, w, 128, 128, 'd1', 1)(x, BATCH, 'k')
    const yb = honestDevice(pcm, w, 128, 128, 'd2', 1)(x, BATCH, 'k')
    assert.ok(compareReplicas(a, b, x, ya, yb, BATCH).accepted)
    assert.equal(compareReplicas(a, b, x, perturb(ya, 2, 'p'), yb, BATCH).accepted, false)
  })

  it('rejects non-finite outputs', () => {
    const profile = deviceOf('pcm', 128)
    const w = randomWeights(64, 64, 'w')
    const verifier = createShardVerifier({ profile: deviceOf('pcm', 64), weights: w, rows: 64, cols: 64, seed: 's', ageSeconds: 1 })
    const x = randomInputs(64, 2, 'x', 'signed')
    const y = honestDevice(profile, w, 64, 64, 'd', 1)(x, 2, 'k')
    y[3] = Number.NaN
    assert.equal(verifier.check(x, y, 2).accepted, false)
  })
})
