/**
 * Trend estimation for long-term memory.
 *
 * Choice: a weighted least-squares line through the per-bucket means of a metric against bucket time, weights
 * = samples per bucket. A trend counts only when it is both statistically clear and large enough to matter:
 * - |t| ≥ tThreshold, with t = slope / SE(slope), SE² = s² / Σ wᵢ(xᵢ − x̄)², s² = Σ wᵢ rᵢ² / (n − 2);
 * - |slope · span| / max(|ȳ|, floor) ≥ minRelativeChange, span = last − first bucket time.
 * A slope fit (rather than a fast/slow EMA ratio) gives a t-statistic directly, so the significance margin is
 * in units of the data's own scatter and does not have to be tuned per metric.
 */

/** Inputs of {@link fitTrend}; arrays hold one entry per bucket (entries with weight 0 are skipped). */
export interface TrendInput {
  /** Bucket times in hours (any origin). */
  timesHours: Float64Array
  /** Bucket means of the metric. */
  values: Float64Array
  /** Samples per bucket. */
  weights: Float64Array
  /** Buckets to use (from index 0). */
  length: number
}

/** Result of {@link fitTrend} before a direction is attached. */
export interface TrendFit {
  slopePerHour: number
  relativeChange: number
  tStatistic: number
  buckets: number
  /** Weighted mean of the values. */
  mean: number
}

/** Thresholds of {@link isSignificant}. */
export interface TrendThresholds {
  minBuckets: number
  tThreshold: number
  minRelativeChange: number
}

/**
 * Fits `value ≈ a + slope · time` by weighted least squares. `levelFloor` bounds the denominator of the
 * relative change from below so that a metric near zero (a failure rate of 0.001) does not produce huge
 * relative changes from tiny absolute ones.
 */
export function fitTrend (input: TrendInput, levelFloor: number): TrendFit {
  const { timesHours, values, weights, length } = input
  let sw = 0
  let swx = 0
  let swy = 0
  let n = 0
  let first = Number.POSITIVE_INFINITY
  let last = Number.NEGATIVE_INFINITY
  for (let i = 0; i < length; i++) {
    const w = weights[i]
    if (!(w > 0)) continue
    n++
    sw += w
    swx += w * timesHours[i]
    swy += w * values[i]
    if (timesHours[i] < first) first = timesHours[i]
    if (timesHours[i] > last) last = timesHours[i]
  }
  if (n === 0) return { slopePerHour: 0, relativeChange: 0, tStatistic: 0, buckets: 0, mean: 0 }
  const mx = swx / sw
  const my = swy / sw
  if (n < 3) return { slopePerHour: 0, relativeChange: 0, tStatistic: 0, buckets: n, mean: my }
  let sxx = 0
  let sxy = 0
  for (let i = 0; i < length; i++) {
    const w = weights[i]
    if (!(w > 0)) continue
    const dx = timesHours[i] - mx
    sxx += w * dx * dx
    sxy += w * dx * (values[i] - my)
  }
  if (sxx === 0) return { slopePerHour: 0, relativeChange: 0, tStatistic: 0, buckets: n, mean: my }
  const slope = sxy / sxx
  let ssr = 0
  for (let i = 0; i < length; i++) {
    const w = weights[i]
    if (!(w > 0)) continue
    const r = values[i] - (my + slope * (timesHours[i] - mx))
    ssr += w * r * r
  }
  const variance = ssr / (n - 2)
  const se = Math.sqrt(variance / sxx)
  // A perfect fit has no scatter: any non-zero slope is then as clear as it gets.
  const t = se > 0 ? slope / se : (slope === 0 ? 0 : Math.sign(slope) * Number.MAX_VALUE)
  const relativeChange = (slope * (last - first)) / Math.max(Math.abs(my), levelFloor)
  return { slopePerHour: slope, relativeChange, tStatistic: t, buckets: n, mean: my }
}

/** Sign of a significant trend (+1 rising, −1 falling) or 0 when it is not significant. */
export function isSignificant (fit: TrendFit, thresholds: TrendThresholds): -1 | 0 | 1 {
  if (fit.buckets < thresholds.minBuckets) return 0
  if (Math.abs(fit.tStatistic) < thresholds.tThreshold) return 0
  if (Math.abs(fit.relativeChange) < thresholds.minRelativeChange) return 0
  return fit.slopePerHour > 0 ? 1 : -1
}
