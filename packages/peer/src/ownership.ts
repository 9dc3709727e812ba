/**
 * Who owns which shard on a serving node. A shard belongs to the peer that programmed it (the remote PeerId the
 * Noise handshake authenticated), and its id lives in that peer's namespace: the executor knows it as
 * `<owner>/<shard id>`. Another peer naming the same id looks in its own namespace and finds nothing, so its
 * execute, release or keep-alive is answered exactly as for an id that does not exist, and its program creates a
 * shard of its own (docs/security.md). Its owner, and only it, may hand it to another PeerId: the shard keeps its
 * executor key and moves to the new owner's namespace.
 */
import { UnknownShardError } from '@tessera/wire'

/** One shard held for an owner: reserved while its upload runs, programmed once committed. */
export interface OwnedShard {
  /**
   * The executor's key, fixed for the shard's life: `<first owner>/<shardId>`, with `#<n>` appended when a shard
   * handed to another peer still holds that key.
   */
  readonly key: string
  owner: string
  shardId: string
  rows: number
  cols: number
  tiles: number
  programmed: boolean
}

/** Where `owner`'s shard `shardId` is looked up (a PeerId string holds no `/`, so two owners' ids never collide). */
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
  /** By `ownedShardKey(owner, shardId)` of the current owner. */
  private readonly byOwnerId = new Map<string, OwnedShard>()
  private readonly byKey = new Map<string, OwnedShard>()

  /** The caller's shard, or undefined: never another owner's. */
  get (owner: string, shardId: string): OwnedShard | undefined {
    return this.byOwnerId.get(ownedShardKey(owner, shardId))
  }

  byExecutorKey (key: string): OwnedShard | undefined {
    return this.byKey.get(key)
  }

  /** A free executor key for a new shard of `owner` (see {@link OwnedShard.key}). */
  executorKeyFor (owner: string, shardId: string): string {
    const base = ownedShardKey(owner, shardId)
    let key = base
    for (let n = 1; this.byKey.has(key); n++) key = `${base}#${n}`
    return key
  }

  add (shard: OwnedShard): void {
    this.byOwnerId.set(ownedShardKey(shard.owner, shard.shardId), shard)
    this.byKey.set(shard.key, shard)
  }

  /** Removes `shard` if it is still the entry under its key (a later shard with the same id is left alone). */
  remove (shard: OwnedShard): boolean {
    if (this.byKey.get(shard.key) !== shard) return false
    this.byKey.delete(shard.key)
    this.byOwnerId.delete(ownedShardKey(shard.owner, shard.shardId))
    return true
  }

  /** Moves `shard` to `newOwner`'s namespace; the caller checked that it holds no shard of that id. */
  transfer (shard: OwnedShard, newOwner: string): void {
    this.byOwnerId.delete(ownedShardKey(shard.owner, shard.shardId))
    shard.owner = newOwner
    this.byOwnerId.set(ownedShardKey(newOwner, shard.shardId), shard)
  }

  size (): number {
    return this.byKey.size
  }
}
