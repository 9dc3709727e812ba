/**
 * A peer's reputation from its long-term sums: failed verification checks, observed speed against the speed its
 * capacity record claims, and failed calls (errors and timeouts). See {@link Reputation} for the factors.
 */
import { REPUTATION_FAILED_CHECK_WEIGHT, REPUTATION_MIN_SPEED_SAMPLES } from './constants.js'
import type { Reputation } from './peer-stats.js'

/** What the reputation is computed from (decayed sums unless said otherwise). */
export interface ReputationInputs {
  /** Decayed failed checks. */
  failedChecks: number
  /** Mean observed and claimed throughput, MAC/s (undefined without samples). */
  observedThroughput: number | undefined
  claimedThroughput: number | undefined
  /** Throughput samples, undecayed. */
  throughputSamples: number
  /** Failure rate (errors and timeouts), already shrunk towards its prior. */
  failureRate: number
}

export function reputationOf (inputs: ReputationInputs): Reputation {
  const checks = 1 / (1 + REPUTATION_FAILED_CHECK_WEIGHT * inputs.failedChecks)
  const { observedThroughput: observed, claimedThroughput: claimed } = inputs
  const speed = inputs.throughputSamples >= REPUTATION_MIN_SPEED_SAMPLES && observed !== undefined && claimed !== undefined && claimed > 0
    ? Math.min(1, observed / claimed)
    : 1
  const reliability = Math.min(1, Math.max(0, 1 - inputs.failureRate))
  return { score: checks * speed * reliability, checks, speed, reliability }
}
