/**
 * Read-only snapshots of what the dual memory knows about a peer. The scheduler consumes these shapes; it
 * never sees the windows or buckets behind them.
 */

/** Summary of one short-term metric over its window. */
export interface MetricSummary {
  /** Samples in the window. */
  count: number
  latest: number
  mean: number
  /** Per-sample exponential moving average over the window, oldest first. */
  ema: number
  /** Median (linear interpolation between order statistics). */
  p50: number
  p95: number
  min: number
  max: number
}

/**
 * What short-term memory knows about one peer; metric fields are absent when the window has no sample. A metric's
 * summary is shared by every caller until its window changes (short-term-window.ts): read-only.
 */
export interface ShortTermStats {
  peerId: string
  /** Time of the last observation of any kind. */
  lastSeenMs: number
  queueDepth?: Readonly<MetricSummary>
  inFlight?: Readonly<MetricSummary>
  /** Shard round trips seen by the coordinator, ms. */
  latencyMs?: Readonly<MetricSummary>
  /** Execution time per shard request reported by the peer, ms. */
  serviceMs?: Readonly<MetricSummary>
  /** Measured throughput, MACs per second. */
  throughput?: Readonly<MetricSummary>
  /** Shard calls with a known outcome in the window. */
  calls: number
  /** Failed ÷ all shard calls in the window; absent when there was none. */
  errorRate?: number
}

/** Direction of a long-term trend, from the scheduler's point of view (higher latency = degrading). */
export type TrendDirection = 'improving' | 'stable' | 'degrading'

/** Weighted least-squares trend of one long-term metric over time buckets. */
export interface TrendEstimate {
  direction: TrendDirection
  /** Fitted change of the metric per hour (metric units per hour). */
  slopePerHour: number
  /** Fitted change over the regression's time span divided by the weighted mean level (dimensionless). */
  relativeChange: number
  /** Slope ÷ its standard error (0 when there are too few buckets to estimate it). */
  tStatistic: number
  /** Non-empty buckets that entered the fit. */
  buckets: number
}

/**
 * A peer's reputation, each factor in [0, 1] (1: nothing held against it); `score` is their product.
 * - checks = 1 / (1 + REPUTATION_FAILED_CHECK_WEIGHT · decayed failed checks): one failed check of an answer
 *   (which an honest device fails with probability 2e−9) takes it to 0.01, and it recovers with the decay;
 * - speed = min(1, observed throughput ÷ claimed throughput) once REPUTATION_MIN_SPEED_SAMPLES throughput samples
 *   are in, else 1: a record claiming 10× the speed its calls show gets 0.1;
 * - reliability = 1 − failure rate (errors and timeouts, decayed, shrunk towards the prior).
 */
export interface Reputation {
  score: number
  checks: number
  speed: number
  reliability: number
}

/** What long-term memory knows about one peer. Averages are weighted by an exponential decay with age. */
export interface LongTermStats {
  peerId: string
  firstSeenMs: number
  lastSeenMs: number
  /** Shard calls with a known outcome, over every retained bucket (undecayed count). */
  calls: number
  /** Failed ÷ all shard calls, decayed, shrunk towards a prior for peers with little history. */
  failureRate: number
  /** Fraction of availability checks that found the peer up, decayed, shrunk towards a prior. */
  availability: number
  /** Mean shard round trip, ms (absent without samples). */
  latencyMs?: number
  /** Mean measured throughput, MACs per second (absent without samples). */
  throughput?: number
  /** Mean relative result error found by verification (absent without checks). */
  resultError?: number
  /** Throughput samples over every retained bucket (undecayed count). */
  throughputSamples: number
  /** Mean throughput the peer's record claimed at its calls, MACs per second (absent without claims). */
  claimedThroughput?: number
  /** Timed-out ÷ all shard calls, decayed (0 without calls). */
  timeoutRate: number
  /** Answers verification checked and failed checks, over every retained bucket (undecayed counts). */
  verifiedAnswers: number
  failedChecks: number
  /** How far the peer's answers, claims and calls can be trusted (reputation.ts). */
  reputation: Reputation
  /** Overall direction: degrading if any metric degrades, else improving if any improves, else stable. */
  trend: TrendDirection
  trends: {
    latencyMs: TrendEstimate
    throughput: TrendEstimate
    failureRate: TrendEstimate
  }
}
