/**
 * The throughput a peer's capacity record claims, counted only as far as observed work confirms it. A record is
 * the peer's own word; a peer can claim ten times the speed it has and attract work it then serves slowly. Once
 * long-term memory has seen enough of its calls, the claim is capped at CLAIM_CONFIRMATION_SLACK × the observed
 * throughput; before that (a new peer), the claim stands.
 */
import { REPUTATION_MIN_SPEED_SAMPLES } from '@tessera/memory'
import type { LongTermStats } from '@tessera/memory'
import { CLAIM_CONFIRMATION_SLACK } from './constants.js'

/** The claimed throughput `claimedMacsPerSecond` capped by the observed one (MAC/s). */
export function confirmedThroughput (claimedMacsPerSecond: number, longTerm: Pick<LongTermStats, 'throughput' | 'throughputSamples'> | undefined): number {
  const observed = longTerm?.throughput
  if (longTerm === undefined || observed === undefined || longTerm.throughputSamples < REPUTATION_MIN_SPEED_SAMPLES) return claimedMacsPerSecond
  return Math.min(claimedMacsPerSecond, CLAIM_CONFIRMATION_SLACK * observed)
}
