/**
 * From the planner's partition plan to shards the policies place: one shard per planned tile.
 */
import { BYTES_PER_ACTIVATION, BYTES_PER_WEIGHT } from './constants.js'
import { InvalidSchedulerInputError, InvalidSchedulerOptionError } from './errors.js'
import type { Geometry, ShardSpec } from './types.js'
import type { PartitionPlan, PlannedBlock } from '@tessera/crossbar'

/** A planned block as the planner returns it (kept as an alias so callers that import it from here still do). */
export type PlannedBlockLike = PlannedBlock

/** The part of the planner's `PartitionPlan` that sharding reads. */
export type PartitionPlanLike = Pick<PartitionPlan, 'blocks'>

/** Options of {@link shardsFromPlan}. */
export interface ShardsFromPlanOptions {
  /** Matrix id → sensitivity 0 … 1 (default 0). */
  sensitivity?: Readonly<Record<string, number>>
  /** Matrix id → calls per model request (default 1). */
  load?: Readonly<Record<string, number>>
  /** Input vectors per call (default 1). */
  batch?: number
  /** Bytes per uploaded weight (default 4, float32). */
  bytesPerWeight?: number
  /** Bytes per input or output element (default 4, float32). */
  bytesPerActivation?: number
}

/** Shards of a plan, and the planned blocks each one programs. */
export interface PlanShards {
  shards: ShardSpec[]
  /** Shard id → its blocks, in plan order. */
  blocks: Map<string, PlannedBlockLike[]>
}

/**
 * Makes one shard per planned tile (`${deviceId}/${tile}`): the blocks the planner packed into that tile move
 * together. Per shard:
 * - `geometry`: the extent the blocks use (max rowOffset + rows × max colOffset + cols), so any tile at least
 *   that large can hold it, whatever device class it was planned for;
 * - `cells`: weights held; `bytes` = cells × bytesPerWeight;
 * - `expectedLoad` = Σ over its matrices of their calls per request (a tile packing blocks of two layers is
 *   called once for each);
 * - `macsPerRequest`, `requestBytes`: per call, averaged over its matrices weighted by their load (a matrix's
 *   call moves batch × (rows + cols) activations of its blocks in this tile);
 * - `sensitivity`: the highest of its matrices'.
 */
export function shardsFromPlan (plan: PartitionPlanLike, options: ShardsFromPlanOptions = {}): PlanShards {
  const batch = options.batch ?? 1
  const bytesPerWeight = options.bytesPerWeight ?? BYTES_PER_WEIGHT
  const bytesPerActivation = options.bytesPerActivation ?? BYTES_PER_ACTIVATION
  if (!(Number.isInteger(batch) && batch > 0)) throw new InvalidSchedulerOptionError(`batch must be a positive integer, got ${batch}`)
  if (!(bytesPerWeight > 0) || !(bytesPerActivation > 0)) throw new InvalidSchedulerOptionError('bytes per weight and per activation must be positive')
  const blocks = new Map<string, PlannedBlockLike[]>()
  for (const block of plan.blocks) {
    if (!(block.rows > 0 && block.cols > 0 && block.rowOffset >= 0 && block.colOffset >= 0)) {
      throw new InvalidSchedulerInputError(`block of ${block.matrixId} on ${block.deviceId}/${block.tile} has a bad shape or offset`)
    }
    const id = `${block.deviceId}/${block.tile}`
    const list = blocks.get(id)
    if (list === undefined) blocks.set(id, [block])
    else list.push(block)
  }
  const shards: ShardSpec[] = []
  for (const [id, list] of blocks) {
    const extent: Geometry = { rows: 0, cols: 0 }
    const perMatrix = new Map<string, { cells: number, activations: number }>()
    let cells = 0
    let sensitivity = 0
    for (const b of list) {
      extent.rows = Math.max(extent.rows, b.rowOffset + b.rows)
      extent.cols = Math.max(extent.cols, b.colOffset + b.cols)
      cells += b.rows * b.cols
      const m = perMatrix.get(b.matrixId) ?? { cells: 0, activations: 0 }
      m.cells += b.rows * b.cols
      m.activations += b.rows + b.cols
      perMatrix.set(b.matrixId, m)
      sensitivity = Math.max(sensitivity, options.sensitivity?.[b.matrixId] ?? 0)
    }
    let load = 0
    let macs = 0
    let traffic = 0
    for (const [matrixId, m] of perMatrix) {
      const l = options.load?.[matrixId] ?? 1
      if (!(Number.isFinite(l) && l >= 0)) throw new InvalidSchedulerOptionError(`load of ${matrixId} must be finite and non-negative`)
      load += l
      macs += l * m.cells * batch
      traffic += l * m.activations * batch * bytesPerActivation
    }
    shards.push({
      id,
      tilesNeeded: 1,
      geometry: extent,
      cells,
      bytes: cells * bytesPerWeight,
      sensitivity: Math.min(1, Math.max(0, sensitivity)),
      expectedLoad: load,
      macsPerRequest: load > 0 ? macs / load : cells * batch,
      requestBytes: load > 0 ? traffic / load : 0
    })
  }
  return { shards, blocks }
}

/** Options of {@link markHotShards}. */
export interface HotShardOptions {
  /** A shard is hot when its expectedLoad ≥ factor × the median expectedLoad (default 2). */
  factor?: number
  /** Copies a hot shard gets (default 2). */
  replicas?: number
}

/** Returns copies of the shards with `replicas` set on the hot ones (load well above the median). */
export function markHotShards (shards: readonly ShardSpec[], options: HotShardOptions = {}): ShardSpec[] {
  const factor = options.factor ?? 2
  const replicas = options.replicas ?? 2
  if (!(factor > 0)) throw new InvalidSchedulerOptionError('factor must be positive')
  if (!(Number.isInteger(replicas) && replicas >= 1)) throw new InvalidSchedulerOptionError('replicas must be a positive integer')
  if (shards.length === 0) return []
  const loads = shards.map((s) => s.expectedLoad).sort((a, b) => a - b)
  const mid = loads.length >> 1
  const median = loads.length % 2 === 1 ? loads[mid] : (loads[mid - 1] + loads[mid]) / 2
  return shards.map((s) => (median > 0 && s.expectedLoad >= factor * median) ? { ...s, replicas: Math.max(replicas, s.replicas ?? 1) } : { ...s })
}
