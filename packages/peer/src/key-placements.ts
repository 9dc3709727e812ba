/**
 * Where a node's record and provider entries were last stored, and whether they sit where lookups for their key now
 * end. A put or provide goes to the DHT_CLOSEST_PEERS peers a lookup finds closest to the key; while a network forms
 * (a node that joined early, many nodes starting at once) peers closer to the key keep arriving, and a lookup converges
 * on them, not on the early holders. The capacity publisher stores a key again when more than half of the peers now
 * closest to it, as this node knows them, were not among those its last store was sent to — and not when the network
 * around the key has not changed, whatever share of those peers answered (on a busy network some answer too late,
 * and storing again would not change who is closest).
 */
import { toString as uint8ArrayToString } from 'uint8arrays/to-string'
import type { ClosestKnownPeers } from './closest-known-peers.js'
import type { PeerId } from '@libp2p/interface'

/** What one put or provide of a key reached. */
export interface Placement {
  /** Peers that acknowledged it (none when it reached no peer in time). */
  holders: ReadonlySet<string>
  /** Peers it was sent to (the lookup's closest peers; the holders when it went straight to them). */
  targets: ReadonlySet<string>
  atMs: number
}

export class KeyPlacements {
  private readonly placements = new Map<string, Placement>()
  private readonly closestKnown?: ClosestKnownPeers
  private readonly replicas: number

  /**
   * @param closestKnown - the known DHT peers closest to a key; without it nothing is ever found moved
   * @param replicas - peers a put or provide goes to (kad-dht's k)
   */
  constructor (replicas: number, closestKnown?: ClosestKnownPeers) {
    this.replicas = replicas
    this.closestKnown = closestKnown
  }

  /** Notes a put or provide of `key` sent to `targets` (default: the holders) that `holders` acknowledged. */
  stored (key: Uint8Array, holders: Iterable<PeerId | string>, atMs: number, targets?: Iterable<PeerId | string>): void {
    const held = new Set([...holders].map(String))
    this.placements.set(keyId(key), { holders: held, targets: new Set([...(targets ?? []), ...held].map(String)), atMs })
  }

  /** The last put or provide of `key`, if any. */
  placement (key: Uint8Array): Placement | undefined {
    return this.placements.get(keyId(key))
  }

  /** Whether `key`'s last put or provide reached at least one peer. */
  held (key: Uint8Array): boolean {
    return (this.placement(key)?.holders.size ?? 0) > 0
  }

  /**
   * Whether `key` should be stored again because the network around it changed: more than half of the known peers
   * closest to it (up to `replicas` of them) were not sent its last store. A key never stored counts as moved as soon
   * as any peer is known. False when closest peers cannot be known.
   */
  async moved (key: Uint8Array): Promise<boolean> {
    if (this.closestKnown === undefined) return false
    const closest = await this.closestKnown(key, this.replicas)
    if (closest.length === 0) return false
    const targets = this.placement(key)?.targets ?? new Set<string>()
    const newcomers = closest.filter((peer) => !targets.has(peer)).length
    return newcomers > closest.length / 2
  }

  /** Whether closest peers can be known (else `moved` is always false). */
  get tracksMoves (): boolean {
    return this.closestKnown !== undefined
  }
}

function keyId (key: Uint8Array): string {
  return uint8ArrayToString(key, 'base64')
}
