/**
 * Placing a run's job: plan it on the peers the run sees, let the policy place every copy, and set up the run's
 * shards with the weights they are programmed from.
 */
import type { PeerView } from '@tessera/scheduler'
import { PlacementFailedError } from './errors.js'
import type { ModelJob } from './job.js'
import { placedSpec, planJob, shardsToPlace } from './plan.js'
import type { JobPlan } from './plan.js'
import type { RunContext } from './run-context.js'
import { newShardState } from './shard-state.js'

/** A placed job. */
export interface PlacedJob {
  plan: JobPlan
  /** Shard id → the peers the policy put its copies on. */
  assignments: ReadonlyMap<string, readonly string[]>
  /** The peers as the policy saw them. */
  views: PeerView[]
}

/**
 * Plans and places `job` with `replicas` copies per shard and adds its shards (no copies yet) to the run. Throws
 * {@link PlacementFailedError} when the policy leaves a shard unplaced.
 */
export function placeJob (ctx: RunContext, job: ModelJob, options: { batchSize: number, replicas: number }): PlacedJob {
  const views = ctx.views()
  const plan = planJob(job, views, ctx.policy.name, { batch: options.batchSize })
  const shards = shardsToPlace(plan, options.replicas)
  const placement = ctx.policy.place({ shards, peers: plan.candidates, nowMs: ctx.now(), rng: ctx.rng })
  if (placement.unplaced.length > 0) {
    const first = placement.unplaced[0]
    throw new PlacementFailedError(`${ctx.policy.name} left ${placement.unplaced.length} shard(s) unplaced, e.g. ${first}: ${placement.reasons.get(first) ?? 'no reason given'}`)
  }
  for (const spec of shards) {
    const w = plan.weights.get(spec.id)
    if (w === undefined) throw new PlacementFailedError(`no weights for shard ${spec.id}`)
    ctx.shards.set(spec.id, newShardState({ spec: placedSpec(spec, placement.assignments.get(spec.id)?.length ?? 0), blocks: plan.blocks.get(spec.id) ?? [], rows: w.rows, cols: w.cols, weights: w.values }))
  }
  return { plan, assignments: placement.assignments, views }
}
