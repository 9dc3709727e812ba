/**
 * Validation against the real thing: the simulator runs a loopback scenario for each policy a saved loopback run
 * has, with the nodes that run's events hit and the placement it ran on (when saved), on the network model
 * calibrated on this machine — its event loop's work stretched as much as the real run's was by the host's other
 * load — and the call costs measured on the workload, and the rows put both side by side.
 */
import type { ModelJob } from '@tessera/coordinator'
import type { Scenario } from '../scenario.js'
import type { SimPolicyRow } from '../sim-row.js'
import { runDesPolicy } from './engine.js'
import { loopbackNetwork } from './calibration.js'
import type { LoopbackCalibration } from './calibration.js'
import type { LoopUse } from '../loop-meter.js'
import { scenarioPeerIds } from './population.js'
import type { RealRun } from './real-run.js'
import { desRowOf, validationRowOf } from './report.js'
import type { ValidationRow } from './report.js'

/** Options of {@link validateScenario}. */
export interface ValidateInit {
  scenario: Scenario
  real: RealRun
  policies: readonly string[]
  /** The loopback calibration the network model is built from (loopbackNetwork), per run at its event loop's stretch. */
  calibration: LoopbackCalibration
  workload: { job: ModelJob, inputs: Float32Array }
}

/** The real run's event-loop stretch (busy ÷ CPU time), or undefined when it was not saved. */
function stretchOf (use: LoopUse | undefined): number | undefined {
  return use === undefined || !(use.cpuMs > 0) ? undefined : use.activeMs / use.cpuMs
}

/** Runs the simulator on a scenario for each policy and compares with the saved loopback run. */
export async function validateAgainstReal (init: ValidateInit): Promise<{ rows: ValidationRow[], des: SimPolicyRow[] }> {
  const peerIds = await scenarioPeerIds(init.scenario)
  const rows: ValidationRow[] = []
  const des: SimPolicyRow[] = []
  for (const policy of init.policies) {
    const placement = init.real.placements.get(policy)
    const publicationsMs = init.real.publications.get(policy)
    const run = runDesPolicy({
      scenario: init.scenario,
      policy,
      network: loopbackNetwork(init.calibration, stretchOf(init.real.eventLoops.get(policy)), policy),
      peerIds,
      workload: init.workload,
      timelineNodes: init.real.timelineNodes.get(policy) ?? [],
      ...(placement !== undefined ? { placement } : {}),
      ...(publicationsMs !== undefined ? { publicationsMs } : {})
    })
    const row = desRowOf(run)
    des.push(row)
    rows.push(validationRowOf(init.scenario.name, row, init.real.rows.get(policy)))
  }
  return { rows, des }
}
