/**
 * The memory-guided, device-aware partition planner: cuts crossbar matrices into blocks that fit the tiles of
 * the devices a coordinator found (their geometry and free tiles come from the memory layer's capacity
 * records) and packs several blocks into one tile wherever rows and columns allow, so that almost every
 * allocated cell holds a weight.
 *
 * Matrices are taken in order of decreasing `sensitivity` and devices in order of increasing `noiseLevel`;
 * each device receives a contiguous share of that queue, so sensitive matrices land on low-noise devices.
 * A matrix that straddles two shares is split between the two devices (the executor adds the partial sums).
 */

import { DEFAULT_PLANNER_MIN_CUT_CELLS, PLANNER_MIN_CUT_TILE_DIVISOR } from './constants.js'
import { InsufficientCapacityError, InvalidCrossbarOptionError, InvalidPlanError } from './errors.js'
import { packRegions } from './planner-packing.js'
import type { MatrixRegion, PackedBlock, PackOptions } from './planner-packing.js'
import type { TileGeometry } from './profile-types.js'

/** A device (a node's tile pool) the planner may place blocks on. */
export interface PlannerDevice {
  /** Unique id, e.g. a peer id or `peerId/pool`. */
  id: string
  /** Tile size of the device. */
  geometry: TileGeometry
  /** Tiles the device can still allocate. */
  freeTiles: number
  /** The device profile's `noiseLevel` (expected relative MVM error at t = 1 s; default 0). */
  noiseLevel?: number
}

/** A matrix to place, in crossbar orientation: `rows` = inputs, `cols` = outputs. */
export interface MatrixSpec {
  /** Unique id, e.g. `layer3.conv2`. */
  id: string
  rows: number
  cols: number
  /** 0 … 1 (default 0): matrices with higher sensitivity are steered to devices with lower noise. */
  sensitivity?: number
}

/** One block of a matrix placed on one tile. */
export interface PlannedBlock {
  matrixId: string
  /** First matrix row (input) and column (output) the block holds. */
  matrixRow: number
  matrixCol: number
  rows: number
  cols: number
  deviceId: string
  /** Plan-local tile index on that device, `0 … tilesPerDevice[deviceId] − 1`. */
  tile: number
  /** Position of the block's top-left cell in the tile. */
  rowOffset: number
  colOffset: number
}

/** A complete placement of a set of matrices. */
export interface PartitionPlan {
  /** Blocks ordered by device (in planning order), tile, then position. */
  blocks: PlannedBlock[]
  /** Tiles to allocate per device (devices that receive nothing are absent). */
  tilesPerDevice: Record<string, number>
  /** Total tiles to allocate. */
  tiles: number
  /** Cells holding a weight (= the sum of the matrices' sizes). */
  cellsUsed: number
  /** Cells of the allocated tiles. */
  cellsAllocated: number
  /** `cellsUsed / cellsAllocated` (1 when nothing is allocated). */
  utilisation: number
  /** Geometry of every device that receives tiles, so the plan can be checked and programmed on its own. */
  geometries: Record<string, TileGeometry>
  /** Shapes of the planned matrices. */
  matrices: Record<string, { rows: number, cols: number }>
}

/** How devices share the work. */
export type PlannerStrategy = 'balanced' | 'fill'

/** Options of `planPartition`; every field is optional. */
export interface PlanOptions {
  /**
   * `balanced` (default): every device receives a share of the weights in proportion to its free cells, so the
   * load spreads over all listed devices. `fill`: devices are filled to their free tiles one after another in
   * noise order, so as few devices as possible are used.
   */
  strategy?: PlannerStrategy
  /**
   * Cut ragged blocks to fill gaps that no whole block fits (default true). With `false` the planner only
   * packs the blocks of the tile grid (2-D bin packing without cuts), which wastes more cells.
   */
  splitRagged?: boolean
  /**
   * Gaps thinner than this many rows or columns stay empty instead of receiving a cut sliver (default: the
   * larger of 4 and the tile's shorter side ÷ 32, see `DEFAULT_PLANNER_MIN_CUT_CELLS`).
   */
  minCutCells?: number
}

interface DeviceState {
  device: PlannerDevice
  order: number
  tiles: number
  blocks: PackedBlock[]
}

interface DeviceGroup {
  geometry: TileGeometry
  /** Devices of this geometry, quietest first. */
  states: DeviceState[]
  /** Tiles × tile cells ÷ weight cells of a trial packing of all matrices on this geometry (≥ 1). */
  overhead: number
  packOptions: PackOptions
}

/**
 * Plans the placement of `matrices` on `devices`.
 *
 * @example
 * ```ts
 * const plan = planPartition(
 *   [{ id: 'fc1', rows: 784, cols: 256 }, { id: 'fc2', rows: 256, cols: 10, sensitivity: 1 }],
 *   [{ id: 'a', geometry: { rows: 256, cols: 256 }, freeTiles: 8, noiseLevel: 0.02 },
 *    { id: 'b', geometry: { rows: 128, cols: 128 }, freeTiles: 16, noiseLevel: 0.05 }]
 * )
 * plan.utilisation // cells holding weights ÷ cells of allocated tiles
 * ```
 *
 * @throws InvalidPlanError when a matrix has an empty or duplicate id, a zero, negative or non-integer dimension
 *   or a sensitivity outside 0 … 1, or a device has an empty or duplicate id, a bad geometry, a negative or
 *   non-integer `freeTiles` or a negative or non-finite `noiseLevel`
 * @throws InsufficientCapacityError when the devices' free tiles cannot hold the matrices
 * @throws InvalidCrossbarOptionError when `strategy` or `minCutCells` is not valid
 */
export function planPartition (matrices: readonly MatrixSpec[], devices: readonly PlannerDevice[], options: PlanOptions = {}): PartitionPlan {
  validateMatrices(matrices)
  validateDevices(devices)
  const strategy = options.strategy ?? 'balanced'
  if (strategy !== 'balanced' && strategy !== 'fill') throw new InvalidCrossbarOptionError(`unknown planner strategy ${String(strategy)}`)
  const minCutCells = options.minCutCells
  if (minCutCells !== undefined && (!Number.isInteger(minCutCells) || minCutCells < 1)) throw new InvalidCrossbarOptionError(`minCutCells must be a positive integer, got ${minCutCells}`)
  const allowCut = options.splitRagged ?? true

  // Sensitive matrices first; noisy devices last. Both sorts are stable, so equal keys keep the caller's order.
  const ordered = matrices.map((spec, index) => ({ spec, index })).sort((a, b) => (b.spec.sensitivity ?? 0) - (a.spec.sensitivity ?? 0) || a.index - b.index)
  const states: DeviceState[] = devices
    .map((device, order) => ({ device, order, tiles: 0, blocks: [] }))
    .filter((state) => state.device.freeTiles > 0)
    .sort((a, b) => (a.device.noiseLevel ?? 0) - (b.device.noiseLevel ?? 0) || a.order - b.order)

  const cellsUsed = matrices.reduce((sum, m) => sum + m.rows * m.cols, 0)
  const capacityCells = states.reduce((sum, s) => sum + s.device.freeTiles * cellsPerTile(s.device), 0)
  if (cellsUsed > capacityCells) {
    throw new InsufficientCapacityError(`the matrices need ${cellsUsed} cells, the devices have ${capacityCells} free`)
  }

  let queue: MatrixRegion[] = ordered.map(({ spec }, matrixIndex) => ({ matrixIndex, row: 0, col: 0, rows: spec.rows, cols: spec.cols }))
  // Devices of one geometry are planned together: one packing per group, whose tiles are then dealt out to the
  // group's devices, so only the group's last tile can be partly empty (not the last tile of every device).
  // Groups come in the order of their quietest device.
  const groups: DeviceGroup[] = []
  for (const state of states) {
    const { rows, cols } = state.device.geometry
    const group = groups.find((g) => g.geometry.rows === rows && g.geometry.cols === cols)
    if (group === undefined) {
      const packOptions = { allowCut, minCutCells: minCutCells ?? Math.max(DEFAULT_PLANNER_MIN_CUT_CELLS, Math.floor(Math.min(rows, cols) / PLANNER_MIN_CUT_TILE_DIVISOR)) }
      groups.push({ geometry: { rows, cols }, states: [state], overhead: 1, packOptions })
    }
    else group.states.push(state)
  }
  // Packing wastes a little (more without cuts) depending on the geometry: a trial packing of all matrices per
  // geometry gives the factor by which a group's tiles must exceed the cells it takes.
  if (cellsUsed > 0) {
    for (const group of groups) {
      const trial = packRegions(queue, group.geometry.rows, group.geometry.cols, group.packOptions)
      group.overhead = trial.tiles * group.geometry.rows * group.geometry.cols / cellsUsed
    }
  }
  // First pass: each device gets its share: everything it can hold with `fill`, or a part of the weights in
  // proportion to its free cells with `balanced`, rounded up to whole tiles.
  for (const group of groups) {
    if (queue.length === 0) break
    const budgets = group.states.map((state) => strategy === 'fill'
      ? state.device.freeTiles
      : Math.min(state.device.freeTiles, Math.ceil(cellsUsed * group.overhead * state.device.freeTiles / capacityCells)))
    queue = placeOnGroup(group, queue, budgets)
  }
  // Second pass: what the shares left over goes to any device with tiles to spare, in the same order.
  for (const group of groups) {
    if (queue.length === 0) break
    queue = placeOnGroup(group, queue, group.states.map((state) => state.device.freeTiles - state.tiles))
  }
  if (queue.length > 0) {
    const missing = queue.reduce((sum, r) => sum + r.rows * r.cols, 0)
    throw new InsufficientCapacityError(`${missing} of ${cellsUsed} weights do not fit in the devices' free tiles`)
  }

  const blocks: PlannedBlock[] = []
  const tilesPerDevice: Record<string, number> = {}
  const geometries: Record<string, TileGeometry> = {}
  let tiles = 0
  let cellsAllocated = 0
  for (const state of states) {
    if (state.tiles === 0) continue
    const { id, geometry } = state.device
    tilesPerDevice[id] = state.tiles
    geometries[id] = { rows: geometry.rows, cols: geometry.cols }
    tiles += state.tiles
    cellsAllocated += state.tiles * cellsPerTile(state.device)
    const sorted = [...state.blocks].sort((a, b) => (a.tile - b.tile) || (a.rowOffset - b.rowOffset) || (a.colOffset - b.colOffset))
    for (const b of sorted) {
      blocks.push({ matrixId: ordered[b.matrixIndex].spec.id, matrixRow: b.row, matrixCol: b.col, rows: b.rows, cols: b.cols, deviceId: id, tile: b.tile, rowOffset: b.rowOffset, colOffset: b.colOffset })
    }
  }
  const shapes: Record<string, { rows: number, cols: number }> = {}
  for (const m of matrices) shapes[m.id] = { rows: m.rows, cols: m.cols }
  return { blocks, tilesPerDevice, tiles, cellsUsed, cellsAllocated, utilisation: cellsAllocated === 0 ? 1 : cellsUsed / cellsAllocated, geometries, matrices: shapes }
}

function cellsPerTile (device: PlannerDevice): number {
  return device.geometry.rows * device.geometry.cols
}

/**
 * Places a prefix of `queue` on a group of devices of one geometry, within `budgets[i]` more tiles on device
 * `i`, and returns the rest of the queue. The prefix holds the cells the budgets are expected to hold after
 * packing overhead; when packing still needs more tiles, the prefix shrinks by the excess and is packed
 * again. The packed tiles are dealt out in the order of the most sensitive matrix each holds, so the group's
 * quietest devices receive the most sensitive weights.
 */
function placeOnGroup (group: DeviceGroup, queue: MatrixRegion[], budgets: number[]): MatrixRegion[] {
  const { packOptions } = group
  const budgetTiles = budgets.reduce((sum, b) => sum + Math.max(0, b), 0)
  if (budgetTiles <= 0) return queue
  const { geometry } = group
  const tileCells = geometry.rows * geometry.cols
  let budgetCells = Math.floor(budgetTiles * tileCells / group.overhead)
  while (budgetCells > 0) {
    const { taken, rest } = takeCells(queue, budgetCells, geometry, packOptions.allowCut)
    if (taken.length === 0) return queue
    const packed = packRegions(taken, geometry.rows, geometry.cols, packOptions)
    if (packed.tiles <= budgetTiles) {
      dealTiles(group, packed.blocks, packed.tiles, budgets)
      return rest
    }
    const takenCells = taken.reduce((sum, r) => sum + r.rows * r.cols, 0)
    budgetCells = Math.min(budgetCells, takenCells) - (packed.tiles - budgetTiles) * tileCells
  }
  return queue
}

/** Hands packed tiles to the group's devices in turn, each up to its budget, most sensitive tiles first. */
function dealTiles (group: DeviceGroup, blocks: readonly PackedBlock[], tiles: number, budgets: readonly number[]): void {
  const firstMatrix = new Array<number>(tiles).fill(Number.POSITIVE_INFINITY)
  for (const block of blocks) firstMatrix[block.tile] = Math.min(firstMatrix[block.tile], block.matrixIndex)
  const order = Array.from({ length: tiles }, (_, tile) => tile).sort((a, b) => firstMatrix[a] - firstMatrix[b] || a - b)
  const target = new Array<{ state: DeviceState, tile: number }>(tiles)
  let device = 0
  let dealt = 0
  for (const tile of order) {
    while (dealt >= Math.max(0, budgets[device])) {
      device++
      dealt = 0
    }
    const state = group.states[device]
    target[tile] = { state, tile: state.tiles + dealt }
    dealt++
  }
  for (const block of blocks) {
    const { state, tile } = target[block.tile]
    state.blocks.push({ ...block, tile })
  }
  for (const { state, tile } of target) state.tiles = Math.max(state.tiles, tile + 1)
}

/**
 * Splits `queue` into a prefix of at most `cells` cells and the rest. A region that straddles the limit is
 * cut into whole columns (outputs) or else whole rows, on the tile grid where possible so that the cut adds
 * no ragged blocks; off the grid only when cutting ragged blocks is allowed.
 */
function takeCells (queue: readonly MatrixRegion[], cells: number, geometry: TileGeometry, allowCut: boolean): { taken: MatrixRegion[], rest: MatrixRegion[] } {
  const taken: MatrixRegion[] = []
  let left = cells
  for (let i = 0; i < queue.length; i++) {
    const region = queue[i]
    const area = region.rows * region.cols
    if (area <= left) {
      taken.push(region)
      left -= area
      continue
    }
    const rest = queue.slice(i + 1)
    const cut = straddleCut(region, left, geometry, allowCut)
    if (cut === undefined) {
      rest.unshift(region)
    } else {
      taken.push(cut[0])
      rest.unshift(cut[1])
    }
    return { taken, rest }
  }
  return { taken, rest: [] }
}

/** The largest head of `region` with at most `cells` cells, and the tail; undefined when none is allowed. */
function straddleCut (region: MatrixRegion, cells: number, geometry: TileGeometry, allowCut: boolean): [MatrixRegion, MatrixRegion] | undefined {
  const alignedCols = Math.floor(Math.floor(cells / region.rows) / geometry.cols) * geometry.cols
  const alignedRows = Math.floor(Math.floor(cells / region.cols) / geometry.rows) * geometry.rows
  let cols = alignedCols
  let rows = alignedRows
  if (allowCut && cols === 0 && rows === 0) {
    cols = Math.floor(cells / region.rows)
    rows = Math.floor(cells / region.cols)
  }
  if (cols > 0 && cols * region.rows >= rows * region.cols) {
    return [{ ...region, cols }, { ...region, col: region.col + cols, cols: region.cols - cols }]
  }
  if (rows > 0) {
    return [{ ...region, rows }, { ...region, row: region.row + rows, rows: region.rows - rows }]
  }
  return undefined
}

function validateMatrices (matrices: readonly MatrixSpec[]): void {
  if (!Array.isArray(matrices)) throw new InvalidPlanError('matrices must be an array')
  const seen = new Set<string>()
  for (const m of matrices) {
    if (typeof m?.id !== 'string' || m.id.length === 0) throw new InvalidPlanError('a matrix id must be a non-empty string')
    if (!isPositiveInteger(m.rows) || !isPositiveInteger(m.cols)) throw new InvalidPlanError(`matrix ${m.id} has shape ${String(m.rows)}×${String(m.cols)}; dimensions must be positive integers`)
    if (seen.has(m.id)) throw new InvalidPlanError(`matrix id ${m.id} appears more than once`)
    seen.add(m.id)
    if (m.sensitivity !== undefined && !(m.sensitivity >= 0 && m.sensitivity <= 1)) throw new InvalidPlanError(`matrix ${m.id} has sensitivity ${m.sensitivity}; it must lie in 0 … 1`)
  }
}

function validateDevices (devices: readonly PlannerDevice[]): void {
  if (!Array.isArray(devices)) throw new InvalidPlanError('devices must be an array')
  const seen = new Set<string>()
  for (const d of devices) {
    if (typeof d?.id !== 'string' || d.id.length === 0) throw new InvalidPlanError('a device id must be a non-empty string')
    if (seen.has(d.id)) throw new InvalidPlanError(`device id ${d.id} appears more than once`)
    seen.add(d.id)
    if (!isPositiveInteger(d.geometry?.rows) || !isPositiveInteger(d.geometry?.cols)) throw new InvalidPlanError(`device ${d.id} has tile geometry ${String(d.geometry?.rows)}×${String(d.geometry?.cols)}; dimensions must be positive integers`)
    if (!Number.isInteger(d.freeTiles) || d.freeTiles < 0) throw new InvalidPlanError(`device ${d.id} has freeTiles ${String(d.freeTiles)}; it must be a non-negative integer`)
    if (d.noiseLevel !== undefined && !(Number.isFinite(d.noiseLevel) && d.noiseLevel >= 0)) throw new InvalidPlanError(`device ${d.id} has noiseLevel ${String(d.noiseLevel)}; it must be finite and non-negative`)
  }
}

function isPositiveInteger (value: unknown): value is number {
  return Number.isInteger(value) && (value as number) > 0
}
