/**
 * Loopback simulations of tessera networks: scenarios declared as data (`simulations/scenarios/*.json`), a local
 * network of real tessera peers on 127.0.0.1 with emulated device speed, delay and background load, timelines of
 * events (slowdowns, departures, joins, hotspots), and the recovery measurement of the reconfiguration loop.
 *
 * @example
 * ```ts
 * import { loadScenario, startLocalNetwork, simulatePolicy } from '@tessera/sim'
 *
 * const scenario = loadScenario('slowdown')
 * const run = await simulatePolicy({ scenario, policy: 'tessera', workload })
 * console.log(run.row.throughputRps, run.row.recoveryMs)
 * ```
 *
 * @packageDocumentation
 */
export { startLocalNetwork } from './local-network.js'
export type { LocalNetwork, LocalNetworkInit } from './local-network.js'
export { applyOverrides, loadScenario, scenariosDir, validateScenario } from './scenario.js'
export type { NodeSelector, Scenario, ScenarioEvent, ScenarioNode, ScenarioOverrides } from './scenario.js'
export { measureRecovery } from './recovery.js'
export type { Recovery, RecoveryInit } from './recovery.js'
export { disruptionOf, recoveryOf, simRowOf, simulatePolicy } from './simulation.js'
export type { FiredEvent, SimPolicyRow, SimulateInit, SimulationRun } from './simulation.js'
export * from './constants.js'
export * from './des/index.js'
