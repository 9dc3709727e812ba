/**
 * The discrete-event simulator: the real scheduler, reconfiguration step, memories and planner against modelled
 * peers and networks (one seed, one result), with faults as data and invariants checked on every step; scale
 * runs on a Kademlia model; validation against saved loopback runs.
 */
export { EventQueue } from './event-queue.js'
export * from './errors.js'
export { runDesPolicy, targetOf, type DesRun, type DesRunInit } from './engine.js'
export type { RealPlacement } from './replay.js'
export { validateFaults, isDisruptive, type DesFault } from './faults.js'
export { InvariantChecker, type BugFaults, type RequestLedger } from './invariants.js'
export { KademliaModel, KAD_ALPHA, KAD_K } from './kademlia-model.js'
export { BucketedDiscovery, ProviderIndex, readEveryProviderRound, type RoundCost } from './discovery-model.js'
export { checkNetworkModel, oneWayMs, transferMs, wideAreaNetwork, type NetworkModel } from './network-model.js'
export { loopbackNetwork, measureLoopbackStack, LOOPBACK_BANDWIDTH_BYTES_PER_SEC, type LoopbackCalibration } from './calibration.js'
export { ModelledPeer, type DesPeerSpec, type LiarSpec } from './peer-model.js'
export { scenarioPeerIds, peerSpecOf, deviceFigures } from './population.js'
export { readRealRun, type RealRun } from './real-run.js'
export { desRecoveryMs, desRowOf, validationRowOf, type ValidationRow } from './report.js'
export { discoveryCostAt, runScale, type ScalePolicyRow, type ScaleRun } from './scale.js'
export { loadScaleSpec, validateScaleSpec, type ScaleSpec } from './scale-spec.js'
export { measureCallReadFactors, callKey, type CallReadFactors } from './shard-cost.js'
export { validateAgainstReal, type ValidateInit } from './validation.js'
export { desJob } from './job.js'
export { drawExponential, drawLogNormal, drawUniform, drawWeighted } from './distributions.js'
