/** The `tessera sim --json` row of a simulation run, and the recovery it is measured from. */
import { roundTo } from '@tessera/report'
import { RECOVERY_BASELINE_MS, RECOVERY_STEP_MS, RECOVERY_WINDOW_MS } from './constants.js'
import { measureRecovery } from './recovery.js'
import type { Recovery } from './recovery.js'
import type { FiredEvent } from './scenario-timeline.js'
import type { SimulationRun } from './simulation.js'
import type { RunMetrics } from '@tessera/coordinator'
import { detectionOf, steadyThroughputRps, verificationOverheadOf, wrongAnswersOf } from './verification-row.js'
import type { DetectionFigures } from './verification-row.js'

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
  /** Peers verification flagged (null: verification was off, as for the baselines). */
  flagged: number | null
  /** Honest peers flagged (null: verification was off). */
  falseAlarms: number | null
  /** Scenarios with liars only (verification-row.ts, docs/metrics.md): nodes that lie. */
  cheaters?: number
  /** Liars flagged (null: verification was off). */
  cheatersDetected?: number | null
  /** Median time from a detected liar's first lie to its flag, ms (null: none detected). */
  detectionMsP50?: number | null
  /** Answers whose predicted class differs from the honest reference run's (null: no reference run). */
  wrongAnswers?: number | null
  /** 1 − steady throughput with verification ÷ without (null: no run without verification to compare with). */
  verificationOverhead?: number | null
}

/** Runs a row is compared with: the honest reference (wrongAnswers) and the same policy unverified (overhead). */
export interface SimRowComparisons {
  reference?: SimulationRun
  unverified?: SimulationRun
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

/** What a row is made of: a loopback run or a simulated one. */
export interface RowSource extends AnsweredRun {
  policy: string
  metrics: Pick<RunMetrics, 'throughputRps' | 'latencyP95Ms' | 'requestsLost' | 'requestsDuplicated'>
  events: ReadonlyArray<{ type: string }>
  fired: readonly FiredEvent[]
}

/** The `--json` row of a run; recovery is measured from its first disruptive event (not a join). */
export function policyRowOf (run: RowSource, verification: Pick<SimPolicyRow, 'flagged' | 'falseAlarms'> & Partial<SimPolicyRow>): SimPolicyRow {
  const m = run.metrics
  const event = run.fired.find((e) => e.kind !== 'join')
  const recovery = event === undefined ? undefined : recoveryAfter(run, event.atMs)
  return {
    policy: run.policy,
    throughputRps: roundTo(m.throughputRps, 2),
    latencyP95Ms: roundTo(m.latencyP95Ms, 2),
    requestsLost: m.requestsLost,
    requestsDuplicated: m.requestsDuplicated,
    recoveryMs: recovery === undefined || recovery.recoveryMs === null ? null : Math.round(recovery.recoveryMs),
    migrations: run.events.filter((e) => e.type === 'migrate').length,
    ...verification
  }
}

/** The `--json` row of one loopback run. */
export function simRowOf (run: SimulationRun, comparisons: SimRowComparisons = {}): SimPolicyRow {
  const { result } = run
  const detection = detectionOf({ lieLogs: run.lieLogs, flagged: result.verification?.flagged, nodeIdOf: run.nodeIdOf, startMs: run.startMs })
  return policyRowOf({ ...run, metrics: result.metrics, events: result.events, answeredAtMs: result.recorder.answeredAtMs }, {
    flagged: detection.flagged,
    falseAlarms: detection.falseAlarms,
    ...(run.lieLogs.size > 0 ? liarFigures(run, detection, comparisons) : {})
  })
}

/** The figures only a scenario with liars has. */
function liarFigures (run: SimulationRun, detection: DetectionFigures, { reference, unverified }: SimRowComparisons): Partial<SimPolicyRow> {
  const steady = (r: SimulationRun): number => steadyThroughputRps(r.result.recorder.answeredAtMs, r.startMs, r.plannedEndMs)
  return {
    cheaters: detection.cheaters,
    cheatersDetected: detection.cheatersDetected,
    detectionMsP50: detection.detectionMsP50 === null ? null : Math.round(detection.detectionMsP50),
    wrongAnswers: reference === undefined ? null : wrongAnswersOf(run.result, reference.result),
    verificationOverhead: unverified === undefined || run.result.verification === undefined
      ? null
      : roundOrNull(verificationOverheadOf(steady(run), steady(unverified)))
  }
}

function roundOrNull (x: number | null): number | null {
  return x === null ? null : roundTo(x, 4)
}
