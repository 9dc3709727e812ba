/**
 * Phase 5 of a reconfiguration step: draining copies whose in-flight calls are done, or whose drain timed out,
 * are released — never a shard's last copy with weights (a shard without an active copy keeps its draining ones).
 */
import { replicaKey } from '../reconfigure-state.js'
import { releaseCopy } from './working-state.js'
import type { WorkingState } from './working-state.js'

/** Releases drained copies; records since when the others have been draining. */
export function releaseDrained (work: WorkingState): void {
  for (const shard of work.shards) {
    const list = work.placement.get(shard.id) ?? []
    if (!list.some((r) => r.state === 'active')) continue
    for (const r of list.filter((x) => x.state === 'draining')) {
      const key = replicaKey(shard.id, r.peerId)
      const since = work.previous.drainingSinceMs.get(key) ?? work.nowMs
      if (r.inFlight === 0 || work.nowMs - since >= work.config.drainTimeoutMs) {
        releaseCopy(work, shard.id, r.peerId, false)
        work.operations = work.operations.filter((op) => !(op.shardId === shard.id && op.from === r.peerId))
      } else {
        work.drainingSinceMs.set(key, since)
      }
    }
  }
}
