/**
 * `petals-like`: Petals' server block selection and client min-latency routing.
 *
 * Placement (petals/server/block_selection.py): servers join one after another (here: in the given peer order)
 * and each announces its throughput (here: the advertised device throughput). A joining server that can hold
 * `n` blocks computes, for every block, the total throughput of the servers already serving it, and takes the
 * contiguous span of `n` blocks whose sorted throughputs are lexicographically smallest (`_choose_best_start`),
 * i.e. the least-served span. Blocks are the shards in their given order; `n` = ⌊free tiles ÷ the largest tiles
 * of a shard it can hold⌋ (at least 1), so any span fits. A block the server cannot serve — tiles too small,
 * already at its `replicas`, already held there — counts as infinitely served. A server hosts the shards of its
 * span it can serve. Servers with tiles left join again until a pass adds nothing, as more Petals servers would.
 *
 * Routing (petals/client/routing/sequence_manager.py, mode "min_latency"): each call goes to the replica with
 * the lowest RTT EMA (α = 0.2, Petals' ping aggregator) plus compute time at the announced throughput. The EMA
 * takes one sample per peer per distinct `nowMs` from the peer view's `rttMs`.
 */
import { PETALS_RTT_EMA_ALPHA } from '../constants.js'
import { pick } from '../pick.js'
import { finishPlacement, geometryFits, noFitReason, startPlacement } from '../validate.js'
import type { PeerView, Placement, PlacementInput, PlacementPolicy, RouteInput } from '../types.js'

/** Options of {@link createPetalsLikePolicy}. */
export interface PetalsLikePolicyInit {
  /** RTT EMA factor (default 0.2). */
  rttEmaAlpha?: number
}

/** Creates the `petals-like` baseline (it keeps RTT EMAs across `route` calls). */
export function createPetalsLikePolicy (init: PetalsLikePolicyInit = {}): PlacementPolicy {
  const alpha = init.rttEmaAlpha ?? PETALS_RTT_EMA_ALPHA
  const rtt = new Map<string, { emaMs: number, atMs: number }>()
  return {
    name: 'petals-like',
    place: placePetalsLike,
    route: (input) => routePetalsLike(input, alpha, rtt)
  }
}

function placePetalsLike (input: PlacementInput): Placement {
  const { shards, ledger, copies, why } = startPlacement(input)
  const n = shards.length
  const served = new Float64Array(n)

  // A block this server cannot serve (tiles too small, already at its copy count, or already held here) counts
  // as infinitely served, so spans avoid it.
  const throughputOf = (i: number, peer: PeerView): number => {
    const shard = shards[i]
    const holders = copies.get(shard.id) ?? []
    if (holders.length >= shard.replicas || holders.includes(peer.peerId) || !geometryFits(peer.device.geometry, shard.geometry)) {
      return Number.POSITIVE_INFINITY
    }
    return served[i]
  }

  let progress = n > 0
  while (progress) {
    progress = false
    for (const peer of input.peers) {
      const free = ledger.remaining(peer.peerId)
      if (free === 0) continue
      let biggest = 1
      for (const s of shards) if (s.tilesNeeded > biggest && geometryFits(peer.device.geometry, s.geometry)) biggest = s.tilesNeeded
      const span = Math.min(n, Math.max(1, Math.floor(free / biggest)))
      // Slide a sorted copy of the window along the blocks instead of sorting every window afresh.
      const window: number[] = []
      for (let i = 0; i < span; i++) insertSorted(window, throughputOf(i, peer))
      let bestStart = 0
      let bestKey = window.slice()
      for (let start = 1; start + span <= n; start++) {
        removeSorted(window, throughputOf(start - 1, peer))
        insertSorted(window, throughputOf(start + span - 1, peer))
        if (lexLess(window, bestKey)) {
          bestStart = start
          bestKey = window.slice()
        }
      }
      for (let i = bestStart; i < bestStart + span; i++) {
        const shard = shards[i]
        if (throughputOf(i, peer) === Number.POSITIVE_INFINITY || !ledger.take(peer, shard)) continue
        const holders = copies.get(shard.id) ?? []
        holders.push(peer.peerId)
        copies.set(shard.id, holders)
        served[i] += peer.device.throughput
        progress = true
      }
    }
  }
  for (const shard of shards) {
    if (!copies.has(shard.id)) why.set(shard.id, noFitReason(shard, input.peers, ledger))
  }
  return finishPlacement('petals-like', shards, copies, ledger, why)
}

function routePetalsLike (input: RouteInput, alpha: number, rtt: Map<string, { emaMs: number, atMs: number }>): string | undefined {
  const views = new Map(input.peers.map((p) => [p.peerId, p]))
  const macs = input.shard.macsPerRequest ?? input.shard.cells
  let best: string[] = []
  let bestMs = Number.POSITIVE_INFINITY
  for (const peerId of input.replicas) {
    const peer = views.get(peerId)
    if (peer === undefined) continue
    let entry = rtt.get(peerId)
    if (entry === undefined) {
      entry = { emaMs: peer.rttMs, atMs: input.nowMs }
      rtt.set(peerId, entry)
    } else if (input.nowMs > entry.atMs) {
      entry.emaMs += alpha * (peer.rttMs - entry.emaMs)
      entry.atMs = input.nowMs
    }
    const computeMs = peer.device.throughput > 0 ? (macs / peer.device.throughput) * 1000 : Number.POSITIVE_INFINITY
    const costMs = entry.emaMs + computeMs
    if (costMs < bestMs) {
      bestMs = costMs
      best = [peerId]
    } else if (costMs === bestMs) {
      best.push(peerId)
    }
  }
  return best.length > 0 ? pick(best, input.rng) : input.replicas[0]
}

function lowerBound (sorted: number[], value: number): number {
  let lo = 0
  let hi = sorted.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    if (sorted[mid] < value) lo = mid + 1
    else hi = mid
  }
  return lo
}

function insertSorted (sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 0, value)
}

function removeSorted (sorted: number[], value: number): void {
  sorted.splice(lowerBound(sorted, value), 1)
}

function lexLess (a: number[], b: number[]): boolean {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] < b[i]
  }
  return a.length < b.length
}
