/**
 * Phase 9 of a reconfiguration step: a copy beyond the shard's own `replicas` goes once the other copies would
 * run at or below `evictUtilisation` without it, at `confirmChecks` consecutive steps. The slowest copy is
 * drained (released at once when it has no call in flight).
 */
import { counterKey } from '../reconfigure-hysteresis.js'
import { fmt, pool, worstHolder } from '../reconfigure-gain.js'
import { poolResponseMs, poolUtilisation } from '../reconfigure-load.js'
import { replicaKey } from '../reconfigure-state.js'
import { holdersOf } from './capacity.js'
import { copiesCooldownKey, decided } from './move-budget.js'
import { activeCopies, copiesOf, findCopy, liveCopies, releaseCopy } from './working-state.js'
import type { Work } from '../reconfigure-input.js'
import type { Holder } from '../reconfigure-load.js'
import type { Shard } from '../validate.js'
import type { Capacity } from './capacity.js'
import type { MoveBudget } from './move-budget.js'
import type { WorkingState } from './working-state.js'

/** A copy whose eviction held for `confirmChecks` checks. */
interface Eviction {
  shard: Shard
  /** The shard's active copies, `worst` among them. */
  holders: Holder[]
  worst: Holder
  rate: number
  /** Utilisation of the other copies once `worst` is gone. */
  utilisation: number
  /** Response time with every copy ÷ without `worst`. */
  gain: number
  /** Its hysteresis counter. */
  key: string
}

/** Checks every movable shard with extra copies and evicts the slowest copy where the eviction is confirmed. */
export function evictSpareCopies (work: WorkingState, capacity: Capacity, moves: MoveBudget): void {
  for (const shard of moves.movable) {
    if (moves.busy.has(shard.id)) continue
    const eviction = checkEviction(work, capacity, moves, shard)
    if (eviction !== undefined) evict(work, capacity, moves, eviction)
  }
}

/** Updates the shard's hysteresis counter; returns the eviction once it is confirmed. */
function checkEviction (work: WorkingState, capacity: Capacity, moves: MoveBudget, shard: Shard): Eviction | undefined {
  const key = counterKey('evict', shard.id)
  const holders = holdersOf(work, shard)
  // Not while a copy of the shard is being programmed (then its live copies outnumber its active ones).
  if (holders.length < 2 || activeCopies(work, shard.id) <= shard.replicas || liveCopies(work, shard.id) !== activeCopies(work, shard.id)) {
    moves.checks.check(key, false)
    return undefined
  }
  const rate = work.rates.get(shard.id) ?? 0
  const worst = worstHolder(shard, holders, work.config)
  const without = pool(holders.filter((h) => h !== worst), rate, capacity.load)
  const utilisation = poolUtilisation(rate, without)
  const count = moves.checks.check(key, utilisation <= work.config.evictUtilisation)
  if (count < work.config.confirmChecks) return undefined
  const gain = poolResponseMs(rate, pool(holders, rate, capacity.load)) / poolResponseMs(rate, without)
  return { shard, holders, worst, rate, utilisation, gain, key }
}

/** Drains the worst copy and moves its share of the calls onto the others. */
function evict (work: WorkingState, capacity: Capacity, moves: MoveBudget, { shard, holders, worst, rate, utilisation, gain, key }: Eviction): void {
  work.actions.push({ kind: 'drain', shardId: shard.id, peerId: worst.peer.peerId })
  const replica = findCopy(work, shard.id, worst.peer.peerId) as Work
  replica.state = 'draining'
  const n = holders.length
  capacity.load.shift(worst.peer.peerId, -(rate / n) * worst.serviceMs / 1000)
  for (const h of holders) if (h !== worst) capacity.load.shift(h.peer.peerId, (rate / (n - 1) - rate / n) * h.serviceMs / 1000)
  work.wanted.set(shard.id, Math.max(shard.replicas, (work.wanted.get(shard.id) ?? n) - 1))
  if (replica.inFlight === 0) {
    releaseCopy(work, shard.id, replica.peerId, false)
  } else {
    work.operations.push({ kind: 'evict', shardId: shard.id, from: worst.peer.peerId, phase: 'draining', sinceMs: work.nowMs })
    work.drainingSinceMs.set(replicaKey(shard.id, replica.peerId), work.nowMs)
  }
  work.events.push({
    type: 'evict',
    shardId: shard.id,
    from: worst.peer.peerId,
    reason: `load fell: ${fmt(rate)} calls/s would run at utilisation ${fmt(utilisation)} on ${copiesOf(n - 1)} for ${work.config.confirmChecks} checks`,
    predictedGain: gain,
    atMs: work.nowMs
  })
  moves.checks.reset(key)
  decided(work, moves, shard, copiesCooldownKey(shard))
}
