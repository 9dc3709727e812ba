/** The state of one shard of a running job: its weights and the copies of it on peers. */
import type { PlannedBlockLike, ShardSpec } from '@tessera/scheduler'

/** A shard of the running job. */
export interface ShardState {
  spec: ShardSpec
  blocks: PlannedBlockLike[]
  rows: number
  cols: number
  /** The coordinator's copy of the weights (extent, zeros where no block lies). */
  weights: Float32Array
  /** Peers holding a live copy that takes calls (`active`), primary first. */
  holders: string[]
  /** Copies being uploaded by the reconfiguration loop (no calls yet). */
  programming: string[]
  /** Copies that take no new calls and finish those in flight before they are released (make-before-break). */
  draining: string[]
  /** Calls outstanding per copy. */
  inFlight: Map<string, number>
  /** Tiles each copy (active or draining) used for it. */
  tilesByHolder: Map<string, number>
  /** Set while the shard is being re-placed, so concurrent failures wait for one re-placement. */
  replacing?: Promise<void>
}

/** Takes `peerId` off every list of the shard's copies (active, programming, draining). */
export function removeCopy (shard: Pick<ShardState, 'holders' | 'programming' | 'draining'>, peerId: string): void {
  for (const list of [shard.holders, shard.programming, shard.draining]) {
    const i = list.indexOf(peerId)
    if (i >= 0) list.splice(i, 1)
  }
}

/**
 * Makes a copy whose upload finished active (programming → holders). False when it is no longer listed as
 * programming: the step gave up on it (or its peer departed) while it was uploading, and its tiles go back.
 */
export function activateProgrammed (shard: Pick<ShardState, 'holders' | 'programming'>, peerId: string): boolean {
  const i = shard.programming.indexOf(peerId)
  if (i < 0) return false
  shard.programming.splice(i, 1)
  shard.holders.push(peerId)
  return true
}

/** A new shard state with no copies. */
export function newShardState (init: Pick<ShardState, 'spec' | 'blocks' | 'rows' | 'cols' | 'weights'>): ShardState {
  return { ...init, holders: [], programming: [], draining: [], inFlight: new Map(), tilesByHolder: new Map() }
}
