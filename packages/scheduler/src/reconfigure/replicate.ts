/**
 * Phase 8 of a reconfiguration step: hot shards get another copy — when the utilisation of their copies is at
 * least `replicateUtilisation` and one more copy on spare capacity is predicted to gain at least `gainThreshold`,
 * at `confirmChecks` consecutive steps —, within the upload cap and one copy-count change per `cooldownMs`.
 */
import { compareIds } from '../pick.js'
import { counterKey } from '../reconfigure-hysteresis.js'
import { fmt, pool, replicationGain } from '../reconfigure-gain.js'
import { poolUtilisation } from '../reconfigure-load.js'
import { holdersOf, programCopy, targetChooser } from './capacity.js'
import { copiesCooldownKey, decided } from './move-budget.js'
import { copiesOf } from './working-state.js'
import type { Shard } from '../validate.js'
import type { Capacity } from './capacity.js'
import type { MoveBudget } from './move-budget.js'
import type { WorkingState } from './working-state.js'

/** A shard whose replication held for `confirmChecks` checks. */
interface ReplicationCandidate {
  shard: Shard
  /** Utilisation of its copies at the check. */
  utilisation: number
  /** Its hysteresis counter. */
  key: string
}

/** Checks every movable shard, then replicates the confirmed ones, hottest first. */
export function replicateHotShards (work: WorkingState, capacity: Capacity, moves: MoveBudget): void {
  const candidates: ReplicationCandidate[] = []
  for (const shard of moves.movable) {
    if (moves.busy.has(shard.id)) continue
    const candidate = checkReplication(work, capacity, moves, shard)
    if (candidate !== undefined) candidates.push(candidate)
  }
  candidates.sort((a, b) => b.utilisation - a.utilisation || compareIds(a.shard.id, b.shard.id))
  for (const candidate of candidates) {
    if (moves.slots <= 0) break
    replicate(work, capacity, moves, candidate)
  }
}

/** Updates the shard's hysteresis counter; returns it as a candidate once its replication is confirmed. */
function checkReplication (work: WorkingState, capacity: Capacity, moves: MoveBudget, shard: Shard): ReplicationCandidate | undefined {
  const key = counterKey('replicate', shard.id)
  const rate = work.rates.get(shard.id) ?? 0
  const holders = holdersOf(work, shard)
  if (holders.length === 0 || (work.placement.get(shard.id) ?? []).length >= work.config.maxReplicas) {
    moves.checks.check(key, false)
    return undefined
  }
  const u = poolUtilisation(rate, pool(holders, rate, capacity.load))
  const gain = u >= work.config.replicateUtilisation ? replicationGain(shard, holders, rate, capacity.load, targetChooser(work, capacity), work.rng) : undefined
  const count = moves.checks.check(key, gain !== undefined && gain.gain >= work.config.gainThreshold)
  return count >= work.config.confirmChecks ? { shard, utilisation: u, key } : undefined
}

/** Adds a copy of a confirmed shard if one still gains enough with the load as it is now. */
function replicate (work: WorkingState, capacity: Capacity, moves: MoveBudget, { shard, utilisation, key }: ReplicationCandidate): void {
  const holders = holdersOf(work, shard)
  const rate = work.rates.get(shard.id) ?? 0
  const now = replicationGain(shard, holders, rate, capacity.load, targetChooser(work, capacity), work.rng)
  if (now === undefined || now.gain < work.config.gainThreshold) return
  programCopy(work, capacity, shard, now.target.peer)
  // The shard's calls spread over one more copy: each old copy gives up rate/n − rate/(n + 1).
  const n = holders.length
  for (const h of holders) capacity.load.shift(h.peer.peerId, -(rate / n - rate / (n + 1)) * h.serviceMs / 1000)
  capacity.load.shift(now.target.peer.peerId, (rate / (n + 1)) * now.target.serviceMs / 1000)
  work.wanted.set(shard.id, (work.wanted.get(shard.id) ?? shard.replicas) + 1)
  work.operations.push({ kind: 'replicate', shardId: shard.id, to: now.target.peer.peerId, phase: 'programming', sinceMs: work.nowMs })
  work.events.push({
    type: 'replicate',
    shardId: shard.id,
    to: now.target.peer.peerId,
    reason: `hot: ${fmt(rate)} calls/s at utilisation ${fmt(utilisation)} over ${copiesOf(n)} for ${work.config.confirmChecks} checks`,
    predictedGain: now.gain,
    atMs: work.nowMs
  })
  moves.checks.reset(key)
  decided(work, moves, shard, copiesCooldownKey(shard))
  moves.slots--
}
