/**
 * `random`: every copy goes to a peer drawn uniformly from those that can take it (enough free tiles, tiles
 * large enough, no copy yet); every call goes to a copy drawn uniformly. No history, no load, no NAT awareness.
 */
import { pick } from '../pick.js'
import { finishPlacement, recordHolders, startPlacement } from '../validate.js'
import type { Placement, PlacementInput, PlacementPolicy } from '../types.js'

/** Creates the `random` baseline. */
export function createRandomPolicy (): PlacementPolicy {
  return {
    name: 'random',
    place: placeRandom,
    route: (input) => pick(input.replicas, input.rng)
  }
}

function placeRandom (input: PlacementInput): Placement {
  const draft = startPlacement(input)
  const { shards, ledger, copies, why } = draft
  for (const shard of shards) {
    const holders: string[] = []
    for (let copy = 0; copy < shard.replicas; copy++) {
      const candidates = input.peers.filter((p) => !holders.includes(p.peerId) && ledger.fits(p, shard))
      const peer = candidates.length > 0 ? candidates[input.rng.nextInt(candidates.length)] : undefined
      if (peer === undefined) break
      ledger.take(peer, shard)
      holders.push(peer.peerId)
    }
    recordHolders(draft, shard, holders, input.peers)
  }
  return finishPlacement('random', shards, copies, ledger, why)
}
