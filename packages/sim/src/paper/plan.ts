/**
 * How `tessera paper` sizes its runs: the scenarios, the seeds, the run lengths and the offered rates. Sized so
 * that the full measurement (4 scenarios × 5 seeds × 6 policies) fits in about 15 minutes on two cores and the
 * quick one in a few, which is why the runs are short: the confidence intervals over seeds carry the noise
 * that short runs leave.
 */
import { InvalidPaperOptionError } from './errors.js'

/** Scenarios of the full measurement: the demo's network and three that differ from it in one respect each. */
export const PAPER_SCENARIOS: readonly string[] = ['default', 'uniform', 'nat-heavy', 'loaded']
/** Scenarios of `--quick`. */
export const QUICK_SCENARIOS: readonly string[] = ['default', 'loaded']
export const DEFAULT_SEEDS = 5
export const QUICK_SEEDS = 2

/** Lengths and shapes of the runs of one policy under one seed. */
export interface PaperRunPlan {
  /** Closed-loop saturation run: batches start for this long, ms. */
  closedLoopMs: number
  closedLoopBatchSize: number
  closedLoopBatchesInFlight: number
  /** Each open-loop run: requests arrive for this long, ms. */
  openLoopMs: number
  /** Largest open-loop batch; a rate's batches are sized so one arrives every `openLoopBatchIntervalMs` ({@link openLoopBatchSize}). */
  openLoopBatchSize: number
  /** Time between two open-loop batches' arrivals the batch size aims at, ms. */
  openLoopBatchIntervalMs: number
  /** Enough lanes that requests queue at the devices, not at the coordinator. */
  openLoopBatchesInFlight: number
  /** Offered rates as fractions of the scenario's throughput bound, rising. */
  offeredFractions: number[]
}

/**
 * The full measurement. Closed loop: 4 lanes of 32 requests, enough to keep every device of a placement busy
 * (one batch at the first layer already calls every peer holding it) while a batch still comes back within a
 * short run — with the demo's 4 × 64 on these networks the 3 s run was a single wave whose drain decided the
 * rate. Open loop: a batch every 100 ms (2 to 8 requests), so that every rate brings about fifteen batches
 * into a 1.5 s run — with a fixed 8 the lowest rate (10% of the bound, ~18 req/s) brought three or four, and
 * whether such a run counted as sustained was decided by one late batch.
 */
export const FULL_PLAN: PaperRunPlan = {
  closedLoopMs: 2500,
  closedLoopBatchSize: 32,
  closedLoopBatchesInFlight: 4,
  openLoopMs: 1500,
  openLoopBatchSize: 8,
  openLoopBatchIntervalMs: 100,
  openLoopBatchesInFlight: 16,
  offeredFractions: [0.1, 0.2, 0.3, 0.45]
}

/** `--quick`: the same runs, shorter, two rates. */
export const QUICK_PLAN: PaperRunPlan = {
  ...FULL_PLAN,
  closedLoopMs: 2000,
  openLoopMs: 1200,
  offeredFractions: [0.1, 0.2]
}

/** Smallest open-loop batch. */
const MIN_OPEN_LOOP_BATCH = 2

/** The batch size of an open-loop run at `offeredRps`: one batch per `openLoopBatchIntervalMs`, within 2 … `openLoopBatchSize`. */
export function openLoopBatchSize (plan: PaperRunPlan, offeredRps: number): number {
  const wanted = Math.round((offeredRps * plan.openLoopBatchIntervalMs) / 1000)
  return Math.max(Math.min(MIN_OPEN_LOOP_BATCH, plan.openLoopBatchSize), Math.min(plan.openLoopBatchSize, wanted))
}

/** The k-th seed of a scenario (k from 0): derived from the scenario's own seed, so a scenario's seeds repeat. */
export function seedOf (scenarioSeed: string, k: number): string {
  return `${scenarioSeed}/paper/${k}`
}

/** The seeds of a scenario. */
export function seedsOf (scenarioSeed: string, count: number): string[] {
  if (!(Number.isSafeInteger(count) && count > 0)) throw new InvalidPaperOptionError(`seeds must be a positive integer, got ${count}`)
  return Array.from({ length: count }, (_, k) => seedOf(scenarioSeed, k))
}

/** Offered rates, requests/s: the plan's fractions of the bound, rounded to 0.1 req/s. */
export function offeredRates (upperBoundRps: number, plan: PaperRunPlan): number[] {
  if (!(upperBoundRps > 0)) throw new InvalidPaperOptionError(`the throughput bound must be positive, got ${upperBoundRps}`)
  return plan.offeredFractions.map((f) => Math.round(f * upperBoundRps * 10) / 10)
}
