/**
 * `ray-like`: Ray's default hybrid scheduling policy (src/ray/raylet/scheduling/policy/
 * hybrid_scheduling_policy.cc), applied to shards as Ray applies it to tasks, one at a time in order:
 * - a node is available when it has the shard's resources free (here: tiles of a large enough geometry);
 * - its score is its critical resource utilisation (here: used ÷ total tiles, counting what this placement has
 *   taken), truncated to 0 below `scheduler_spread_threshold` (0.5);
 * - the local node (the coordinator's, or the first peer) is chosen when it is available and its score is no
 *   higher than the best score, which packs it until it is half full;
 * - otherwise nodes are sorted by id, then stably by score, and one is picked uniformly at random among the
 *   first k = max(`scheduler_top_k_absolute` 1, ⌊N · `scheduler_top_k_fraction` 0.2⌋) of them, N = all nodes.
 * It keeps no history, knows nothing of NAT paths or device noise, and places one copy per shard (Ray does not
 * replicate tasks). The caller plans with fixed one-tile blocks for it. Routing: the shard's first live copy.
 */
import { RAY_SPREAD_THRESHOLD, RAY_TOP_K_ABSOLUTE, RAY_TOP_K_FRACTION } from '../constants.js'
import { compareIds } from '../pick.js'
import { finishPlacement, noFitReason, startPlacement } from '../validate.js'
import type { PeerView, Placement, PlacementInput, PlacementPolicy } from '../types.js'

/** Options of {@link createRayLikePolicy} (Ray's config names; defaults are Ray's defaults). */
export interface RayLikePolicyInit {
  spreadThreshold?: number
  topKFraction?: number
  topKAbsolute?: number
}

/** Creates the `ray-like` baseline. */
export function createRayLikePolicy (init: RayLikePolicyInit = {}): PlacementPolicy {
  const spreadThreshold = init.spreadThreshold ?? RAY_SPREAD_THRESHOLD
  const topKFraction = init.topKFraction ?? RAY_TOP_K_FRACTION
  const topKAbsolute = init.topKAbsolute ?? RAY_TOP_K_ABSOLUTE
  return {
    name: 'ray-like',
    place: (input) => placeRayLike(input, spreadThreshold, topKFraction, topKAbsolute),
    route: (input) => input.replicas[0]
  }
}

function placeRayLike (input: PlacementInput, spreadThreshold: number, topKFraction: number, topKAbsolute: number): Placement {
  const { shards, ledger, copies, why } = startPlacement(input)
  const peers = input.peers
  const localId = input.localPeerId ?? peers[0]?.peerId
  const candidates = Math.max(topKAbsolute, Math.floor(peers.length * topKFraction))

  const score = (peer: PeerView): number => {
    const total = peer.device.tilesTotal
    if (total === 0) return 1
    const utilisation = (total - ledger.remaining(peer.peerId)) / total
    return utilisation < spreadThreshold ? 0 : utilisation
  }

  for (const shard of shards) {
    const available = peers.filter((p) => ledger.fits(p, shard))
    if (available.length === 0) {
      why.set(shard.id, noFitReason(shard, peers, ledger))
      continue
    }
    const scored = available.map((peer) => ({ peer, score: score(peer) }))
    scored.sort((a, b) => compareIds(a.peer.peerId, b.peer.peerId))
    scored.sort((a, b) => a.score - b.score) // Array.prototype.sort is stable
    const local = scored.find((s) => s.peer.peerId === localId)
    let chosen: PeerView
    if (local !== undefined && local.score <= scored[0].score) {
      chosen = local.peer
    } else {
      chosen = scored[input.rng.nextInt(Math.min(candidates, scored.length))].peer
    }
    ledger.take(chosen, shard)
    copies.set(shard.id, [chosen.peerId])
    if (shard.replicas > 1) why.set(shard.id, `ray-like places one copy (${shard.replicas} wanted)`)
  }
  return finishPlacement('ray-like', shards, copies, ledger, why)
}
