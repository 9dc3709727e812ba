/**
 * Phase 7 of a reconfiguration step: a copy leaves a peer that is overloaded, slower than it used to be or
 * trending worse, when the expected completion time on the best other peer beats the old one by `gainThreshold`
 * at `confirmChecks` consecutive steps. At most `maxConcurrentMigrations` uploads at once and one migration per
 * shard per `cooldownMs`; a peer that is only overloaded sheds one copy per `overloadSettleMs` (its reports need
 * that long to show the move, and one move is often enough).
 */
import { compareIds } from '../pick.js'
import { counterKey } from '../reconfigure-hysteresis.js'
import { fmt, migrationGain, migrationTrigger } from '../reconfigure-gain.js'
import { holdersOf, programCopy, targetChooser } from './capacity.js'
import { decided, mayLeave, migrationCooldownKey } from './move-budget.js'
import type { Holder } from '../reconfigure-load.js'
import type { Shard } from '../validate.js'
import type { Capacity } from './capacity.js'
import type { MoveBudget } from './move-budget.js'
import type { WorkingState } from './working-state.js'

/** A copy whose migration held for `confirmChecks` checks. */
interface MigrationCandidate {
  shard: Shard
  from: Holder
  gain: number
  /** Its hysteresis counter. */
  key: string
}

/** Checks every copy of the migratable shards, then migrates the confirmed ones, largest gain first. */
export function migrateCopies (work: WorkingState, capacity: Capacity, moves: MoveBudget): void {
  const candidates = moves.migratable.flatMap((shard) => confirmedMigrations(work, capacity, moves, shard))
  candidates.sort((a, b) => b.gain - a.gain || compareIds(a.shard.id, b.shard.id) || compareIds(a.from.peer.peerId, b.from.peer.peerId))
  for (const candidate of candidates) {
    if (moves.slots <= 0) break
    if (moves.busy.has(candidate.shard.id)) continue
    migrate(work, capacity, moves, candidate)
  }
}

/** Updates the hysteresis counter of each copy of the shard; returns the copies whose migration is confirmed. */
function confirmedMigrations (work: WorkingState, capacity: Capacity, moves: MoveBudget, shard: Shard): MigrationCandidate[] {
  const out: MigrationCandidate[] = []
  const holders = holdersOf(work, shard)
  const rate = work.rates.get(shard.id) ?? 0
  for (const holder of holders) {
    const key = counterKey('migrate', shard.id, holder.peer.peerId)
    const trigger = migrationTrigger(holder.peer, capacity.load.utilisation(holder.peer.peerId), work.config)
    if (!mayLeave(work, moves, trigger, holder.peer.peerId)) {
      moves.checks.check(key, false)
      continue
    }
    const gain = migrationGain(shard, holder, rate / holders.length, targetChooser(work, capacity), work.rng, work.config.score)
    const count = moves.checks.check(key, gain !== undefined && gain.gain >= work.config.gainThreshold)
    if (count >= work.config.confirmChecks && gain !== undefined) out.push({ shard, from: holder, gain: gain.gain, key })
  }
  return out
}

/** Migrates a confirmed copy, unless the moves decided before it at this step changed the figures. */
function migrate (work: WorkingState, capacity: Capacity, moves: MoveBudget, { shard, from, key }: MigrationCandidate): void {
  const holders = holdersOf(work, shard)
  const share = (work.rates.get(shard.id) ?? 0) / holders.length
  // Earlier decisions of this step may have taken load off the peer (one move often ends an overload; the
  // rest of its copies stay) or taken the best target: decide on the figures as they are now.
  const trigger = migrationTrigger(from.peer, capacity.load.utilisation(from.peer.peerId), work.config)
  if (!mayLeave(work, moves, trigger, from.peer.peerId)) return
  const now = migrationGain(shard, from, share, targetChooser(work, capacity), work.rng, work.config.score)
  if (now === undefined || now.gain < work.config.gainThreshold) return
  programCopy(work, capacity, shard, now.target.peer)
  capacity.load.shift(from.peer.peerId, -share * from.serviceMs / 1000)
  capacity.load.shift(now.target.peer.peerId, share * now.target.serviceMs / 1000)
  work.operations.push({ kind: 'migrate', shardId: shard.id, from: from.peer.peerId, to: now.target.peer.peerId, phase: 'programming', sinceMs: work.nowMs })
  work.events.push({
    type: 'migrate',
    shardId: shard.id,
    from: from.peer.peerId,
    to: now.target.peer.peerId,
    reason: `${trigger.reason}; expected ${fmt(now.oldMs)} ms → ${fmt(now.target.totalMs)} ms for ${work.config.confirmChecks} checks`,
    predictedGain: now.gain,
    atMs: work.nowMs
  })
  moves.checks.reset(key)
  decided(work, moves, shard, migrationCooldownKey(shard))
  moves.slots--
  if (trigger.overloadOnly) moves.shedding.set(from.peer.peerId, work.nowMs + work.config.overloadSettleMs)
}
