/**
 * What the optional moves of a reconfiguration step (phases 7–9: migrations, replications, evictions) share:
 * the hysteresis counters, the cap on concurrent uploads, the shards already busy and the cool-downs.
 *
 * Two cool-downs per shard: one after a migration holds its next migration (no ping-pong between peers), one
 * after a replication or eviction holds the next change of its copy count. A copy added for load a moment ago
 * may still leave a peer that then slows down.
 */
import { ConsecutiveChecks, coolingDown, liveCooldowns } from '../reconfigure-hysteresis.js'
import type { MigrationTrigger } from '../reconfigure-gain.js'
import type { Shard } from '../validate.js'
import type { WorkingState } from './working-state.js'

/** The budget and hysteresis of the optional moves of one step. */
export interface MoveBudget {
  readonly checks: ConsecutiveChecks
  /** Uploads (migrations + replications) that may still start at this step. */
  slots: number
  /** Shards with an operation in progress or a move decided at this step: no further move for them now. */
  readonly busy: Set<string>
  /** Shards that may migrate (not busy, not cooling down from a migration) as the moves began. */
  readonly migratable: readonly Shard[]
  /** Shards whose copy count may change (not busy, not cooling down from a copy-count change) as the moves began. */
  readonly movable: readonly Shard[]
  /** Peer id → until when a peer that shed a copy for overload only keeps the rest, ms. */
  readonly shedding: Map<string, number>
}

/** The budget after phases 1–6. */
export function openMoves (work: WorkingState): MoveBudget {
  const busy = new Set(work.operations.map((op) => op.shardId))
  return {
    checks: new ConsecutiveChecks(work.previous.counters),
    slots: work.config.maxConcurrentMigrations - work.operations.filter((op) => op.kind === 'migrate' || op.kind === 'replicate').length,
    busy,
    migratable: work.shards.filter((s) => !busy.has(s.id) && !coolingDown(work.cooldowns, migrationCooldownKey(s), work.nowMs)),
    movable: work.shards.filter((s) => !busy.has(s.id) && !coolingDown(work.cooldowns, copiesCooldownKey(s), work.nowMs)),
    shedding: liveCooldowns(work.previous.sheddingUntilMs, work.nowMs)
  }
}

/** Cool-down key of a shard's migrations. */
export function migrationCooldownKey (shard: Shard): string {
  return `migrate\u0000${shard.id}`
}

/** Cool-down key of changes to a shard's copy count (replications, evictions). */
export function copiesCooldownKey (shard: Shard): string {
  return `copies\u0000${shard.id}`
}

/** A move of the shard was decided: it is busy for the rest of the step and cools down under `cooldownKey`. */
export function decided (work: WorkingState, moves: MoveBudget, shard: Shard, cooldownKey: string): void {
  moves.busy.add(shard.id)
  work.cooldowns.set(cooldownKey, work.nowMs + work.config.cooldownMs)
}

/**
 * Whether a copy on the peer may leave for this trigger: there must be one, and a peer that is only overloaded
 * and shed a copy lately waits until its reports show the effect.
 */
export function mayLeave (work: WorkingState, moves: MoveBudget, trigger: MigrationTrigger | undefined, peerId: string): trigger is MigrationTrigger {
  return trigger !== undefined && !(trigger.overloadOnly && (moves.shedding.get(peerId) ?? Number.NEGATIVE_INFINITY) > work.nowMs)
}
