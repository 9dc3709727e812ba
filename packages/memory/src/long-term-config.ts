/**
 * Options of long-term memory and their checked, defaulted form.
 */
import { LONG_TERM_DEFAULTS } from './constants.js'
import { InvalidMemoryOptionError } from './errors.js'
import type { Datastore } from 'interface-datastore'
import type { TrendThresholds } from './long-term-trend.js'

/** Options of `createLongTermMemory`; every field but the datastore has a default in LONG_TERM_DEFAULTS (constants.ts). */
export interface LongTermMemoryInit {
  /** Where entries persist (the node passes its datastore-level store). Without one, load/save are no-ops. */
  datastore?: Datastore
  /** Key prefix of the entries (default {@link LONG_TERM_DEFAULTS.keyPrefix}). */
  keyPrefix?: string
  /** Bucket width, ms (default one hour; simulations use seconds). */
  bucketMs?: number
  /** Buckets kept per peer (default 72). */
  maxBuckets?: number
  /** Peers kept; the least recently seen goes first (default 1024). */
  maxPeers?: number
  /** A peer unseen for this long is dropped, ms (default seven days). */
  maxAgeMs?: number
  /** Half-life of the decay weighting old buckets in averages, ms (default one day). */
  halfLifeMs?: number
  /** Most recent buckets the trend regression uses (default 24). */
  trendBuckets?: number
  /** Fewest non-empty buckets for a non-stable trend (default 6). */
  trendMinBuckets?: number
  /** |t| needed for a trend (default 3). */
  trendTThreshold?: number
  /** Smallest relative change over the fitted span for a trend (default 0.1). */
  trendMinRelativeChange?: number
  /** Failure rate assumed for a peer without history (default 0.05). */
  priorFailureRate?: number
  /** Availability assumed for a peer without history (default 0.95). */
  priorAvailability?: number
  /** Weight of the priors, in pseudo-observations (default 10). */
  priorWeight?: number
}

/** Every parameter of long-term memory, checked (see {@link LongTermMemoryInit}). */
export interface LongTermConfig {
  bucketMs: number
  maxBuckets: number
  maxPeers: number
  maxAgeMs: number
  halfLifeMs: number
  trendBuckets: number
  thresholds: TrendThresholds
  priorFailureRate: number
  priorAvailability: number
  priorWeight: number
  /** Key prefix without trailing slashes. */
  prefix: string
}

/** Defaults and checks the options; throws {@link InvalidMemoryOptionError} on a bad value. */
export function resolveLongTermConfig (init: LongTermMemoryInit): LongTermConfig {
  const bucketMs = positive('bucketMs', init.bucketMs ?? LONG_TERM_DEFAULTS.bucketMs)
  const maxBuckets = positiveInteger('maxBuckets', init.maxBuckets ?? LONG_TERM_DEFAULTS.maxBuckets)
  const maxPeers = positiveInteger('maxPeers', init.maxPeers ?? LONG_TERM_DEFAULTS.maxPeers)
  const maxAgeMs = positive('maxAgeMs', init.maxAgeMs ?? LONG_TERM_DEFAULTS.maxAgeMs)
  const halfLifeMs = positive('halfLifeMs', init.halfLifeMs ?? LONG_TERM_DEFAULTS.halfLifeMs)
  const trendBuckets = positiveInteger('trendBuckets', init.trendBuckets ?? LONG_TERM_DEFAULTS.trendBuckets)
  const thresholds: TrendThresholds = {
    minBuckets: positiveInteger('trendMinBuckets', init.trendMinBuckets ?? LONG_TERM_DEFAULTS.trendMinBuckets),
    tThreshold: positive('trendTThreshold', init.trendTThreshold ?? LONG_TERM_DEFAULTS.trendTThreshold),
    minRelativeChange: nonNegative('trendMinRelativeChange', init.trendMinRelativeChange ?? LONG_TERM_DEFAULTS.trendMinRelativeChange)
  }
  const priorFailureRate = fraction('priorFailureRate', init.priorFailureRate ?? LONG_TERM_DEFAULTS.priorFailureRate)
  const priorAvailability = fraction('priorAvailability', init.priorAvailability ?? LONG_TERM_DEFAULTS.priorAvailability)
  const priorWeight = nonNegative('priorWeight', init.priorWeight ?? LONG_TERM_DEFAULTS.priorWeight)
  const prefix = (init.keyPrefix ?? LONG_TERM_DEFAULTS.keyPrefix).replace(/\/+$/, '')
  return { bucketMs, maxBuckets, maxPeers, maxAgeMs, halfLifeMs, trendBuckets, thresholds, priorFailureRate, priorAvailability, priorWeight, prefix }
}

function positive (name: string, value: number): number {
  if (!(Number.isFinite(value) && value > 0)) throw new InvalidMemoryOptionError(`${name} must be a positive number, got ${value}`)
  return value
}

function nonNegative (name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0)) throw new InvalidMemoryOptionError(`${name} must be a non-negative number, got ${value}`)
  return value
}

function positiveInteger (name: string, value: number): number {
  if (!(Number.isInteger(value) && value > 0)) throw new InvalidMemoryOptionError(`${name} must be a positive integer, got ${value}`)
  return value
}

function fraction (name: string, value: number): number {
  if (!(Number.isFinite(value) && value >= 0 && value <= 1)) throw new InvalidMemoryOptionError(`${name} must be in [0, 1], got ${value}`)
  return value
}
