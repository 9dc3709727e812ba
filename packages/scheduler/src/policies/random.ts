/**
 * `random`: every copy goes to a peer drawn uniformly from those that can take it (enough free tiles, tiles
 * large enough, no copy yet); every call goes to a copy drawn uniformly. No history, no load, no NAT awareness.
 */
import { pick } from '../pick.js'
import { checkPeers, finishPlacement, noFitReason, normaliseShards, TileLedger } from '../validate.js'
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
  const shards = normaliseShards(input.shards)
  checkPeers(input.peers)
  const ledger = new TileLedger(input.peers)
  const copies = new Map<string, string[]>()
  const why = new Map<string, string>()
  for (const shard of shards) {
    const holders: string[] = []
    for (let copy = 0; copy < shard.replicas; copy++) {
      const candidates = input.peers.filter((p) => !holders.includes(p.peerId) && ledger.fits(p, shard))
      const peer = candidates.length > 0 ? candidates[input.rng.nextInt(candidates.length)] : undefined
      if (peer === undefined) break
      ledger.take(peer, shard)
      holders.push(peer.peerId)
    }
    if (holders.length > 0) copies.set(shard.id, holders)
    if (holders.length < shard.replicas) why.set(shard.id, holders.length === 0 ? noFitReason(shard, input.peers, ledger) : `only ${holders.length} of ${shard.replicas} copies: no other peer can take it`)
  }
  return finishPlacement('random', shards, copies, ledger, why)
}
