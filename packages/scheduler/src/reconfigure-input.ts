/**
 * Input checks of the reconfiguration step: the placement and the per-shard loads the coordinator passes in.
 */
import { InvalidSchedulerInputError } from './errors.js'
import { compareIds } from './pick.js'
import type { ReplicaState, ReplicaView } from './reconfigure-state.js'
import type { Shard } from './validate.js'

const REPLICA_STATES = new Set<ReplicaState>(['active', 'programming', 'draining'])

/** A copy in the step's working placement: a mutable copy of a {@link ReplicaView} that the step updates as it acts. */
export interface Work {
  peerId: string
  state: ReplicaState
  inFlight: number
}

/** Validates `loadPerSec`; throws {@link InvalidSchedulerInputError}. */
export function readLoads (loads: ReadonlyMap<string, number> | undefined, shards: ReadonlyMap<string, Shard>): Map<string, number> {
  const out = new Map<string, number>()
  for (const [id, rate] of loads ?? []) {
    if (!shards.has(id)) throw new InvalidSchedulerInputError(`load given for unknown shard ${JSON.stringify(id)}`)
    if (!(typeof rate === 'number' && Number.isFinite(rate) && rate >= 0)) throw new InvalidSchedulerInputError(`load of shard ${id} must be a finite non-negative number of calls/s, got ${String(rate)}`)
    out.set(id, rate)
  }
  return out
}

/** Validates the placement and copies it (sorted by peer id); throws {@link InvalidSchedulerInputError}. */
export function readPlacement (replicas: ReadonlyMap<string, readonly ReplicaView[]>, shards: ReadonlyMap<string, Shard>): Map<string, Work[]> {
  const out = new Map<string, Work[]>()
  for (const [shardId, list] of replicas) {
    if (!shards.has(shardId)) throw new InvalidSchedulerInputError(`placement lists unknown shard ${JSON.stringify(shardId)}`)
    const seen = new Set<string>()
    const copies: Work[] = []
    for (const r of list) {
      const bad = (why: string): never => { throw new InvalidSchedulerInputError(`shard ${shardId}, replica ${JSON.stringify(r?.peerId)}: ${why}`) }
      if (typeof r !== 'object' || r === null) bad('not an object')
      if (typeof r.peerId !== 'string' || r.peerId.length === 0) bad('peerId must be a non-empty string')
      if (seen.has(r.peerId)) bad('listed twice')
      seen.add(r.peerId)
      if (!REPLICA_STATES.has(r.state)) bad(`state must be active, programming or draining, got ${String(r.state)}`)
      if (!(Number.isInteger(r.inFlight) && r.inFlight >= 0)) bad('inFlight must be a non-negative integer')
      copies.push({ peerId: r.peerId, state: r.state, inFlight: r.inFlight })
    }
    out.set(shardId, copies.sort((a, b) => compareIds(a.peerId, b.peerId)))
  }
  return out
}
