/**
 * The coordinator of tessera: discovery → peer views, planning per policy, placement, programming with a
 * progress bar, the batched and pipelined request stream with retry and re-placement, and the run metrics.
 *
 * @example
 * ```ts
 * import { createCoordinator, jobFromMlp } from '@tessera/coordinator'
 *
 * const coordinator = createCoordinator({ node })
 * await coordinator.discover()
 * const { metrics } = await coordinator.run({ job: jobFromMlp(model), policy: 'tessera', inputs, labels, requests: 1000 })
 * await coordinator.stop()
 * ```
 */
export { createCoordinator } from './coordinator.js'
export type { Coordinator, CoordinatorInit } from './coordinator.js'
export type { ReconfigureRunOptions, RunControl, RunJobOptions, TimelineEntry } from './run-options.js'
export type { RunResult } from './run-result.js'
export { describeRunError, describeUploadFailure, runErrorOf, UNKNOWN_ERROR_CODE, uploadFailureOf } from './run-errors.js'
export type { RunError, RunErrorContext, RunErrorKind, UploadFailure } from './run-errors.js'
export { liveRunOf } from './live-run.js'
export type { LiveRun, LiveRunMetrics, LiveRunSource, LiveShardCopies } from './live-run.js'
export { startReconfigureLoop } from './reconfigure-loop.js'
export type { ReconfigureLoop, ReconfigureLoopInit } from './reconfigure-loop.js'
export { RunVerification } from './verify.js'
export type { FlaggedPeer, FlagReason, VerificationStats, VerifyRunOptions } from './verify.js'
export { startLayerLoad } from './layer-load.js'
export type { LayerLoad, LayerLoadInit, LayerLoadStats } from './layer-load.js'
export { finishLayer, jobFromMlp, validateJob } from './job.js'
export type { Activation, JobFromMlpInit, JobLayer, ModelJob } from './job.js'
export { buildPeerView, connectionPath, connectPeer, pathOfConnections } from './peers.js'
export type { ConnectPeerOptions, PeerTarget, PeerViewInputs } from './peers.js'
export { placedSpec, planJob, shardsToPlace, UTILISATION_TIE } from './plan.js'
export type { JobPlan, PlanJobOptions } from './plan.js'
export { computeRunMetrics, latencyQuantiles, latencySeries, quantileSorted, RunRecorder, throughputSeries } from './metrics.js'
export type { CallRecord, RequestOutcome, RunMetrics } from './metrics.js'
export * from './errors.js'
export * from './constants.js'
export { loadMnistWorkload } from './workload.js'
export type { MnistWorkload } from './workload.js'
export { groupCalls } from './calls.js'
export { noUploadProgress } from './progress.js'
export type { UploadProgress, UploadProgressFactory } from './progress.js'
// Pure pieces the discrete-event simulator (packages/sim/src/des) runs unchanged against modelled peers.
export { foreignLoadViews, replicasOf, stepInputOf, targetViews } from './reconfigure-views.js'
export type { StepSources } from './reconfigure-views.js'
export { RecentBusy } from './recent-busy.js'
export { callSlotsFor } from './slots.js'
export { backoffMs, PeerHealth } from './health.js'
export { activateProgrammed, removeCopy } from './shard-state.js'
export type { ShardState } from './shard-state.js'
export { createDemandMemory } from './demand.js'
export type { DemandMeterInit } from './demand.js'
