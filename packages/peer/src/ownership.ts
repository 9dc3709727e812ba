/**
 * Who owns which shard on a serving node. A shard belongs to the peer that programmed it (the remote PeerId the
 * Noise handshake authenticated), and its id lives in that peer's namespace: the executor knows it as
 * `<owner>/<shard id>`. Another peer naming the same id looks in its own namespace and finds nothing, so its
 * execute, release or keep-alive is answered exactly as for an id that does not exist, and its program creates a
 * shard of its own (docs/security.md).
 */
import { UnknownShardError } from '@tessera/wire'

/** One shard held for an owner: reserved while its upload runs, programmed once committed. */
export interface OwnedShard {
  /** The executor's key: `<owner>/<shardId>`. */
  key: string
  owner: string
  shardId: string
  rows: number
  cols: number
  tiles: number
  programmed: boolean
}

/** The executor's key of `owner`'s shard `shardId` (a PeerId string holds no `/`, so keys never collide). */
export function ownedShardKey (owner: string, shardId: string): string {
  return `${owner}/${shardId}`
}

/**
 * The one error for a shard the caller does not hold: built from the caller's own id only, so the reply to another
 * peer's shard and to a missing one are byte for byte the same.
 */
export function unknownShard (shardId: string): UnknownShardError {
  return new UnknownShardError(`shard ${JSON.stringify(shardId)} is not held here for this peer`)
}

export class ShardOwnership {
  private readonly byKey = new Map<string, OwnedShard>()

  /** The caller's shard, or undefined: never another owner's. */
  get (owner: string, shardId: string): OwnedShard | undefined {
    return this.byKey.get(ownedShardKey(owner, shardId))
  }

  byExecutorKey (key: string): OwnedShard | undefined {
    return this.byKey.get(key)
  }

  add (shard: OwnedShard): void {
    this.byKey.set(shard.key, shard)
  }

  /** Removes `shard` if it is still the entry under its key (a later shard with the same id is left alone). */
  remove (shard: OwnedShard): boolean {
    if (this.byKey.get(shard.key) !== shard) return false
    this.byKey.delete(shard.key)
    return true
  }

  size (): number {
    return this.byKey.size
  }
}
