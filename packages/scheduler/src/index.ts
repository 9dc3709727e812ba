/**
 * @packageDocumentation
 * Scheduling for tessera, as pure functions over interfaces (clock and random source are arguments): the
 * score — expected completion time of a shard on a peer from both memories and the network path —, tessera's
 * placement and routing policy, and the baselines it is measured against (`ray-like`, `memory-proportional`,
 * `petals-like`, `round-robin`, `random`), all behind one {@link PlacementPolicy} interface; and the
 * reconfiguration core ({@link createReconfigurer}): a pure step function that migrates, replicates, replaces
 * and evicts shards as peers slow down, leave, join or get loaded, with hysteresis and make-before-break.
 *
 * @example
 * ```ts
 * import { createRng } from '@tessera/crossbar'
 * import { createPolicy, createReconfigurer, shardsFromPlan } from '@tessera/scheduler'
 *
 * const { shards } = shardsFromPlan(plan, { sensitivity: { fc1: 0.8 } })
 * const policy = createPolicy('tessera')
 * const placement = policy.place({ shards, peers, nowMs: Date.now(), rng: createRng('run-1/place') })
 * const target = policy.route({ shard: shards[0], replicas: placement.assignments.get(shards[0].id) ?? [],
 *   peers, nowMs: Date.now(), rng })
 *
 * // Every few seconds: what should change, given the placement and what the memories now say.
 * const reconfigurer = createReconfigurer()
 * let state = reconfigurer.initialState({ knownPeers: peers.map((p) => p.peerId) })
 * const { state: next, events, actions } = reconfigurer.step(state, { shards, replicas, peers, departed,
 *   loadPerSec, nowMs: Date.now(), rng: createRng('run-1/reconfigure') })
 * state = next
 * ```
 */
export * from './errors.js'
export * from './constants.js'
export type { DeviceView, Geometry, PathKind, PeerView, Placement, PlacementInput, PlacementPolicy, RelayLimits, RouteInput, ShardSpec } from './types.js'
export { callPathMs, createScoreModel, scoreShard, effectiveThroughput, pathBandwidth } from './score.js'
export { confirmedThroughput } from './claim.js'
export { expectedCompletionMs, pathBusyFraction } from './call-depth.js'
export type { ScoreBreakdown, ScoreContext, ScoreModel, ScoreModelInit } from './score.js'
export { normaliseShards, checkPeers, geometryFits } from './validate.js'
export type { Shard } from './validate.js'
export { shardsFromPlan, markHotShards } from './shards.js'
export type { HotShardOptions, PartitionPlanLike, PlannedBlockLike, PlanShards, ShardsFromPlanOptions } from './shards.js'
export { createPolicy, POLICY_NAMES } from './registry.js'
export type { PolicyInit, PolicyName } from './registry.js'
export { createTesseraPolicy } from './policies/tessera.js'
export type { TesseraPolicyInit } from './policies/tessera.js'
export { createRayLikePolicy } from './policies/ray-like.js'
export type { RayLikePolicyInit } from './policies/ray-like.js'
export { createMemoryProportionalPolicy } from './policies/memory-proportional.js'
export { createPetalsLikePolicy } from './policies/petals-like.js'
export type { PetalsLikePolicyInit } from './policies/petals-like.js'
export { createRoundRobinPolicy } from './policies/round-robin.js'
export { createRandomPolicy } from './policies/random.js'
export { createReconfigurer, reconfigureStep } from './reconfigure.js'
export type { ReconfigureInput, ReconfigureResult, Reconfigurer } from './reconfigure.js'
export { createReconfigureConfig } from './reconfigure-config.js'
export type { ReconfigureConfig, ReconfigureInit } from './reconfigure-config.js'
export { createReconfigureState } from './reconfigure-state.js'
export type { Operation, ReconfigureState, ReconfigureStateInit, ReplicaState, ReplicaView } from './reconfigure-state.js'
export type { AdmitEvent, ReconfigureAction, ReconfigureEvent, ReconfigureEventType, ShardEvent, UnplacedShard } from './reconfigure-events.js'
export { createShardVerifier, compareReplicas } from './verification/projection-check.js'
export type { CheckVerdict, ShardVerifier, ShardVerifierInit } from './verification/projection-check.js'
export { acceptanceFactor, deviceFactor, signFactor, falseAlarmPerRun, DEFAULT_FALSE_ALARM_PER_CHECK, DEFAULT_PROJECTIONS } from './verification/acceptance.js'
export { shardErrorModel, referenceWeights, expectedSquaredError } from './verification/block-model.js'
export type { BlockErrorModel } from './verification/block-model.js'
export { cellErrorModel } from './verification/cell-error.js'
export type { CellErrorModel } from './verification/cell-error.js'
