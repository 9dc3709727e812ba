/**
 * Recovery after a disruption, from the answer times of a run: how long after the event throughput was back
 * within a tolerance of what it was before. Pure: the simulation report and the tests share it.
 *
 * - before: answers per second over the `baselineMs` before the event (from the stream's start when shorter);
 * - throughput at t: answers in the window [t, t + `windowMs`) per second, on a grid of `stepMs` from the event
 *   (windows end by `endMs`);
 * - the trough is the lowest window after the event. If even it is within tolerance, throughput never fell
 *   and `recoveryMs` is 0; otherwise it is the start of the first window after the trough that is back within
 *   tolerance, minus the event time — `null` if none is. (Measured from the trough, because a slowdown shows in
 *   the answers only as the calls in flight at the event finish: the first windows after it are still full.)
 */
import { InvalidRecoveryInputError } from './errors.js'
import { firstAtOrAfter } from './sorted-search.js'

/** Inputs of {@link measureRecovery}. */
export interface RecoveryInit {
  /** When each answer arrived (any order), ms. */
  answeredAtMs: readonly number[]
  /** First batch sent, ms. */
  startMs: number
  /** The disruption, ms. */
  eventAtMs: number
  /** When the stream stopped starting batches, ms (windows end here: the drain after it is not a drop). */
  endMs: number
  /** Window of one throughput figure, ms (several batches, so that one batch more or less is within tolerance). */
  windowMs: number
  /** Grid step, ms. */
  stepMs: number
  /** How long before the event the baseline is measured, ms. */
  baselineMs: number
  /** Allowed shortfall, fraction (default 0.1: within 10%). */
  tolerance?: number
}

/** Outcome of {@link measureRecovery}. */
export interface Recovery {
  /** Throughput before the event, answers/s. */
  beforeRps: number
  /** Lowest windowed throughput after the event, answers/s. */
  lowestRps: number
  /** Time from the event until throughput was back within tolerance after its trough, ms; null if it never was. */
  recoveryMs: number | null
}

/** Measures recovery; throws {@link InvalidRecoveryInputError} on inconsistent times. */
export function measureRecovery (init: RecoveryInit): Recovery {
  const { startMs, eventAtMs, endMs, windowMs, stepMs, baselineMs } = init
  const tolerance = init.tolerance ?? 0.1
  if (!(startMs <= eventAtMs && eventAtMs < endMs)) throw new InvalidRecoveryInputError(`recovery: the event (${eventAtMs}) must lie in the stream [${startMs}, ${endMs})`)
  if (!(windowMs > 0 && stepMs > 0 && baselineMs > 0)) throw new InvalidRecoveryInputError('recovery: windowMs, stepMs and baselineMs must be positive')
  if (!(tolerance >= 0 && tolerance < 1)) throw new InvalidRecoveryInputError('recovery: tolerance must be in [0, 1)')
  const times = Float64Array.from(init.answeredAtMs).sort()
  // Answers in [a, b): binary searches over the sorted times.
  const count = (a: number, b: number): number => firstAtOrAfter(times, b) - firstAtOrAfter(times, a)
  const baseFrom = Math.max(startMs, eventAtMs - baselineMs)
  const beforeRps = eventAtMs > baseFrom ? count(baseFrom, eventAtMs) / ((eventAtMs - baseFrom) / 1000) : 0
  const bound = (1 - tolerance) * beforeRps
  const grid: number[] = []
  for (let t = eventAtMs; t + windowMs <= endMs; t += stepMs) grid.push(t)
  if (grid.length === 0) return { beforeRps, lowestRps: Number.NaN, recoveryMs: null }
  const rates = grid.map((t) => count(t, t + windowMs) / (windowMs / 1000))
  let trough = 0
  rates.forEach((rps, i) => { if (rps < rates[trough]) trough = i })
  const lowestRps = rates[trough]
  if (lowestRps >= bound) return { beforeRps, lowestRps, recoveryMs: 0 }
  for (let i = trough + 1; i < grid.length; i++) {
    if (rates[i] >= bound) return { beforeRps, lowestRps, recoveryMs: grid[i] - eventAtMs }
  }
  return { beforeRps, lowestRps, recoveryMs: null }
}
