/**
 * The partition plan's invariant, checked independently of how the planner built the plan: every weight of
 * every matrix is placed exactly once, every block lies inside its tile, no two blocks of a tile overlap, no
 * device gets more tiles than it has free, and the plan's accounting (tiles, cells, utilisation) adds up.
 */

import { InvalidPlanError } from './errors.js'
import type { MatrixSpec, PartitionPlan, PlannedBlock, PlannerDevice } from './planner.js'

interface Rect {
  r0: number
  c0: number
  rows: number
  cols: number
}

/**
 * Throws `InvalidPlanError` naming the first broken invariant of `plan` for these matrices and devices.
 */
export function validatePlan (plan: PartitionPlan, matrices: readonly MatrixSpec[], devices: readonly PlannerDevice[]): void {
  const deviceById = new Map(devices.map((d) => [d.id, d]))
  const matrixById = new Map(matrices.map((m) => [m.id, m]))

  let tiles = 0
  let cellsAllocated = 0
  for (const [deviceId, count] of Object.entries(plan.tilesPerDevice)) {
    const device = deviceById.get(deviceId)
    if (device === undefined) throw new InvalidPlanError(`plan allocates tiles on unknown device ${deviceId}`)
    if (!Number.isInteger(count) || count < 1) throw new InvalidPlanError(`plan allocates ${count} tiles on device ${deviceId}`)
    if (count > device.freeTiles) throw new InvalidPlanError(`plan allocates ${count} tiles on device ${deviceId}, which has ${device.freeTiles} free`)
    tiles += count
    cellsAllocated += count * device.geometry.rows * device.geometry.cols
  }

  const perTile = new Map<string, Rect[]>()
  const perMatrix = new Map<string, Rect[]>()
  for (const block of plan.blocks) {
    const device = deviceById.get(block.deviceId)
    const matrix = matrixById.get(block.matrixId)
    if (device === undefined) throw new InvalidPlanError(`a block names unknown device ${block.deviceId}`)
    if (matrix === undefined) throw new InvalidPlanError(`a block names unknown matrix ${block.matrixId}`)
    const tileCount = plan.tilesPerDevice[block.deviceId] ?? 0
    if (!Number.isInteger(block.tile) || block.tile < 0 || block.tile >= tileCount) throw new InvalidPlanError(`block ${describe(block)} uses tile ${block.tile} of ${tileCount} allocated on ${block.deviceId}`)
    if (!isNonNegativeInteger(block.rowOffset) || !isNonNegativeInteger(block.colOffset) || !isNonNegativeInteger(block.matrixRow) || !isNonNegativeInteger(block.matrixCol) || !(Number.isInteger(block.rows) && block.rows > 0) || !(Number.isInteger(block.cols) && block.cols > 0)) {
      throw new InvalidPlanError(`block ${describe(block)} has a non-integer, negative or empty coordinate`)
    }
    if (block.rowOffset + block.rows > device.geometry.rows || block.colOffset + block.cols > device.geometry.cols) throw new InvalidPlanError(`block ${describe(block)} leaves its ${device.geometry.rows}×${device.geometry.cols} tile`)
    if (block.matrixRow + block.rows > matrix.rows || block.matrixCol + block.cols > matrix.cols) throw new InvalidPlanError(`block ${describe(block)} leaves its ${matrix.rows}×${matrix.cols} matrix`)
    const tileKey = `${block.deviceId}\u0000${block.tile}`
    push(perTile, tileKey, { r0: block.rowOffset, c0: block.colOffset, rows: block.rows, cols: block.cols })
    push(perMatrix, block.matrixId, { r0: block.matrixRow, c0: block.matrixCol, rows: block.rows, cols: block.cols })
  }

  for (const [deviceId, count] of Object.entries(plan.tilesPerDevice)) {
    for (let t = 0; t < count; t++) {
      if (!perTile.has(`${deviceId}\u0000${t}`)) throw new InvalidPlanError(`tile ${t} of device ${deviceId} is allocated but holds no block`)
    }
  }
  for (const [key, rects] of perTile) {
    const clash = findOverlap(rects)
    if (clash !== undefined) throw new InvalidPlanError(`two blocks overlap in tile ${key.replace('\u0000', '#')}: ${clash}`)
  }
  // Blocks inside the matrix that do not overlap and whose areas add up to the matrix's cover it exactly.
  let cellsUsed = 0
  for (const matrix of matrices) {
    const rects = perMatrix.get(matrix.id) ?? []
    const area = rects.reduce((sum, r) => sum + r.rows * r.cols, 0)
    if (area !== matrix.rows * matrix.cols) throw new InvalidPlanError(`blocks of matrix ${matrix.id} hold ${area} cells, the matrix has ${matrix.rows * matrix.cols}`)
    const clash = findOverlap(rects)
    if (clash !== undefined) throw new InvalidPlanError(`matrix ${matrix.id} has a weight placed twice: ${clash}`)
    cellsUsed += area
  }

  if (plan.tiles !== tiles) throw new InvalidPlanError(`plan reports ${plan.tiles} tiles, its devices add up to ${tiles}`)
  if (plan.cellsUsed !== cellsUsed) throw new InvalidPlanError(`plan reports ${plan.cellsUsed} cells used, its blocks hold ${cellsUsed}`)
  if (plan.cellsAllocated !== cellsAllocated) throw new InvalidPlanError(`plan reports ${plan.cellsAllocated} cells allocated, its tiles have ${cellsAllocated}`)
  const utilisation = cellsAllocated === 0 ? 1 : cellsUsed / cellsAllocated
  if (plan.utilisation !== utilisation) throw new InvalidPlanError(`plan reports utilisation ${plan.utilisation}, its cells give ${utilisation}`)
}

function push (map: Map<string, Rect[]>, key: string, rect: Rect): void {
  const list = map.get(key)
  if (list === undefined) map.set(key, [rect])
  else list.push(rect)
}

/** Sweep over rectangles sorted by first row: only rectangles whose row ranges intersect are compared. */
function findOverlap (rects: Rect[]): string | undefined {
  const sorted = [...rects].sort((a, b) => a.r0 - b.r0 || a.c0 - b.c0)
  for (let i = 0; i < sorted.length; i++) {
    const a = sorted[i]
    for (let j = i + 1; j < sorted.length && sorted[j].r0 < a.r0 + a.rows; j++) {
      const b = sorted[j]
      if (b.c0 < a.c0 + a.cols && a.c0 < b.c0 + b.cols) return `${a.rows}×${a.cols}@(${a.r0},${a.c0}) and ${b.rows}×${b.cols}@(${b.r0},${b.c0})`
    }
  }
  return undefined
}

function isNonNegativeInteger (value: number): boolean {
  return Number.isInteger(value) && value >= 0
}

function describe (block: PlannedBlock): string {
  return `${block.matrixId}[${block.matrixRow}+${block.rows}, ${block.matrixCol}+${block.cols}]`
}
