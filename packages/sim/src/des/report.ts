/**
 * Rows of the simulator's reports: a policy's row in the shape `tessera sim --json` gives the loopback runs
 * (`SimPolicyRow`, recovery by the same `measureRecovery` with the same windows), and the validation rows that
 * put a loopback run and the simulator side by side.
 */
import { roundTo } from '@tessera/report'
import { recoveryAfter } from '../sim-row.js'
import type { SimPolicyRow } from '../sim-row.js'
import type { DesRun } from './engine.js'

/** Recovery after the run's first disruptive event, ms (null when none, or when throughput never came back). */
export function desRecoveryMs (run: DesRun): number | null {
  const event = run.fired.find((e) => e.kind === 'slowdown' || e.kind === 'leave' || e.kind === 'hotspot')
  if (event === undefined) return null
  const r = recoveryAfter({ answeredAtMs: run.recorder.answeredAtMs, startMs: run.startMs, plannedEndMs: run.plannedEndMs }, event.atMs)
  return r.recoveryMs === null ? null : Math.round(r.recoveryMs)
}

/** A simulated run's row, in the loopback row's shape. */
export function desRowOf (run: DesRun): SimPolicyRow {
  const m = run.metrics
  return {
    policy: run.policy,
    throughputRps: roundTo(m.throughputRps, 2),
    latencyP95Ms: roundTo(m.latencyP95Ms, 2),
    requestsLost: m.requestsLost,
    requestsDuplicated: m.requestsDuplicated,
    recoveryMs: desRecoveryMs(run),
    migrations: run.events.filter((e) => e.type === 'migrate').length
  }
}

/** One line of the validation table. */
export interface ValidationRow {
  scenario: string
  policy: string
  realRps: number | null
  desRps: number
  realP95Ms: number | null
  desP95Ms: number
  realRecoveryMs: number | null
  desRecoveryMs: number | null
  /** The goals: throughput and p95 within 10%, recovery within 1 s (null without a real run or a recovery). */
  withinGoals: { throughput: boolean | null, p95: boolean | null, recovery: boolean | null }
}

/** Relative difference within `fraction` of the real figure. */
function within (real: number | null, des: number, fraction: number): boolean | null {
  if (real === null || !Number.isFinite(real) || real === 0) return null
  return Math.abs(des - real) <= fraction * Math.abs(real)
}

/** The validation row of one scenario and policy. */
export function validationRowOf (scenario: string, des: SimPolicyRow, real: SimPolicyRow | undefined): ValidationRow {
  const recovery = real === undefined
    ? null
    : real.recoveryMs === null && des.recoveryMs === null ? true : real.recoveryMs === null || des.recoveryMs === null ? false : Math.abs(real.recoveryMs - des.recoveryMs) <= 1000
  return {
    scenario,
    policy: des.policy,
    realRps: real?.throughputRps ?? null,
    desRps: des.throughputRps,
    realP95Ms: real?.latencyP95Ms ?? null,
    desP95Ms: des.latencyP95Ms,
    realRecoveryMs: real?.recoveryMs ?? null,
    desRecoveryMs: des.recoveryMs,
    withinGoals: { throughput: within(real?.throughputRps ?? null, des.throughputRps, 0.1), p95: within(real?.latencyP95Ms ?? null, des.latencyP95Ms, 0.1), recovery }
  }
}
