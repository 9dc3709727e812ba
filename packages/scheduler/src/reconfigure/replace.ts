/**
 * Phase 6 of a reconfiguration step: lost copies are replaced at once — no hysteresis, no cap, only capacity —,
 * shards without any live copy first, then the busiest. When every peer left looks saturated, the least utilised
 * one takes the copy (a slow copy beats none).
 */
import { compareIds } from '../pick.js'
import { bestTarget, leastLoadedTarget, noTargetReason, programCopy } from './capacity.js'
import { copiesOf, liveCopies } from './working-state.js'
import type { Shard } from '../validate.js'
import type { Capacity } from './capacity.js'
import type { WorkingState } from './working-state.js'

/** Programs a new copy for every copy a shard is short of, or lists the shard as unplaced. */
export function replaceLostCopies (work: WorkingState, capacity: Capacity): void {
  const rate = (shard: Shard): number => work.rates.get(shard.id) ?? 0
  const order = [...work.shards].sort((a, b) =>
    Number(liveCopies(work, a.id) > 0) - Number(liveCopies(work, b.id) > 0) || rate(b) - rate(a) || compareIds(a.id, b.id))
  for (const shard of order) replaceShard(work, capacity, shard)
}

/** Replaces the missing copies of one shard, naming the departed peers they replace while any are left. */
function replaceShard (work: WorkingState, capacity: Capacity, shard: Shard): void {
  const want = work.wanted.get(shard.id) ?? shard.replicas
  const lost = work.lostFrom.get(shard.id) ?? []
  while (liveCopies(work, shard.id) < want) {
    const rate = work.rates.get(shard.id) ?? 0
    const target = bestTarget(work, capacity, shard, rate / want, work.rng) ?? leastLoadedTarget(work, capacity, shard, work.rng)
    if (target === undefined) {
      work.unplaced.push({ shardId: shard.id, reason: `${liveCopies(work, shard.id)} of ${copiesOf(want)} live and no peer can take it (${noTargetReason(shard, capacity)})` })
      break
    }
    const from = lost.shift()
    const live = liveCopies(work, shard.id)
    programCopy(work, capacity, shard, target.peer)
    capacity.load.shift(target.peer.peerId, (rate / want) * target.serviceMs / 1000)
    work.operations.push({ kind: 'replace', shardId: shard.id, from, to: target.peer.peerId, phase: 'programming', sinceMs: work.nowMs })
    work.events.push({
      type: 'replace',
      shardId: shard.id,
      ...(from === undefined ? {} : { from }),
      to: target.peer.peerId,
      reason: from === undefined ? `${live} of ${copiesOf(want)} live` : `peer ${from} departed (${live} of ${copiesOf(want)} left)`,
      predictedGain: null,
      atMs: work.nowMs
    })
  }
  if (lost.length > 0 && liveCopies(work, shard.id) < want) work.lostFrom.set(shard.id, lost)
  else work.lostFrom.delete(shard.id)
}
