/**
 * Planning a job for a policy: cut the layers into shards with the crossbar planner and choose the peers the
 * policy may place them on.
 *
 * - `tessera` plans per tile-geometry class of the peers found (devices of one geometry pack together without
 *   mixed-size waste) and keeps the class whose plan fills its tiles best, breaking near-ties (within
 *   {@link UTILISATION_TIE}) by the class's advertised throughput; it then plans that class again with each
 *   layer packed on tiles of its own (planLayersApart) and places only on that class.
 * - `ray-like` uses fixed one-tile blocks: the tile grid of each matrix at the smallest geometry found, one
 *   block per tile, no packing (Ray schedules fixed-size tasks and knows nothing of tile geometry).
 * - every other baseline gets the planner's plan over all peers found, every device taken at the smallest tile
 *   geometry found, so any shard fits any peer whatever the policy chooses.
 */
import { planPartition } from '@tessera/crossbar'
import { shardsFromPlan } from '@tessera/scheduler'
import type { PlannedBlockLike, PeerView, ShardSpec } from '@tessera/scheduler'
import type { ModelJob } from './job.js'
import { groupCalls } from './calls.js'
import { PlacementFailedError } from './errors.js'

/** Plans whose utilisations differ by less than this count as equally good; throughput decides. */
export const UTILISATION_TIE = 0.005

/** A job cut into shards, with each shard's blocks and the weights it is programmed with. */
export interface JobPlan {
  shards: ShardSpec[]
  /** Shard id → its blocks (positions in the shard's extent and in the layer matrices). */
  blocks: Map<string, PlannedBlockLike[]>
  /** Shard id → `rows × cols` weights of the shard's extent (zeros where no block lies). */
  weights: Map<string, { rows: number, cols: number, values: Float32Array }>
  /** Peers the policy may place on. */
  candidates: PeerView[]
  /** Cells holding a weight (the layers' sizes summed). */
  weightCells: number
  /** How the plan was made, for reports. */
  description: string
}

interface BlockPlan {
  blocks: PlannedBlockLike[]
  description: string
  candidates: PeerView[]
}

function matricesOf (job: ModelJob): Array<{ id: string, rows: number, cols: number, sensitivity: number }> {
  return job.layers.map((l) => ({ id: l.id, rows: l.inputs, cols: l.outputs, sensitivity: l.sensitivity }))
}

function geometryKey (p: PeerView): string {
  return `${p.device.geometry.rows}x${p.device.geometry.cols}`
}

function planGrid (job: ModelJob, peers: PeerView[]): BlockPlan {
  const rows = Math.min(...peers.map((p) => p.device.geometry.rows))
  const cols = Math.min(...peers.map((p) => p.device.geometry.cols))
  const blocks: PlannedBlockLike[] = []
  let tile = 0
  for (const layer of job.layers) {
    for (let r = 0; r < layer.inputs; r += rows) {
      for (let c = 0; c < layer.outputs; c += cols) {
        blocks.push({
          matrixId: layer.id, matrixRow: r, matrixCol: c, rows: Math.min(rows, layer.inputs - r), cols: Math.min(cols, layer.outputs - c),
          deviceId: `grid${rows}x${cols}`, tile: tile++, rowOffset: 0, colOffset: 0
        })
      }
    }
  }
  return { blocks, description: `fixed one-tile blocks of ${rows}×${cols}, no packing`, candidates: peers }
}

function plannerDevices (peers: PeerView[]): Array<{ id: string, geometry: { rows: number, cols: number }, freeTiles: number, noiseLevel: number }> {
  return peers.filter((p) => p.device.tilesFree > 0).map((p) => ({ id: p.peerId, geometry: p.device.geometry, freeTiles: p.device.tilesFree, noiseLevel: p.device.noiseLevel }))
}

function planByClass (job: ModelJob, peers: PeerView[]): BlockPlan {
  const classes = new Map<string, PeerView[]>()
  for (const p of peers) {
    if (p.device.tilesFree === 0) continue
    const list = classes.get(geometryKey(p)) ?? []
    list.push(p)
    classes.set(geometryKey(p), list)
  }
  let best: { plan: ReturnType<typeof planPartition>, key: string, members: PeerView[], throughput: number } | undefined
  for (const [key, members] of [...classes].sort((a, b) => a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)) {
    let plan
    try {
      plan = planPartition(matricesOf(job), plannerDevices(members))
    } catch {
      continue // this class alone cannot hold the job
    }
    const throughput = members.reduce((sum, p) => sum + p.device.throughput, 0)
    if (best === undefined || plan.utilisation > best.plan.utilisation + UTILISATION_TIE ||
      (plan.utilisation > best.plan.utilisation - UTILISATION_TIE && throughput > best.throughput)) {
      best = { plan, key, members, throughput }
    }
  }
  if (best === undefined) return planAll(job, peers)
  const apart = planLayersApart(job, best.members)
  if (apart !== undefined) {
    return {
      blocks: apart.blocks,
      description: `layers packed apart on the ${best.key} class (${best.members.length} peers), planned utilisation ${apart.utilisation.toFixed(4)} (${best.plan.utilisation.toFixed(4)} with layers packed together)`,
      candidates: best.members
    }
  }
  return {
    blocks: best.plan.blocks,
    description: `packed on the ${best.key} class (${best.members.length} peers), planned utilisation ${best.plan.utilisation.toFixed(4)}`,
    candidates: best.members
  }
}

/**
 * tessera's plan of one class: each layer packed on its own tiles. A tile that holds blocks of several layers is
 * called once per layer, and each call is an MVM over the tile's whole extent: packing the leftovers of three
 * layers into one tile cost four whole-tile MVMs per request on the demo's networks (1.26× the work of the
 * weights alone). Apart, a layer's leftover tile is called over its own extent only (1.02×); the tile or two it
 * costs are won back by tessera's replicas of full shards (scheduler policies/tessera-balance.ts). Tiles are
 * numbered on after the previous layers' on each device. Undefined when the class cannot hold the layers apart.
 */
function planLayersApart (job: ModelJob, members: PeerView[]): { blocks: PlannedBlockLike[], utilisation: number } | undefined {
  const free = new Map(members.map((p) => [p.peerId, p.device.tilesFree]))
  const firstTile = new Map<string, number>()
  const blocks: PlannedBlockLike[] = []
  let cellsUsed = 0
  let cellsAllocated = 0
  for (const matrix of matricesOf(job)) {
    let plan
    try {
      plan = planPartition([matrix], plannerDevices(members.map((p) => ({ ...p, device: { ...p.device, tilesFree: free.get(p.peerId) ?? 0 } }))))
    } catch {
      return undefined
    }
    for (const b of plan.blocks) blocks.push({ ...b, tile: (firstTile.get(b.deviceId) ?? 0) + b.tile })
    for (const [deviceId, tiles] of Object.entries(plan.tilesPerDevice)) {
      firstTile.set(deviceId, (firstTile.get(deviceId) ?? 0) + tiles)
      free.set(deviceId, (free.get(deviceId) ?? 0) - tiles)
    }
    cellsUsed += plan.cellsUsed
    cellsAllocated += plan.cellsAllocated
  }
  return { blocks, utilisation: cellsAllocated > 0 ? cellsUsed / cellsAllocated : 1 }
}

function planAll (job: ModelJob, peers: PeerView[]): BlockPlan {
  // Policies that do not know tile geometry must be able to put any shard on any peer: plan every device as if
  // it had the smallest tiles found (a shard on a larger tile wastes the rest of it, which the metrics show).
  const rows = Math.min(...peers.map((p) => p.device.geometry.rows))
  const cols = Math.min(...peers.map((p) => p.device.geometry.cols))
  const devices = plannerDevices(peers).map((d) => ({ ...d, geometry: { rows, cols } }))
  let plan
  try {
    plan = planPartition(matricesOf(job), devices)
  } catch (err) {
    throw new PlacementFailedError(`the peers found cannot hold the job: ${(err as Error).message}`)
  }
  return { blocks: plan.blocks, description: `planner over all ${peers.length} peers at the smallest tiles (${rows}×${cols}), packing ${plan.utilisation.toFixed(4)}`, candidates: peers }
}

/** Options of {@link planJob}. */
export interface PlanJobOptions {
  /** Input vectors per shard call (the request batch). */
  batch: number
}

/** Plans `job` on `peers` the way `policy` would. Throws {@link PlacementFailedError} when it cannot fit. */
export function planJob (job: ModelJob, peers: PeerView[], policy: string, options: PlanJobOptions): JobPlan {
  if (peers.length === 0) throw new PlacementFailedError('no peers to plan on')
  const blockPlan = policy === 'ray-like' ? planGrid(job, peers) : policy === 'tessera' ? planByClass(job, peers) : planAll(job, peers)
  const sensitivity = Object.fromEntries(job.layers.map((l) => [l.id, l.sensitivity]))
  const planned = shardsFromPlan({ blocks: blockPlan.blocks }, { sensitivity, batch: options.batch })
  const blocks = planned.blocks
  // The coordinator knows how it will call each shard: once per call group per request, each call a whole-tile
  // MVM of the shard's extent, moving the extent's rows in and columns out.
  const shards = planned.shards.map((shard) => {
    const calls = groupCalls(blocks.get(shard.id) ?? []).length
    const { rows, cols } = shard.geometry
    return { ...shard, expectedLoad: calls, macsPerRequest: rows * cols * options.batch, requestBytes: (rows + cols) * options.batch * 4 }
  })
  const layers = new Map(job.layers.map((l) => [l.id, l]))
  const weights = new Map<string, { rows: number, cols: number, values: Float32Array }>()
  for (const shard of shards) {
    const { rows, cols } = shard.geometry
    const values = new Float32Array(rows * cols)
    for (const b of blocks.get(shard.id) ?? []) {
      const layer = layers.get(b.matrixId)
      if (layer === undefined) throw new PlacementFailedError(`plan names an unknown matrix ${b.matrixId}`)
      for (let r = 0; r < b.rows; r++) {
        const src = (b.matrixRow + r) * layer.outputs + b.matrixCol
        values.set(layer.weights.subarray(src, src + b.cols), (b.rowOffset + r) * cols + b.colOffset)
      }
    }
    weights.set(shard.id, { rows, cols, values })
  }
  const weightCells = job.layers.reduce((sum, l) => sum + l.inputs * l.outputs, 0)
  return { shards, blocks, weights, candidates: blockPlan.candidates, weightCells, description: blockPlan.description }
}

/**
 * The shards a policy places for `plan`: `replicas` copies wanted, and room for a copy on every candidate peer
 * (`maxReplicas`) for a policy that splits a shard's calls among copies (tessera's speed-proportional
 * replication); the baselines place `replicas`.
 */
export function shardsToPlace (plan: Pick<JobPlan, 'shards' | 'candidates'>, replicas: number): ShardSpec[] {
  return plan.shards.map((s) => ({ ...s, replicas, maxReplicas: Math.max(replicas, plan.candidates.length) }))
}

/**
 * A shard's spec once placed on `copies` peers: the copies the policy chose are the copies wanted, so the
 * reconfiguration loop restores them when one is lost and does not evict them as surplus.
 */
export function placedSpec (spec: ShardSpec, copies: number): ShardSpec {
  return { ...spec, replicas: Math.max(spec.replicas ?? 1, copies) }
}
