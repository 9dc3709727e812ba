/**
 * Parameters of the reconfiguration step, with defaults in constants.ts.
 */
import {
  RECONFIGURE_CONFIRM_CHECKS,
  RECONFIGURE_COOLDOWN_MS,
  RECONFIGURE_DRAIN_TIMEOUT_MS,
  RECONFIGURE_EVICT_UTILISATION,
  RECONFIGURE_GAIN_THRESHOLD,
  RECONFIGURE_MAX_CONCURRENT_MIGRATIONS,
  RECONFIGURE_MAX_REPLICAS,
  RECONFIGURE_OVERLOAD_SETTLE_MS,
  RECONFIGURE_OVERLOAD_UTILISATION,
  RECONFIGURE_PROGRAM_TIMEOUT_MS,
  RECONFIGURE_REPLICATE_UTILISATION,
  RECONFIGURE_SLOWER_THROUGHPUT_RATIO
} from './constants.js'
import { InvalidSchedulerOptionError } from './errors.js'
import { createScoreModel } from './score.js'
import type { ScoreModel, ScoreModelInit } from './score.js'

/** Every parameter of the reconfiguration step (see {@link ReconfigureInit} for meanings and defaults). */
export interface ReconfigureConfig {
  gainThreshold: number
  confirmChecks: number
  maxConcurrentMigrations: number
  cooldownMs: number
  overloadUtilisation: number
  overloadSettleMs: number
  slowerThroughputRatio: number
  replicateUtilisation: number
  evictUtilisation: number
  maxReplicas: number
  programTimeoutMs: number
  drainTimeoutMs: number
  score: ScoreModel
}

/** Options of {@link createReconfigureConfig}; every field is optional. */
export interface ReconfigureInit {
  /**
   * A migration or replication must improve the expected completion time by at least this factor, old ÷ new
   * (default {@link RECONFIGURE_GAIN_THRESHOLD}, Petals' 1/0.75). Must be ≥ 1.
   */
  gainThreshold?: number
  /** Consecutive checks a condition must hold before it is acted on (default {@link RECONFIGURE_CONFIRM_CHECKS}). */
  confirmChecks?: number
  /**
   * Migrations plus replications in progress at once; replacements of lost copies are not counted
   * (default {@link RECONFIGURE_MAX_CONCURRENT_MIGRATIONS}).
   */
  maxConcurrentMigrations?: number
  /** Per-shard quiet time after a migration, replication or eviction is decided, ms (default {@link RECONFIGURE_COOLDOWN_MS}). */
  cooldownMs?: number
  /** Peer utilisation (0..1] at which it is overloaded (default {@link RECONFIGURE_OVERLOAD_UTILISATION}). */
  overloadUtilisation?: number
  /**
   * After a copy leaves a peer that is only overloaded, the next one may leave it only this much later, ms
   * (default {@link RECONFIGURE_OVERLOAD_SETTLE_MS}: the short-term window, after which its reports show the move).
   */
  overloadSettleMs?: number
  /** Measured ÷ remembered throughput at or below which a peer is slower (default {@link RECONFIGURE_SLOWER_THROUGHPUT_RATIO}). */
  slowerThroughputRatio?: number
  /** Shard utilisation (0..1] at which it is hot (default {@link RECONFIGURE_REPLICATE_UTILISATION}). */
  replicateUtilisation?: number
  /**
   * An extra replica goes when the remaining ones would run at or below this utilisation (default
   * {@link RECONFIGURE_EVICT_UTILISATION}); must be below `replicateUtilisation` so that the two cannot alternate.
   */
  evictUtilisation?: number
  /** Copies of one shard at most (default {@link RECONFIGURE_MAX_REPLICAS}). */
  maxReplicas?: number
  /** Programming that takes longer is cancelled, ms (default {@link RECONFIGURE_PROGRAM_TIMEOUT_MS}). */
  programTimeoutMs?: number
  /** Draining that takes longer ends with a release anyway, ms (default {@link RECONFIGURE_DRAIN_TIMEOUT_MS}). */
  drainTimeoutMs?: number
  /** The score model (the same parameters as the placement policy's, so both agree on what "better" is). */
  score?: ScoreModelInit
}

/** Builds the configuration from defaults and overrides; throws {@link InvalidSchedulerOptionError} on a bad value. */
export function createReconfigureConfig (init: ReconfigureInit = {}): ReconfigureConfig {
  const config: ReconfigureConfig = {
    gainThreshold: init.gainThreshold ?? RECONFIGURE_GAIN_THRESHOLD,
    confirmChecks: init.confirmChecks ?? RECONFIGURE_CONFIRM_CHECKS,
    maxConcurrentMigrations: init.maxConcurrentMigrations ?? RECONFIGURE_MAX_CONCURRENT_MIGRATIONS,
    cooldownMs: init.cooldownMs ?? RECONFIGURE_COOLDOWN_MS,
    overloadUtilisation: init.overloadUtilisation ?? RECONFIGURE_OVERLOAD_UTILISATION,
    overloadSettleMs: init.overloadSettleMs ?? RECONFIGURE_OVERLOAD_SETTLE_MS,
    slowerThroughputRatio: init.slowerThroughputRatio ?? RECONFIGURE_SLOWER_THROUGHPUT_RATIO,
    replicateUtilisation: init.replicateUtilisation ?? RECONFIGURE_REPLICATE_UTILISATION,
    evictUtilisation: init.evictUtilisation ?? RECONFIGURE_EVICT_UTILISATION,
    maxReplicas: init.maxReplicas ?? RECONFIGURE_MAX_REPLICAS,
    programTimeoutMs: init.programTimeoutMs ?? RECONFIGURE_PROGRAM_TIMEOUT_MS,
    drainTimeoutMs: init.drainTimeoutMs ?? RECONFIGURE_DRAIN_TIMEOUT_MS,
    score: createScoreModel(init.score)
  }
  const bad = (why: string): never => { throw new InvalidSchedulerOptionError(why) }
  if (!(Number.isFinite(config.gainThreshold) && config.gainThreshold >= 1)) bad(`gainThreshold must be at least 1, got ${config.gainThreshold}`)
  for (const key of ['confirmChecks', 'maxConcurrentMigrations', 'maxReplicas'] as const) {
    if (!(Number.isInteger(config[key]) && config[key] >= 1)) bad(`${key} must be a positive integer, got ${config[key]}`)
  }
  for (const key of ['cooldownMs', 'overloadSettleMs', 'programTimeoutMs', 'drainTimeoutMs'] as const) {
    if (!(Number.isFinite(config[key]) && config[key] >= 0)) bad(`${key} must be a non-negative number of ms, got ${config[key]}`)
  }
  for (const key of ['overloadUtilisation', 'slowerThroughputRatio', 'replicateUtilisation', 'evictUtilisation'] as const) {
    if (!(config[key] > 0 && config[key] <= 1)) bad(`${key} must be in (0, 1], got ${config[key]}`)
  }
  if (config.evictUtilisation >= config.replicateUtilisation) {
    bad(`evictUtilisation (${config.evictUtilisation}) must be below replicateUtilisation (${config.replicateUtilisation})`)
  }
  return config
}
