import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { createRng } from '../src/random.js'
import { assertMeanAndVariance, assertNormalCdf } from './normal-checks.js'

describe('createRng: ziggurat normal deviates', () => {
  const n = 400_000
  const rng = createRng('gauss')
  const samples = new Float64Array(n)
  for (let i = 0; i < n; i++) samples[i] = rng.nextNormal()

  it('has mean 0 and variance 1 within 5 standard errors', () => {
    assertMeanAndVariance(samples)
  })

  it('matches the normal CDF at the body, the layer edges and the tail (binomial 5σ bands)', () => {
    assertNormalCdf(samples)
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
