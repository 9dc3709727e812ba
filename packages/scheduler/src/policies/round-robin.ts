/**
 * `round-robin`: copies go to the peers in turn (in the given peer order), skipping a peer that cannot take the
 * shard (too few free tiles, tiles too small) or already holds a copy of it. Calls go to a shard's copies in
 * turn. No history, no load, no NAT awareness.
 */
import { finishPlacement, recordHolders, startPlacement } from '../validate.js'
import type { Placement, PlacementInput, PlacementPolicy, RouteInput } from '../types.js'

/** Creates the `round-robin` baseline (it keeps one routing counter per shard). */
export function createRoundRobinPolicy (): PlacementPolicy {
  const turns = new Map<string, number>()
  return {
    name: 'round-robin',
    place: placeRoundRobin,
    route: (input: RouteInput) => {
      if (input.replicas.length === 0) return undefined
      const turn = turns.get(input.shard.id) ?? 0
      turns.set(input.shard.id, turn + 1)
      return input.replicas[turn % input.replicas.length]
    }
  }
}

function placeRoundRobin (input: PlacementInput): Placement {
  const draft = startPlacement(input)
  const { shards, ledger, copies, why } = draft
  const peers = input.peers
  let cursor = 0
  for (const shard of shards) {
    const holders: string[] = []
    for (let copy = 0; copy < shard.replicas; copy++) {
      let placed = false
      for (let step = 0; step < peers.length && !placed; step++) {
        const peer = peers[(cursor + step) % peers.length]
        if (holders.includes(peer.peerId) || !ledger.take(peer, shard)) continue
        holders.push(peer.peerId)
        cursor = (cursor + step + 1) % peers.length
        placed = true
      }
      if (!placed) break
    }
    recordHolders(draft, shard, holders, peers)
  }
  return finishPlacement('round-robin', shards, copies, ledger, why)
}
