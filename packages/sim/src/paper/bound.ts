/**
 * An upper bound on the request throughput any placement can reach on a scenario's network, from the capacities
 * the scenario declares: each node's emulated compute rate less its background load, the tiles it can lend, the
 * relay's data limit for relayed nodes, and — for a closed-loop stream — the requests in flight against the
 * least time a batch can take given the network delays. It is a linear program solved by HiGHS (the `highs`
 * package, HiGHS compiled to WebAssembly). docs/paper-bound.md states the formulation and why every constraint
 * holds for every policy; this module is pure: the same input gives the same bound.
 */
import { createRequire } from 'node:module'
import type { Highs } from 'highs'
import { ThroughputBoundError } from './errors.js'

/** What the bound reads of one node. */
export interface BoundNode {
  id: string
  /** Compute rate, MAC/s (the emulated cap of the node's executor). */
  macsPerSecond: number
  /** Fraction 0 … 1 of the device's time taken by other work (default 0). */
  backgroundLoad?: number
  tiles: number
  /** Square tile side. */
  geometry: number
  /** Emulated one-way delay to the coordinator, ms. */
  delayMs: number
  /** Reachable only through the relay: every weight it holds crosses the relay's data limit. */
  relayed?: boolean
}

/** One weight matrix of the job (crossbar orientation: rows = inputs). */
export interface BoundLayer {
  id: string
  inputs: number
  outputs: number
}

/** Input of {@link throughputBound}. */
export interface ThroughputBoundInput {
  nodes: readonly BoundNode[]
  layers: readonly BoundLayer[]
  /** Bytes a relayed connection may carry (the relay's data limit); absent: no limit on relayed nodes. */
  relayDataBytes?: number
  /** Bytes per uploaded weight (default 4, float32). */
  bytesPerWeight?: number
  /**
   * A closed-loop stream: `batchSize × batchesInFlight` requests in flight at once. Without it the stream is
   * open loop and only the capacity constraints bound it.
   */
  closedLoop?: { batchSize: number, batchesInFlight: number }
}

/** The bound and what limits it. */
export interface ThroughputBound {
  /** min(capacity bound, concurrency bound), requests/s. */
  upperBoundRps: number
  /** Optimum of the linear program without the concurrency constraint, requests/s. */
  capacityBoundRps: number
  /** Requests in flight ÷ least batch time (closed loop only), requests/s. */
  concurrencyBoundRps: number | null
  /** Least time one batch can take through every layer, ms (closed loop only). */
  leastBatchMs: number | null
  /** Which constraint family binds. */
  binding: 'capacity' | 'concurrency'
  /** Node id → MAC/s of the job's work the optimum puts on it. */
  macsPerSecondByNode: Record<string, number>
  /** Node id → tiles the bound counts as lendable (a node with background load keeps one for it). */
  tilesByNode: Record<string, number>
}

/** MAC/s per LP unit: keeps the program's coefficients near 1 (rates are ~10⁶–10⁸ MAC/s). */
const MACS_UNIT = 1e6
const DEFAULT_BYTES_PER_WEIGHT = 4

/** Tiles a node can lend to the job: the background loader holds one tile of its own. */
export function lendableTiles (node: BoundNode): number {
  return Math.max(0, node.tiles - ((node.backgroundLoad ?? 0) > 0 ? 1 : 0))
}

/** Weight cells a node can hold for the job: lendable tiles × tile cells, capped by the relay's data limit. */
export function holdableCells (node: BoundNode, relayDataBytes: number | undefined, bytesPerWeight: number): number {
  const cells = lendableTiles(node) * node.geometry * node.geometry
  if (node.relayed === true && relayDataBytes !== undefined) return Math.min(cells, Math.floor(relayDataBytes / bytesPerWeight))
  return cells
}

function check (input: ThroughputBoundInput): void {
  if (input.nodes.length === 0) throw new ThroughputBoundError('no nodes')
  if (input.layers.length === 0) throw new ThroughputBoundError('no layers')
  for (const n of input.nodes) {
    if (!(n.macsPerSecond > 0 && Number.isFinite(n.macsPerSecond))) throw new ThroughputBoundError(`node ${n.id}: macsPerSecond must be positive`)
    const b = n.backgroundLoad ?? 0
    if (!(b >= 0 && b < 1)) throw new ThroughputBoundError(`node ${n.id}: backgroundLoad must be in [0, 1)`)
    if (!(Number.isSafeInteger(n.tiles) && n.tiles >= 0 && Number.isSafeInteger(n.geometry) && n.geometry > 0)) throw new ThroughputBoundError(`node ${n.id}: bad tiles or geometry`)
    if (!(n.delayMs >= 0)) throw new ThroughputBoundError(`node ${n.id}: delayMs must be non-negative`)
  }
  for (const l of input.layers) {
    if (!(Number.isSafeInteger(l.inputs) && l.inputs > 0 && Number.isSafeInteger(l.outputs) && l.outputs > 0)) throw new ThroughputBoundError(`layer ${l.id}: bad shape`)
  }
  const c = input.closedLoop
  if (c !== undefined && !(Number.isSafeInteger(c.batchSize) && c.batchSize > 0 && Number.isSafeInteger(c.batchesInFlight) && c.batchesInFlight > 0)) {
    throw new ThroughputBoundError('closedLoop: batchSize and batchesInFlight must be positive integers')
  }
}

/**
 * The linear program in CPLEX LP format. Variables: `lambda` (requests/s) and `v_l_p` (MAC/s ÷ 10⁶ of layer l's
 * weights computed on node p). See docs/paper-bound.md.
 */
export function boundProgram (input: ThroughputBoundInput): string {
  const bytesPerWeight = input.bytesPerWeight ?? DEFAULT_BYTES_PER_WEIGHT
  const rows: string[] = []
  const num = (x: number): string => {
    const s = x.toPrecision(15)
    return s.includes('e') ? Number(s).toExponential(14) : s
  }
  const v = (l: number, p: number): string => `v_${l}_${p}`
  input.layers.forEach((layer, l) => {
    const cells = layer.inputs * layer.outputs / MACS_UNIT
    // Every request multiplies every weight of the layer at least once (padding only adds work).
    rows.push(` work_${l}: ${input.nodes.map((_, p) => v(l, p)).join(' + ')} - ${num(cells)} lambda >= 0`)
    // A node computes each weight it holds at most once per request: at most one whole layer's worth.
    input.nodes.forEach((_, p) => { rows.push(` layer_${l}_${p}: ${v(l, p)} - ${num(cells)} lambda <= 0`) })
  })
  input.nodes.forEach((node, p) => {
    const all = input.layers.map((_, l) => v(l, p)).join(' + ')
    rows.push(` compute_${p}: ${all} <= ${num(node.macsPerSecond * (1 - (node.backgroundLoad ?? 0)) / MACS_UNIT)}`)
    // The weights a node serves per request are weights it holds, and it holds at most its lendable cells.
    rows.push(` hold_${p}: ${all} - ${num(holdableCells(node, input.relayDataBytes, bytesPerWeight) / MACS_UNIT)} lambda <= 0`)
  })
  return ['Maximize', ' obj: lambda', 'Subject To', ...rows, 'End'].join('\n')
}

/** Least time one batch can take, ms: per layer, the larger of the shortest round trip and the layer's MACs at every node's full rate. */
export function leastBatchMs (input: ThroughputBoundInput, batchSize: number): number {
  const shortestRoundTripMs = Math.min(...input.nodes.map((n) => 2 * n.delayMs))
  const totalRate = input.nodes.reduce((sum, n) => sum + n.macsPerSecond * (1 - (n.backgroundLoad ?? 0)), 0)
  return input.layers.reduce((sum, l) => sum + Math.max(shortestRoundTripMs, (l.inputs * l.outputs * batchSize / totalRate) * 1000), 0)
}

/**
 * HiGHS's loader from the package's CommonJS build, whose `module.exports` is the loader: its type declarations
 * are CommonJS, so an ES default import would be typed as the whole module and fail to type-check.
 */
const loadHighs = createRequire(import.meta.url)('highs') as () => Promise<Highs>
let highsPromise: Promise<Highs> | undefined

/** Solves the bound's linear program with HiGHS. Throws {@link ThroughputBoundError} on bad input or a failed solve. */
export async function throughputBound (input: ThroughputBoundInput): Promise<ThroughputBound> {
  check(input)
  highsPromise ??= loadHighs()
  const highs = await highsPromise
  const program = boundProgram(input)
  let solution
  try {
    solution = highs.solve(program, { output_flag: false })
  } catch (err) {
    throw new ThroughputBoundError('HiGHS could not solve the bound program', { cause: err })
  }
  if (solution.Status !== 'Optimal') throw new ThroughputBoundError(`HiGHS ended with status ${solution.Status}`)
  const capacityBoundRps = solution.Columns.lambda.Primal
  const macsPerSecondByNode: Record<string, number> = {}
  input.nodes.forEach((node, p) => {
    macsPerSecondByNode[node.id] = input.layers.reduce((sum, _, l) => sum + (solution.Columns[`v_${l}_${p}`]?.Primal ?? 0) * MACS_UNIT, 0)
  })
  const tilesByNode = Object.fromEntries(input.nodes.map((n) => [n.id, lendableTiles(n)]))
  if (input.closedLoop === undefined) {
    return { upperBoundRps: capacityBoundRps, capacityBoundRps, concurrencyBoundRps: null, leastBatchMs: null, binding: 'capacity', macsPerSecondByNode, tilesByNode }
  }
  const batchMs = leastBatchMs(input, input.closedLoop.batchSize)
  const concurrencyBoundRps = input.closedLoop.batchSize * input.closedLoop.batchesInFlight / (batchMs / 1000)
  const binding = concurrencyBoundRps < capacityBoundRps ? 'concurrency' : 'capacity'
  return { upperBoundRps: Math.min(capacityBoundRps, concurrencyBoundRps), capacityBoundRps, concurrencyBoundRps, leastBatchMs: batchMs, binding, macsPerSecondByNode, tilesByNode }
}
