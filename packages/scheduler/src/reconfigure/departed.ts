/**
 * Phase 2 of a reconfiguration step: copies on departed peers are gone. They are released (`peerGone`), and a
 * copy that held the shard's weights is remembered in `lostFrom` so that its replacement names the peer it
 * replaces.
 */
import { releaseCopy } from './working-state.js'
import type { WorkingState } from './working-state.js'

/** Releases every copy on a departed peer. */
export function dropDepartedCopies (work: WorkingState): void {
  for (const shard of work.shards) {
    for (const r of [...(work.placement.get(shard.id) ?? [])]) {
      if (!work.departed.has(r.peerId)) continue
      // A copy being programmed for an operation is not a lost copy (phase 3 ends the operation when its target is
      // gone); one being programmed outside any operation, as in the coordinator's initial placement, is.
      const wasCopy = r.state === 'active' || (r.state === 'programming' && !work.operations.some((op) => op.shardId === shard.id && op.to === r.peerId))
      const lost = work.lostFrom.get(shard.id) ?? []
      if (wasCopy && !lost.includes(r.peerId)) work.lostFrom.set(shard.id, [...lost, r.peerId])
      releaseCopy(work, shard.id, r.peerId, true)
    }
  }
}
