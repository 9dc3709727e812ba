/**
 * `memory-proportional`: exo's RingMemoryWeightedPartitioningStrategy. Nodes are sorted by memory (here: free
 * tiles) descending, ties by id descending (exo sorts `(memory, node_id)` in reverse); node j gets the slice
 * [start_j, end_j) of [0, 1) with end_j − start_j = free_j ÷ Σ free, in that ring order; and the model is cut
 * into contiguous ranges by those fractions (exo cuts layers; here the shards in their given order, measured in
 * tiles, so a shard goes to the node whose slice holds its first tile's position).
 *
 * exo does not check capacity (a node that cannot hold its range fails when loading); here a shard that does
 * not fit its node — too few free tiles left or tiles too small — moves on around the ring to the next node that
 * fits, so the baseline never over-commits. No replicas, no history, no NAT awareness. Routing: the first copy.
 */
import { compareIds } from '../pick.js'
import { finishPlacement, noFitReason, startPlacement } from '../validate.js'
import type { Placement, PlacementInput, PlacementPolicy } from '../types.js'

/** Creates the `memory-proportional` baseline. */
export function createMemoryProportionalPolicy (): PlacementPolicy {
  return {
    name: 'memory-proportional',
    place: placeMemoryProportional,
    route: (input) => input.replicas[0]
  }
}

function placeMemoryProportional (input: PlacementInput): Placement {
  const { shards, ledger, copies, why } = startPlacement(input)
  const ring = [...input.peers]
    .sort((a, b) => b.device.tilesFree - a.device.tilesFree || compareIds(b.peerId, a.peerId))
  const totalFree = ring.reduce((sum, p) => sum + p.device.tilesFree, 0)
  const totalTiles = shards.reduce((sum, s) => sum + s.tilesNeeded, 0)
  // Slice ends as fractions of [0, 1), rounded to 5 decimals as exo does.
  const ends: number[] = []
  let start = 0
  for (const peer of ring) {
    const end = totalFree > 0 ? Math.round((start + peer.device.tilesFree / totalFree) * 1e5) / 1e5 : 1
    ends.push(end)
    start = end
  }

  let position = 0
  for (const shard of shards) {
    const fraction = totalTiles > 0 ? position / totalTiles : 0
    position += shard.tilesNeeded
    let owner = ends.findIndex((end) => fraction < end)
    if (owner < 0) owner = ring.length - 1
    let placed = false
    for (let step = 0; step < ring.length && !placed; step++) {
      const peer = ring[(owner + step) % ring.length]
      if (ledger.take(peer, shard)) {
        copies.set(shard.id, [peer.peerId])
        placed = true
      }
    }
    if (!placed) why.set(shard.id, noFitReason(shard, input.peers, ledger))
    else if (shard.replicas > 1) why.set(shard.id, `memory-proportional places one copy (${shard.replicas} wanted)`)
  }
  return finishPlacement('memory-proportional', shards, copies, ledger, why)
}
