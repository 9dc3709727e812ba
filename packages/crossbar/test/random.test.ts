import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../src/random.js'

/** Standard normal CDF via the complementary error function (Numerical Recipes erfc, |error| < 1.2e−7). */
function phi (z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.5 * x)
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return z >= 0 ? 1 - erfc / 2 : erfc / 2
}

describe('createRng: ziggurat normal deviates', () => {
  const n = 400_000
  const rng = createRng('gauss')
  const samples = new Float64Array(n)
  for (let i = 0; i < n; i++) samples[i] = rng.nextNormal()

  it('has mean 0 and variance 1 within 5 standard errors', () => {
    let sum = 0
    let sq = 0
    for (const v of samples) { sum += v; sq += v * v }
    const mean = sum / n
    const variance = sq / n - mean * mean
    assert.ok(Math.abs(mean) <= 5 / Math.sqrt(n), `mean ${mean}`)
    assert.ok(Math.abs(variance - 1) <= 5 * Math.sqrt(2 / n), `variance ${variance}`)
  })

  it('matches the normal CDF at the body, the layer edges and the tail (binomial 5σ bands)', () => {
    for (const z of [-4, -3.5, -3, -2, -1, -0.5, 0, 0.3, 1, 2, 3, 3.44, 3.5, 4]) {
      let below = 0
      for (const v of samples) if (v < z) below++
      const p = phi(z)
      assert.ok(Math.abs(below - n * p) <= 5 * Math.sqrt(n * p * (1 - p)) + 1, `P(Z < ${z}) = ${below / n}, expected ${p}`)
    }
  })

  it('is deterministic per seed and differs between seeds', () => {
    const draw = (seed: number): number[] => { const rng = createRng(seed); return Array.from({ length: 100 }, () => rng.nextNormal()) }
    assert.deepEqual(draw(5), draw(5))
    assert.notDeepEqual(draw(5), draw(6))
  })
})

describe('createRng: uniform integers', () => {
  it('fills 16 bins uniformly (chi-square, 15 degrees of freedom, cut-off at p ≈ 1e−5)', () => {
    const rng = createRng('uniform')
    const bins = new Float64Array(16)
    const n = 160_000
    for (let i = 0; i < n; i++) bins[rng.nextUint32() >>> 28]++
    const expected = n / 16
    let chi2 = 0
    for (const count of bins) chi2 += (count - expected) ** 2 / expected
    assert.ok(chi2 < 50, `χ² ${chi2}`)
  })
})
