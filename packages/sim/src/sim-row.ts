/** The `tessera sim --json` row of a simulation run, and the recovery it is measured from. */
import { roundTo } from '@tessera/report'
import { RECOVERY_BASELINE_MS, RECOVERY_STEP_MS, RECOVERY_WINDOW_MS } from './constants.js'
import { measureRecovery } from './recovery.js'
import type { Recovery } from './recovery.js'
import type { FiredEvent } from './scenario-timeline.js'
import type { SimulationRun } from './simulation.js'

/** One policy's row of `tessera sim --json` (the contract checked from outside). */
export interface SimPolicyRow {
  policy: string
  throughputRps: number
  latencyP95Ms: number
  requestsLost: number
  requestsDuplicated: number
  /** From the first disruptive event to throughput back within 10% of before (see `measureRecovery`); null if never. */
  recoveryMs: number | null
  /** Migrations decided (re-placements of lost copies, replications and evictions are not migrations). */
  migrations: number
}

/** The first event that takes capacity away or adds load (not a join): recovery is measured from it. */
export function disruptionOf (run: SimulationRun): FiredEvent | undefined {
  return run.fired.find((e) => e.kind !== 'join')
}

/** The answer times and span of a run (loopback or simulated) that recovery is measured over. */
export interface AnsweredRun {
  answeredAtMs: readonly number[]
  startMs: number
  plannedEndMs: number
}

/** Recovery of a run after the event at `eventAtMs`, over the `tessera sim` windows. */
export function recoveryAfter (run: AnsweredRun, eventAtMs: number): Recovery {
  return measureRecovery({
    answeredAtMs: run.answeredAtMs,
    startMs: run.startMs,
    eventAtMs,
    endMs: run.plannedEndMs,
    windowMs: RECOVERY_WINDOW_MS,
    stepMs: RECOVERY_STEP_MS,
    baselineMs: RECOVERY_BASELINE_MS
  })
}

/** Recovery of a run after its first disruptive event (undefined without one). */
export function recoveryOf (run: SimulationRun): Recovery | undefined {
  const event = disruptionOf(run)
  if (event === undefined) return undefined
  return recoveryAfter({ answeredAtMs: run.result.recorder.answeredAtMs, startMs: run.startMs, plannedEndMs: run.plannedEndMs }, event.atMs)
}

/** The `--json` row of one run. */
export function simRowOf (run: SimulationRun): SimPolicyRow {
  const m = run.result.metrics
  const recovery = recoveryOf(run)
  return {
    policy: run.policy,
    throughputRps: roundTo(m.throughputRps, 2),
    latencyP95Ms: roundTo(m.latencyP95Ms, 2),
    requestsLost: m.requestsLost,
    requestsDuplicated: m.requestsDuplicated,
    recoveryMs: recovery === undefined || recovery.recoveryMs === null ? null : Math.round(recovery.recoveryMs),
    migrations: run.result.events.filter((e) => e.type === 'migrate').length
  }
}
