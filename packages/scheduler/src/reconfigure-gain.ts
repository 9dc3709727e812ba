/**
 * What a move is predicted to gain, for the reconfiguration step: why a copy should leave its peer, and the
 * ratio of expected completion (or response) times before and after a migration, replication or eviction.
 */
import { compareIds } from './pick.js'
import { poolResponseMs, throughputRatio } from './reconfigure-load.js'
import { scoreShard } from './score.js'
import type { Rng } from '@tessera/crossbar'
import type { ReconfigureConfig } from './reconfigure-config.js'
import type { Work } from './reconfigure-input.js'
import type { Holder, LoadModel, Pool } from './reconfigure-load.js'
import type { PeerView } from './types.js'
import type { Shard } from './validate.js'

/** The best peer to take a new copy of `shard` carrying `addedRate` calls/s, with its score and service time. */
export type BestTarget = (shard: Shard, addedRate: number, rng: Rng) => { peer: PeerView, totalMs: number, serviceMs: number } | undefined

/** Why a copy should leave its peer. */
export interface MigrationTrigger {
  /** In words, with the figures. */
  reason: string
  /**
   * Only the load is the problem (the peer is neither slower nor trending worse): shedding one copy may be
   * enough, so the peer sheds one at a time and waits for the memories to show the effect.
   */
  overloadOnly: boolean
}

/** Why a copy should leave its peer, or `undefined` when nothing is wrong with the peer. */
export function migrationTrigger (peer: PeerView, utilisation: number, config: ReconfigureConfig): MigrationTrigger | undefined {
  const why: string[] = []
  const overloaded = utilisation >= config.overloadUtilisation
  if (overloaded) why.push(`${peer.peerId} overloaded (utilisation ${fmt(utilisation)})`)
  const ratio = throughputRatio(peer)
  if (ratio <= config.slowerThroughputRatio) why.push(`${peer.peerId} slower (throughput ×${fmt(ratio)} of its usual)`)
  if (peer.longTerm?.trend === 'degrading') why.push(`${peer.peerId} trending worse`)
  return why.length > 0 ? { reason: why.join(', '), overloadOnly: overloaded && why.length === 1 } : undefined
}

/** Old copy's expected completion time ÷ the best other peer's, with the call share the copy carries moved there. */
export function migrationGain (shard: Shard, from: Holder, share: number, bestTarget: BestTarget, rng: Rng, model: ReconfigureConfig['score']):
  { gain: number, oldMs: number, target: NonNullable<ReturnType<BestTarget>> } | undefined {
  const target = bestTarget(shard, share, rng)
  if (target === undefined) return undefined
  const old = scoreShard(shard, from.peer, model, { programmed: true })
  const oldMs = old.feasible ? old.totalMs : Number.POSITIVE_INFINITY
  // An old copy that can no longer serve at all is worth leaving whatever the target costs; keep the gain finite.
  const gain = Number.isFinite(oldMs) ? oldMs / target.totalMs : Number.MAX_VALUE
  return { gain, oldMs, target }
}

/** A shard's active copies as a pool, each offering the capacity its peer has left beyond other work. */
export function pool (holders: readonly Holder[], rate: number, load: LoadModel): Pool {
  let ratePerSec = 0
  let serviceMs = 0
  for (const h of holders) {
    ratePerSec += load.capacityPerSec(h, (rate / holders.length) * h.serviceMs / 1000)
    serviceMs += h.serviceMs
  }
  return { ratePerSec, serviceMs: holders.length > 0 ? serviceMs / holders.length : Number.POSITIVE_INFINITY }
}

/** Response time with the current copies ÷ with one more on the best target. */
export function replicationGain (shard: Shard, holders: readonly Holder[], rate: number, load: LoadModel, bestTarget: BestTarget, rng: Rng):
  { gain: number, target: NonNullable<ReturnType<BestTarget>> } | undefined {
  const target = bestTarget(shard, rate / (holders.length + 1), rng)
  if (target === undefined) return undefined
  const before = pool(holders, rate, load)
  const added: Holder = { peer: target.peer, serviceMs: target.serviceMs }
  const after: Pool = {
    ratePerSec: before.ratePerSec + load.capacityPerSec(added, 0),
    serviceMs: (before.serviceMs * holders.length + target.serviceMs) / (holders.length + 1)
  }
  return { gain: poolResponseMs(rate, before) / poolResponseMs(rate, after), target }
}

/** The copy with the highest expected completion time (ties: the larger peer id, for determinism). */
export function worstHolder (shard: Shard, holders: readonly Holder[], config: ReconfigureConfig): Holder {
  let worst = holders[0]
  let worstMs = Number.NEGATIVE_INFINITY
  for (const h of holders) {
    const s = scoreShard(shard, h.peer, config.score, { programmed: true })
    const ms = s.feasible ? s.totalMs : Number.POSITIVE_INFINITY
    if (ms > worstMs || (ms === worstMs && compareIds(h.peer.peerId, worst.peer.peerId) > 0)) {
      worst = h
      worstMs = ms
    }
  }
  return worst
}

/** Among draining copies, the one to serve again: lowest expected completion time, ties to the smaller peer id. */
export function bestDraining (shard: Shard, copies: readonly Work[], views: ReadonlyMap<string, PeerView>, config: ReconfigureConfig): Work {
  const sorted = [...copies].sort((a, b) => compareIds(a.peerId, b.peerId))
  let best = sorted[0]
  let bestMs = Number.POSITIVE_INFINITY
  for (const c of sorted) {
    const view = views.get(c.peerId)
    const s = view === undefined ? undefined : scoreShard(shard, view, config.score, { programmed: true })
    const ms = s?.feasible === true ? s.totalMs : Number.POSITIVE_INFINITY
    if (ms < bestMs) {
      best = c
      bestMs = ms
    }
  }
  return best
}

/** A figure for a reason string: 3 significant digits or so. */
export function fmt (x: number): string {
  if (!Number.isFinite(x)) return String(x)
  return Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 1 ? x.toFixed(2) : x.toPrecision(2)
}
