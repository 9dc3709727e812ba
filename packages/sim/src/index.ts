/**
 * Loopback simulations of tessera networks: scenarios declared as data (`simulations/scenarios/*.json`), a local
 * network of real tessera peers on 127.0.0.1 with emulated device speed, delay and background load, timelines of
 * events (slowdowns, departures, joins, hotspots), and the recovery measurement of the reconfiguration loop.
 *
 * @example
 * ```ts
 * import { loadScenario, simRowOf, simulatePolicy } from '@tessera/sim'
 *
 * const scenario = loadScenario('slowdown')
 * const run = await simulatePolicy({ scenario, policy: 'tessera', workload })
 * console.log(simRowOf(run).throughputRps, simRowOf(run).recoveryMs)
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
export { openScenario, scenarioRunOptions } from './session.js'
export type { OpenScenarioInit, ScenarioSession } from './session.js'
export { scenarioTimeline } from './scenario-timeline.js'
export type { FiredEvent, ScenarioTimelineInit } from './scenario-timeline.js'
export { simulatePolicy } from './simulation.js'
export type { SimulateInit, SimulationRun } from './simulation.js'
export { disruptionOf, recoveryOf, simRowOf } from './sim-row.js'
export type { SimPolicyRow, SimRowComparisons } from './sim-row.js'
export { detectionOf, medianOf, steadyThroughputRps, verificationOverheadOf, wrongAnswersOf } from './verification-row.js'
export type { DetectionFacts, DetectionFigures, RequestAnswers } from './verification-row.js'
export * from './errors.js'
export * from './constants.js'
export { misbehaviourOf } from './liars.js'
export type { Lie, LieLog } from './liars.js'
export { throughputBound, boundProgram, leastBatchMs, lendableTiles, holdableCells } from './paper/bound.js'
export type { BoundLayer, BoundNode, ThroughputBound, ThroughputBoundInput } from './paper/bound.js'
export { binomialStdErr, meanCi, pairedRatio, tCritical95 } from './paper/stats.js'
export type { MeanCi } from './paper/stats.js'
export { DEFAULT_SEEDS, FULL_PLAN, PAPER_SCENARIOS, QUICK_PLAN, QUICK_SCENARIOS, QUICK_SEEDS, offeredRates, openLoopBatchSize, seedOf, seedsOf } from './paper/plan.js'
export type { PaperRunPlan } from './paper/plan.js'
export { achievedRate, figuresOf, measureSeed, SUSTAINED_FRACTION } from './paper/measure.js'
export type { MeasureSeedInit, OpenLoopPoint, PolicySeedRun, RunFigures, SeedRun } from './paper/measure.js'
export { runPaper, scenarioBound } from './paper/run.js'
export type { PaperRuns, RunPaperInit, ScenarioRuns } from './paper/run.js'
export { aggregatePaper, PAPER_FIGURES, PAPER_GOALS, REFERENCE_POLICY } from './paper/aggregate.js'
export type { CurvePoint, GoalCheck, MatchedLoad, PaperFigureRow, PaperPolicyRow, PaperReport, PaperScenarioRow } from './paper/aggregate.js'
export { InvalidPaperOptionError, PaperStatisticsError, ThroughputBoundError } from './paper/errors.js'
export * from './des/index.js'
