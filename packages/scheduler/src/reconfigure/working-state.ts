/**
 * The working state of one reconfiguration step: the checked input, the placement as the step changes it, and
 * the decisions taken so far. Every phase of the step (the files next to this one) reads and updates it in turn;
 * the step's result is read off it at the end.
 */
import { ClockWentBackwardsError } from '@tessera/memory'
import { InvalidSchedulerInputError } from '../errors.js'
import { compareIds } from '../pick.js'
import { liveCooldowns } from '../reconfigure-hysteresis.js'
import { readLoads, readPlacement } from '../reconfigure-input.js'
import { checkPeers, normaliseShards } from '../validate.js'
import type { Rng } from '@tessera/crossbar'
import type { ReconfigureConfig } from '../reconfigure-config.js'
import type { ReconfigureAction, ReconfigureEvent, UnplacedShard } from '../reconfigure-events.js'
import type { Work } from '../reconfigure-input.js'
import type { Operation, ReconfigureState } from '../reconfigure-state.js'
import type { PeerView } from '../types.js'
import type { Shard } from '../validate.js'
import type { ReconfigureInput } from './step-types.js'

/** Everything one step works on. Fields without `readonly` are replaced by a phase, not only updated. */
export interface WorkingState {
  readonly config: ReconfigureConfig
  /** The state the previous step returned. */
  readonly previous: ReconfigureState
  readonly nowMs: number
  readonly rng: Rng
  /** Every shard, checked and sorted by id. */
  readonly shards: readonly Shard[]
  readonly shardById: ReadonlyMap<string, Shard>
  readonly departed: ReadonlySet<string>
  /** Live (not departed) peers by id, in id order. */
  readonly views: ReadonlyMap<string, PeerView>
  /** Shard id → calls/s. */
  readonly rates: ReadonlyMap<string, number>
  /** Shard id → its copies, updated as the step acts (every action below is applied to it at once). */
  readonly placement: Map<string, Work[]>
  /** Operations in progress (copies of the previous step's, for shards that still exist). */
  operations: Operation[]
  /** Cool-downs still running. */
  readonly cooldowns: Map<string, number>
  /** Shard id → departed peers whose copy is still to be re-placed. */
  readonly lostFrom: Map<string, string[]>
  /** Shard id → copies it should have. */
  readonly wanted: Map<string, number>
  /** Admitted peers (phase 1 adds the new ones). */
  readonly knownPeers: Set<string>
  /** Replica key → when the step first saw it draining, for the copies still draining after this step. */
  readonly drainingSinceMs: Map<string, number>
  readonly events: ReconfigureEvent[]
  readonly actions: ReconfigureAction[]
  readonly unplaced: UnplacedShard[]
}

/**
 * Checks the input (throws {@link InvalidSchedulerInputError} or {@link ClockWentBackwardsError}, the shard and peer errors of validate.ts and those of
 * reconfigure-input.ts) and sets up the working state of a step.
 */
export function openStep (state: ReconfigureState, input: ReconfigureInput, config: ReconfigureConfig): WorkingState {
  const nowMs = input.nowMs
  if (!Number.isFinite(nowMs)) throw new InvalidSchedulerInputError(`nowMs must be finite, got ${nowMs}`)
  if (nowMs < state.lastStepMs) throw new ClockWentBackwardsError(`nowMs ${nowMs} is earlier than the previous step's ${state.lastStepMs}`)
  const shards = normaliseShards(input.shards).sort((a, b) => compareIds(a.id, b.id))
  const shardById = new Map(shards.map((s) => [s.id, s]))
  checkPeers(input.peers)
  const departed = new Set(input.departed ?? [])
  const views = new Map<string, PeerView>()
  for (const p of [...input.peers].sort((a, b) => compareIds(a.peerId, b.peerId))) if (!departed.has(p.peerId)) views.set(p.peerId, p)
  const rates = readLoads(input.loadPerSec, shardById)
  const placement = readPlacement(input.replicas, shardById)
  const lostFrom = new Map<string, string[]>()
  for (const [id, peers] of state.lostFrom) if (shardById.has(id)) lostFrom.set(id, [...peers])
  return {
    config,
    previous: state,
    nowMs,
    rng: input.rng,
    shards,
    shardById,
    departed,
    views,
    rates,
    placement,
    operations: state.operations.filter((op) => shardById.has(op.shardId)).map((op) => ({ ...op })),
    cooldowns: liveCooldowns(state.cooldownUntilMs, nowMs),
    lostFrom,
    wanted: copiesWanted(state, input, shards),
    knownPeers: new Set([...state.knownPeers].filter((id) => !departed.has(id))),
    drainingSinceMs: new Map(),
    events: [],
    actions: [],
    unplaced: []
  }
}

/**
 * Copies each shard should have: what the previous step said, or (for a shard it did not know) the copies the
 * coordinator lists that are not draining; never fewer than the shard's own `replicas`.
 */
function copiesWanted (state: ReconfigureState, input: ReconfigureInput, shards: readonly Shard[]): Map<string, number> {
  const wanted = new Map<string, number>()
  for (const shard of shards) {
    const previous = state.copiesWanted.get(shard.id)
    const listed = (input.replicas.get(shard.id) ?? []).filter((r) => r.state !== 'draining').length
    wanted.set(shard.id, Math.max(shard.replicas, previous ?? listed))
  }
  return wanted
}

/** The copy of a shard on a peer, if the placement lists one. */
export function findCopy (work: WorkingState, shardId: string, peerId: string | undefined): Work | undefined {
  return peerId === undefined ? undefined : work.placement.get(shardId)?.find((r) => r.peerId === peerId)
}

/** Frees a copy (`release` action) and drops it from the placement. */
export function releaseCopy (work: WorkingState, shardId: string, peerId: string, peerGone: boolean): void {
  work.actions.push({ kind: 'release', shardId, peerId, peerGone })
  const list = work.placement.get(shardId)
  if (list !== undefined) work.placement.set(shardId, list.filter((r) => r.peerId !== peerId))
}

/** Copies of a shard that serve or will serve (active or programming). */
export function liveCopies (work: WorkingState, shardId: string): number {
  return (work.placement.get(shardId) ?? []).filter((r) => r.state !== 'draining').length
}

/** Copies of a shard that serve now. */
export function activeCopies (work: WorkingState, shardId: string): number {
  return (work.placement.get(shardId) ?? []).filter((r) => r.state === 'active').length
}

/** "1 copy", "2 copies": a count of copies for a reason string. */
export function copiesOf (n: number): string {
  return `${n} cop${n === 1 ? 'y' : 'ies'}`
}
