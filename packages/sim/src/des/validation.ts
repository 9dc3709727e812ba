/**
 * Validation against the real thing: the simulator runs a loopback scenario for each policy a saved loopback run
 * has, with the nodes that run's events hit and the placement it ran on (when saved), on the network model
 * calibrated on this machine and the call costs measured on the workload, and the rows put both side by side.
 */
import type { ModelJob } from '@tessera/coordinator'
import type { Scenario } from '../scenario.js'
import type { SimPolicyRow } from '../sim-row.js'
import { runDesPolicy } from './engine.js'
import type { NetworkModel } from './network-model.js'
import { scenarioPeerIds } from './population.js'
import type { RealRun } from './real-run.js'
import { desRowOf, validationRowOf } from './report.js'
import type { ValidationRow } from './report.js'

/** Options of {@link validateScenario}. */
export interface ValidateInit {
  scenario: Scenario
  real: RealRun
  policies: readonly string[]
  network: NetworkModel
  workload: { job: ModelJob, inputs: Float32Array }
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
      network: init.network,
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
