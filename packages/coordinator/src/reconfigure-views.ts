/**
 * What the reconfiguration step reads of a run: each shard's copies with their state, and the peers it may use
 * with their load as other users make it.
 */
import type { MetricSummary } from '@tessera/memory'
import type { PeerView, ReconfigureInput, ReplicaView } from '@tessera/scheduler'
import type { ShardState } from './shard-state.js'

/** The shard's copies as the step reads them. */
export function replicasOf (shard: ShardState): ReplicaView[] {
  const inFlight = (peerId: string): number => Math.max(0, shard.inFlight.get(peerId) ?? 0)
  return [
    ...shard.holders.map((peerId) => ({ peerId, state: 'active' as const, inFlight: inFlight(peerId) })),
    ...shard.programming.map((peerId) => ({ peerId, state: 'programming' as const, inFlight: 0 })),
    ...shard.draining.map((peerId) => ({ peerId, state: 'draining' as const, inFlight: inFlight(peerId) }))
  ]
}

const SUMMARY_FIELDS = ['latest', 'mean', 'ema', 'p50', 'p95', 'min', 'max'] as const

/**
 * Views for the step with the peers' reported queues cut to other users' calls. A peer's gossip counts every call
 * queued or running on it, this coordinator's own included; the step models its own load from call rates and
 * would count it twice (in a closed loop every peer that serves us would look saturated). Calls this coordinator
 * has outstanding on a peer are taken off its reported queue and in-flight counts.
 */
export function foreignLoadViews (views: readonly PeerView[], outstanding: ReadonlyMap<string, number>): PeerView[] {
  return views.map((v) => {
    const st = v.shortTerm
    if (st === undefined || (st.queueDepth === undefined && st.inFlight === undefined)) return v
    const ours = Math.max(0, outstanding.get(v.peerId) ?? 0)
    const queue = { ...(st.queueDepth ?? st.inFlight) } as MetricSummary
    for (const f of SUMMARY_FIELDS) queue[f] = Math.max(0, (st.queueDepth?.[f] ?? 0) + (st.inFlight?.[f] ?? 0) - ours)
    const none: MetricSummary = { ...queue, latest: 0, mean: 0, ema: 0, p50: 0, p95: 0, min: 0, max: 0 }
    return { ...v, shortTerm: { ...st, queueDepth: queue, inFlight: none } }
  })
}

/**
 * The peers the step may use: those whose tiles have the geometry a shard was planned for (a shard cut for
 * 128×128 tiles on a 512×512 tile leaves 15/16 of it empty — the planner chose the geometry, moves keep it), plus
 * every peer holding a copy now (the step must see each copy's peer).
 */
export function targetViews (views: readonly PeerView[], shards: Iterable<ShardState>): PeerView[] {
  const geometries = new Set<string>()
  const holding = new Set<string>()
  for (const s of shards) {
    geometries.add(`${s.spec.geometry.rows}x${s.spec.geometry.cols}`)
    for (const p of [...s.holders, ...s.programming, ...s.draining]) holding.add(p)
  }
  return views.filter((v) => holding.has(v.peerId) || geometries.has(`${v.device.geometry.rows}x${v.device.geometry.cols}`))
}

/** What a run (or a simulated one) holds when it takes a reconfiguration step. */
export interface StepSources {
  shards: readonly ShardState[]
  /** The peers' views before {@link targetViews} and {@link foreignLoadViews} cut them to the step's. */
  views: readonly PeerView[]
  /** This coordinator's outstanding calls per peer. */
  pending: ReadonlyMap<string, number>
  departed: ReconfigureInput['departed']
  loadPerSec: ReconfigureInput['loadPerSec']
  nowMs: number
  rng: ReconfigureInput['rng']
}

/** The step's input: every shard with its copies, the peers it may use with other users' load only. */
export function stepInputOf (s: StepSources): ReconfigureInput {
  return {
    shards: s.shards.map((shard) => shard.spec),
    replicas: new Map(s.shards.map((shard) => [shard.spec.id, replicasOf(shard)])),
    peers: foreignLoadViews(targetViews(s.views, s.shards), s.pending),
    departed: s.departed,
    loadPerSec: s.loadPerSec,
    nowMs: s.nowMs,
    rng: s.rng
  }
}
