/**
 * Seeded draws from the distributions the simulator states for what it does not take from a scenario: the
 * inverse-CDF exponential, the log-normal from a mean and a coefficient of variation, and weighted choice. Every
 * draw takes the generator, so one seed gives one sequence.
 */
import type { Rng } from '@tessera/crossbar'

/** Exponential with mean `meanMs` (inter-arrival and holding times). */
export function drawExponential (rng: Rng, mean: number): number {
  // 1 − u is in (0, 1], so the logarithm is finite.
  return -mean * Math.log(1 - rng.nextFloat())
}

/**
 * Log-normal with the given mean and coefficient of variation (standard deviation ÷ mean): σ² = ln(1 + cv²),
 * μ = ln(mean) − σ²/2. Heavy-tailed and positive, as host speeds and network round trips are.
 */
export function drawLogNormal (rng: Rng, mean: number, cv: number): number {
  if (cv <= 0) return mean
  const sigma2 = Math.log(1 + cv * cv)
  return Math.exp(Math.log(mean) - sigma2 / 2 + Math.sqrt(sigma2) * rng.nextNormal())
}

/** Uniform in [lo, hi). */
export function drawUniform (rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.nextFloat()
}

/** One of `options` with probability proportional to its weight. */
export function drawWeighted<T> (rng: Rng, options: ReadonlyArray<{ value: T, weight: number }>): T {
  let total = 0
  for (const o of options) total += o.weight
  let u = rng.nextFloat() * total
  for (const o of options) {
    u -= o.weight
    if (u < 0) return o.value
  }
  return options[options.length - 1].value
}
