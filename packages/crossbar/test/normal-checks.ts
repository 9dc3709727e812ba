/**
 * Shared statistical checks for samples that should be standard normal (the seeded generators of random.ts and
 * of the WASM analog engine). Tolerances come from the sample size: 5 standard errors.
 */
import assert from 'node:assert/strict'

/** Standard normal CDF via the complementary error function (Numerical Recipes erfc, |error| < 1.2e−7). */
export function phi (z: number): number {
  const x = Math.abs(z) / Math.SQRT2
  const t = 1 / (1 + 0.5 * x)
  const erfc = t * Math.exp(-x * x - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 +
    t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
  return z >= 0 ? 1 - erfc / 2 : erfc / 2
}

/** Mean 0 and variance 1 within 5 standard errors. */
export function assertMeanAndVariance (samples: Float64Array): void {
  const n = samples.length
  let sum = 0
  let sq = 0
  for (const v of samples) { sum += v; sq += v * v }
  const mean = sum / n
  const variance = sq / n - mean * mean
  assert.ok(Math.abs(mean) <= 5 / Math.sqrt(n), `mean ${mean}`)
  assert.ok(Math.abs(variance - 1) <= 5 * Math.sqrt(2 / n), `variance ${variance}`)
}

/** The fraction below z matches Φ(z) in the body, at the ziggurat's layer edges and in the tail (binomial 5σ). */
export function assertNormalCdf (samples: Float64Array): void {
  const n = samples.length
  for (const z of [-4, -3.5, -3, -2, -1, -0.5, 0, 0.3, 1, 2, 3, 3.44, 3.5, 4]) {
    let below = 0
    for (const v of samples) if (v < z) below++
    const p = phi(z)
    assert.ok(Math.abs(below - n * p) <= 5 * Math.sqrt(n * p * (1 - p)) + 1, `P(Z < ${z}) = ${below / n}, expected ${p}`)
  }
}
