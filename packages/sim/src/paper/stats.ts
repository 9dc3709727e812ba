/**
 * Statistics over seeds: the mean with a 95% confidence interval from Student's t distribution, ratios paired
 * by seed, and the binomial standard error of an accuracy. Pure functions.
 */
import { PaperStatisticsError } from './errors.js'

/** A mean and the half-width of its 95% confidence interval (mean ± ci95); ci95 is null with one sample. */
export interface MeanCi {
  mean: number
  ci95: number | null
  /** Samples the figure is over (seeds with a defined value). */
  n: number
}

/** Two-sided 97.5% quantiles of Student's t for 1 … 30 degrees of freedom. */
const T_975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139,
  2.200985, 2.178813, 2.160369, 2.144787, 2.131450, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963,
  2.079614, 2.073873, 2.068658, 2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.045230, 2.042272
]
/** The normal quantile, the limit for many degrees of freedom. */
const Z_975 = 1.959964

/** t_{0.975, df}: the 95% two-sided critical value for `df` degrees of freedom (df > 30 uses a 1/df correction). */
export function tCritical95 (df: number): number {
  if (!(Number.isSafeInteger(df) && df >= 1)) throw new PaperStatisticsError(`degrees of freedom must be a positive integer, got ${df}`)
  if (df <= T_975.length) return T_975[df - 1]
  // Beyond the table t ≈ z + (z³ + z) / (4 df), the first term of the Cornish–Fisher expansion.
  return Z_975 + (Z_975 ** 3 + Z_975) / (4 * df)
}

/** Mean and 95% t interval of the finite values among `values` (NaN values are left out). */
export function meanCi (values: readonly number[]): MeanCi {
  const xs = values.filter((x) => Number.isFinite(x))
  if (xs.length === 0) return { mean: Number.NaN, ci95: null, n: 0 }
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length
  if (xs.length === 1) return { mean, ci95: null, n: 1 }
  const variance = xs.reduce((a, x) => a + (x - mean) ** 2, 0) / (xs.length - 1)
  return { mean, ci95: tCritical95(xs.length - 1) * Math.sqrt(variance / xs.length), n: xs.length }
}

/**
 * Mean and 95% interval of the per-seed ratios `numerator[i] / denominator[i]` (paired by seed: index i is
 * the same seed in both). Seeds where either value is not finite or the denominator is 0 are left out.
 */
export function pairedRatio (numerator: readonly number[], denominator: readonly number[]): MeanCi {
  if (numerator.length !== denominator.length) throw new PaperStatisticsError(`paired samples differ in length (${numerator.length} vs ${denominator.length})`)
  return meanCi(numerator.map((x, i) => (denominator[i] !== 0 ? x / denominator[i] : Number.NaN)))
}

/** Binomial standard error of a proportion `p` estimated from `n` trials: √(p(1 − p) / n). */
export function binomialStdErr (p: number, n: number): number {
  if (!(n > 0) || !(p >= 0 && p <= 1)) return Number.NaN
  return Math.sqrt(p * (1 - p) / n)
}
