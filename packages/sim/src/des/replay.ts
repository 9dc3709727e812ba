/**
 * What validation replays of a real loopback run (validation.ts), besides the nodes its events hit: what that run's
 * own circumstances decided rather than the system under test — the order its coordinator listed the nodes (the
 * plan follows it), the copies once programmed, where a baseline re-placed a lost copy (on views that follow that
 * run's gossip and pings), and when the harness's record publications took its event loop.
 */
import type { PlacementInput } from '@tessera/scheduler'
import { InvalidDesOptionError } from './errors.js'
import type { DesWorld } from './world.js'

/** A real run's placement, by scenario node id. */
export interface RealPlacement {
  /** Nodes in the order the coordinator's views listed them when it placed the job. */
  peers: readonly string[]
  /** Shard id → nodes holding a copy after programming. */
  copies: ReadonlyMap<string, readonly string[]>
  /** Shard id → the nodes its lost copies were placed on again, in order. */
  replacements?: ReadonlyMap<string, readonly string[]>
}

/** The real run's copies by peer id; its plan must have the same shards as this one's. */
export function replayedPlacement (shards: PlacementInput['shards'], real: RealPlacement, peerIdOf: (node: string) => string): ReadonlyMap<string, readonly string[]> {
  const planned = shards.map((s) => s.id).sort()
  const replayed = [...real.copies.keys()].sort()
  if (planned.join('\n') !== replayed.join('\n')) throw new InvalidDesOptionError(`the real run placed shards ${replayed.join(', ')}, this plan has ${planned.join(', ')}`)
  return new Map([...real.copies].map(([shardId, nodes]) => [shardId, nodes.map(peerIdOf)]))
}

/** The next node each shard's lost copy went to in the real run, by peer id (undefined once they are used up). */
export function replacementTargets (replacements: ReadonlyMap<string, readonly string[]>, peerIdOf: (node: string) => string): (shardId: string) => string | undefined {
  const used = new Map<string, number>()
  return (shardId) => {
    const nodes = replacements.get(shardId) ?? []
    const i = used.get(shardId) ?? 0
    if (i >= nodes.length) return undefined
    used.set(shardId, i + 1)
    return peerIdOf(nodes[i])
  }
}

/** The rank of each peer in the real run's listing, for discovery to follow. */
export function discoveryOrder (real: RealPlacement, peerIdOf: (node: string) => string): ReadonlyMap<string, number> {
  return new Map(real.peers.map((node, i) => [peerIdOf(node), i]))
}

/**
 * Record publications from now on, each `publicationWorkMs` of the harness's event loop ending when it finished
 * (`endsMs`, simulated time); one that began before now holds the loop for what is left of it.
 */
export function schedulePublications (world: DesWorld, endsMs: readonly number[]): void {
  const workMs = world.network.publicationWorkMs ?? 0
  if (!(workMs > 0)) return
  for (const endMs of endsMs) {
    if (endMs <= world.nowMs) continue
    const fromMs = Math.max(world.nowMs, endMs - workMs)
    world.queue.at(fromMs, () => { world.occupyLoop(endMs - fromMs) })
  }
}
