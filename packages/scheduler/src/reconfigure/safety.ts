/**
 * Phase 4 of a reconfiguration step: a shard left with no active copy gets a draining copy back (`activate`),
 * so that no step leaves a shard that still has its weights somewhere without a serving copy.
 */
import { bestDraining } from '../reconfigure-gain.js'
import type { WorkingState } from './working-state.js'

/** Reactivates the best draining copy of every shard without an active one, and ends the drain that took it. */
export function reactivateUnserved (work: WorkingState): void {
  for (const shard of work.shards) {
    const list = work.placement.get(shard.id) ?? []
    if (list.some((r) => r.state === 'active')) continue
    const draining = list.filter((r) => r.state === 'draining')
    if (draining.length === 0) continue
    const back = bestDraining(shard, draining, work.views, work.config)
    work.actions.push({ kind: 'activate', shardId: shard.id, peerId: back.peerId })
    back.state = 'active'
    work.operations = work.operations.filter((op) => !(op.shardId === shard.id && op.from === back.peerId && op.phase === 'draining'))
  }
}
