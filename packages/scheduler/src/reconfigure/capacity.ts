/**
 * Capacity and load as they stand after a step's bookkeeping (phases 1–5), for the phases that place copies
 * (6–9): tiles left on each live peer, the load model, and the choice of a target peer for a new copy.
 */
import { pick } from '../pick.js'
import { LoadModel, serviceTimeMs } from '../reconfigure-load.js'
import { scoreShard } from '../score.js'
import { TileLedger } from '../validate.js'
import type { Rng } from '@tessera/crossbar'
import type { BestTarget } from '../reconfigure-gain.js'
import type { Holder } from '../reconfigure-load.js'
import type { PeerView } from '../types.js'
import type { Shard } from '../validate.js'
import type { WorkingState } from './working-state.js'

/** What the placing phases share besides the working state. */
export interface Capacity {
  /** Live peers with the tiles of copies still programming subtracted from `tilesFree`. */
  readonly targets: readonly PeerView[]
  /** Tiles left per target, taken as the step programs copies. */
  readonly ledger: TileLedger
  /** Utilisation per peer, shifted as the step moves load. */
  readonly load: LoadModel
}

/** A peer that can take a new copy of a shard, with its score and the service time of one call there. */
export type Target = NonNullable<ReturnType<BestTarget>>

/** Sets up the capacity of the live peers from the placement as it is now. */
export function measureCapacity (work: WorkingState): Capacity {
  const reservedTiles = new Map<string, number>()
  for (const shard of work.shards) {
    for (const r of work.placement.get(shard.id) ?? []) {
      if (r.state === 'programming') reservedTiles.set(r.peerId, (reservedTiles.get(r.peerId) ?? 0) + shard.tilesNeeded)
    }
  }
  const targets = [...work.views.values()].map((p) => ({ ...p, device: { ...p.device, tilesFree: Math.max(0, p.device.tilesFree - (reservedTiles.get(p.peerId) ?? 0)) } }))
  const load = new LoadModel([...work.views.values()], work.shards.map((s) => ({ rate: work.rates.get(s.id) ?? 0, holders: holdersOf(work, s) })))
  return { targets, ledger: new TileLedger(targets), load }
}

/** The active copies of a shard on live peers. */
export function holdersOf (work: WorkingState, shard: Shard): Holder[] {
  return (work.placement.get(shard.id) ?? [])
    .filter((r) => r.state === 'active' && work.views.has(r.peerId))
    .map((r) => {
      const peer = work.views.get(r.peerId) as PeerView
      return { peer, serviceMs: serviceTimeMs(shard, peer) }
    })
}

/**
 * The peer not yet holding the shard where a new copy carrying `addedRate` calls/s would have the lowest expected
 * completion time, including the wait the added load causes there; exact ties drawn with `rng`.
 */
export function bestTarget (work: WorkingState, capacity: Capacity, shard: Shard, addedRate: number, rng: Rng): Target | undefined {
  const exclude = new Set((work.placement.get(shard.id) ?? []).map((r) => r.peerId))
  let best: Target[] = []
  let bestMs = Number.POSITIVE_INFINITY
  for (const peer of capacity.targets) {
    if (exclude.has(peer.peerId)) continue
    const serviceMs = serviceTimeMs(shard, peer)
    if (!Number.isFinite(serviceMs)) continue
    const committedMs = capacity.load.addedWaitMs(peer.peerId, addedRate, serviceMs)
    if (!Number.isFinite(committedMs)) continue
    const s = scoreShard(shard, peer, work.config.score, { tilesFree: capacity.ledger.remaining(peer.peerId), committedMs })
    if (!s.feasible || !Number.isFinite(s.totalMs)) continue
    if (s.totalMs < bestMs) {
      bestMs = s.totalMs
      best = [{ peer, totalMs: s.totalMs, serviceMs }]
    } else if (s.totalMs === bestMs) {
      best.push({ peer, totalMs: s.totalMs, serviceMs })
    }
  }
  return pick(best, rng)
}

/** {@link bestTarget} over this step's working state and capacity, in the form the gain functions take. */
export function targetChooser (work: WorkingState, capacity: Capacity): BestTarget {
  return (shard, addedRate, rng) => bestTarget(work, capacity, shard, addedRate, rng)
}

/**
 * A lost copy must go somewhere even when every peer left looks saturated (the load model caps utilisation):
 * then the feasible peer with the lowest utilisation, ties by score, takes it.
 */
export function leastLoadedTarget (work: WorkingState, capacity: Capacity, shard: Shard, rng: Rng): Target | undefined {
  const exclude = new Set((work.placement.get(shard.id) ?? []).map((r) => r.peerId))
  let best: Target[] = []
  let bestKey: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY]
  for (const peer of capacity.targets) {
    if (exclude.has(peer.peerId)) continue
    const serviceMs = serviceTimeMs(shard, peer)
    if (!Number.isFinite(serviceMs)) continue
    const s = scoreShard(shard, peer, work.config.score, { tilesFree: capacity.ledger.remaining(peer.peerId), committedMs: 0 })
    if (!s.feasible || !Number.isFinite(s.totalMs)) continue
    const key: [number, number] = [capacity.load.utilisation(peer.peerId), s.totalMs]
    if (key[0] < bestKey[0] || (key[0] === bestKey[0] && key[1] < bestKey[1])) {
      bestKey = key
      best = [{ peer, totalMs: s.totalMs, serviceMs }]
    } else if (key[0] === bestKey[0] && key[1] === bestKey[1]) {
      best.push({ peer, totalMs: s.totalMs, serviceMs })
    }
  }
  return pick(best, rng)
}

/** Programs a new copy of the shard on the peer: takes its tiles, emits `program`, lists it as programming. */
export function programCopy (work: WorkingState, capacity: Capacity, shard: Shard, peer: PeerView): void {
  capacity.ledger.take(peer, shard)
  work.actions.push({ kind: 'program', shardId: shard.id, peerId: peer.peerId, tiles: shard.tilesNeeded })
  work.placement.set(shard.id, [...(work.placement.get(shard.id) ?? []), { peerId: peer.peerId, state: 'programming', inFlight: 0 }])
}

/** Why no peer can take a copy of the shard, for the step's `unplaced` list. */
export function noTargetReason (shard: Shard, capacity: Capacity): string {
  if (capacity.targets.length === 0) return 'no peers'
  const room = capacity.targets.filter((p) => capacity.ledger.fits(p, shard))
  if (room.length === 0) return `no peer has ${shard.tilesNeeded} free ${shard.geometry.rows}×${shard.geometry.cols} tile(s)`
  return `${room.length} peer(s) with room, none feasible (relay limits or no throughput)`
}
