/**
 * Planned matrices on tile pools: programs every block of a partition plan into the pool of its device and
 * runs a matrix's MVM as the digital sum of its blocks' partial results.
 *
 * A block holds rows `matrixRow …` (inputs) and columns `matrixCol …` (outputs) of its matrix; executing it
 * needs the slice of each input vector on those rows and yields a partial sum for those columns. Blocks that
 * share output columns (a matrix taller than a tile, or cut rows) add their partial sums digitally, as the
 * periphery of a real crossbar accelerator does.
 */

import { InsufficientCapacityError, InvalidPlanError, ShapeMismatchError, UnknownHandleError } from './errors.js'
import type { ExecuteOptions, ExecuteStats } from './physics-block.js'
import type { PartitionPlan, PlannedBlock } from './planner.js'
import type { BlockHandle } from './tile.js'
import { copySubmatrix } from './submatrix.js'
import type { TilePool } from './tile-pool.js'

/** Matrices of a plan, programmed into tile pools. */
export interface PlannedMatrices {
  /** The plan the matrices were programmed from. */
  readonly plan: PartitionPlan
  /** Pool tile ids allocated per device, indexed by the plan-local tile index. */
  readonly tileIds: Readonly<Record<string, readonly number[]>>
  /**
   * `out = x · W` for `batch` input vectors of matrix `matrixId` (`x`: `batch × rows`, `out`: `batch × cols`,
   * row-major, crossbar orientation). Returns the summed device cost of every block's execution (device time
   * as if the blocks ran one after another).
   * @throws UnknownHandleError, ShapeMismatchError, and the pools' execute errors
   */
  mvm (matrixId: string, x: Float32Array, batch: number, out: Float32Array, options?: ExecuteOptions): ExecuteStats
  /** Frees every tile the matrices hold. Calling it again does nothing. */
  release (): void
}

interface ProgrammedBlock {
  block: PlannedBlock
  pool: TilePool
  handle: BlockHandle
}

/**
 * Programs every block of `plan` into `pools[block.deviceId]`, allocating one pool tile per plan-local tile.
 * `weights[matrixId]` is the matrix in crossbar orientation (`rows × cols`, row-major). Each block's
 * programming seed is derived from `seed`, the matrix id and the block's position, so the same plan, weights
 * and seed program the same devices on every machine. If anything fails, the tiles allocated so far are freed.
 *
 * @example
 * ```ts
 * const plan = planPartition([{ id: 'fc', rows: 784, cols: 256 }], [{ id: 'a', geometry: { rows: 256, cols: 256 }, freeTiles: 4 }])
 * const pool = createTilePool({ profile: createDeviceProfile('pcm'), tiles: 4 })
 * const planned = programPlannedMatrices(plan, { fc: weights }, { a: pool }, 7)
 * planned.mvm('fc', x, batch, out, { tSeconds: 3600 })
 * planned.release()
 * ```
 *
 * @throws ShapeMismatchError when a weight array does not have `rows × cols` values
 * @throws InvalidPlanError when a planned matrix has no weights, or a planned device has no pool or its pool has
 *   another tile geometry
 * @throws InsufficientCapacityError when a pool has fewer free tiles than the plan allocates on it
 */
export function programPlannedMatrices (plan: PartitionPlan, weights: Readonly<Record<string, Float32Array>>, pools: Readonly<Record<string, TilePool>>, seed: number | string): PlannedMatrices {
  for (const [id, shape] of Object.entries(plan.matrices)) {
    const values = Object.hasOwn(weights, id) ? weights[id] : undefined
    if (values === undefined) throw new InvalidPlanError(`no weights given for planned matrix ${id}`)
    if (values.length !== shape.rows * shape.cols) throw new ShapeMismatchError(`weights of ${id} have ${values.length} values, ${shape.rows}×${shape.cols} needs ${shape.rows * shape.cols}`)
  }
  for (const [deviceId, count] of Object.entries(plan.tilesPerDevice)) {
    const pool = Object.hasOwn(pools, deviceId) ? pools[deviceId] : undefined
    if (pool === undefined) throw new InvalidPlanError(`no tile pool given for planned device ${deviceId}`)
    const planned = plan.geometries[deviceId]
    const actual = pool.profile.geometry
    if (planned === undefined || planned.rows !== actual.rows || planned.cols !== actual.cols) {
      throw new InvalidPlanError(`device ${deviceId} was planned with ${planned?.rows}×${planned?.cols} tiles, its pool has ${actual.rows}×${actual.cols}`)
    }
    if (pool.tilesFree() < count) throw new InsufficientCapacityError(`the plan needs ${count} tiles on device ${deviceId}, its pool has ${pool.tilesFree()} free`)
  }

  const tileIds: Record<string, number[]> = {}
  const release = (): void => {
    for (const [deviceId, ids] of Object.entries(tileIds)) {
      for (const id of ids) pools[deviceId].freeTile(id)
    }
    for (const deviceId of Object.keys(tileIds)) delete tileIds[deviceId]
  }

  const byMatrix = new Map<string, ProgrammedBlock[]>()
  for (const id of Object.keys(plan.matrices)) byMatrix.set(id, [])
  let maxBlockRows = 0
  let maxBlockCols = 0
  try {
    for (const [deviceId, count] of Object.entries(plan.tilesPerDevice)) {
      const ids: number[] = []
      tileIds[deviceId] = ids
      for (let t = 0; t < count; t++) ids.push(pools[deviceId].allocateTile())
    }
    for (const block of plan.blocks) {
      const shape = plan.matrices[block.matrixId]
      const list = byMatrix.get(block.matrixId)
      if (shape === undefined || list === undefined) throw new InvalidPlanError(`a block names matrix ${block.matrixId}, which the plan does not list`)
      const pool = pools[block.deviceId]
      const tileId = tileIds[block.deviceId]?.[block.tile]
      if (pool === undefined || tileId === undefined) throw new InvalidPlanError(`a block names tile ${block.tile} of device ${block.deviceId}, which the plan does not allocate`)
      const handle = pool.programBlock(tileId, {
        weights: copySubmatrix(weights[block.matrixId], shape.cols, { row: block.matrixRow, col: block.matrixCol, rows: block.rows, cols: block.cols }),
        rows: block.rows,
        cols: block.cols,
        rowOffset: block.rowOffset,
        colOffset: block.colOffset,
        seed: `${seed}/${block.matrixId}/${block.matrixRow}/${block.matrixCol}`
      })
      list.push({ block, pool, handle })
      maxBlockRows = Math.max(maxBlockRows, block.rows)
      maxBlockCols = Math.max(maxBlockCols, block.cols)
    }
  } catch (err) {
    release()
    throw err
  }

  let released = false
  // Scratch for one block's input slice and partial sums, grown to the largest batch seen.
  let xs = new Float32Array(0)
  let ys = new Float32Array(0)

  return {
    plan,
    tileIds,
    mvm (matrixId, x, batch, out, options) {
      const blocks = byMatrix.get(matrixId)
      const shape = Object.hasOwn(plan.matrices, matrixId) ? plan.matrices[matrixId] : undefined
      if (blocks === undefined || shape === undefined) throw new UnknownHandleError(`matrix ${matrixId} is not part of the plan`)
      if (released) throw new UnknownHandleError(`matrix ${matrixId} was released`)
      if (!Number.isInteger(batch) || batch < 1) throw new ShapeMismatchError(`batch must be a positive integer, got ${batch}`)
      const { rows, cols } = shape
      if (x.length < batch * rows) throw new ShapeMismatchError(`input has ${x.length} values, batch ${batch}×${rows} needs ${batch * rows}`)
      if (out.length < batch * cols) throw new ShapeMismatchError(`output has ${out.length} values, batch ${batch}×${cols} needs ${batch * cols}`)
      if (xs.length < batch * maxBlockRows) xs = new Float32Array(batch * maxBlockRows)
      if (ys.length < batch * maxBlockCols) ys = new Float32Array(batch * maxBlockCols)

      out.fill(0, 0, batch * cols)
      const total: ExecuteStats = { deviceTimeNs: 0, energyPj: 0, macs: 0 }
      for (const { block, pool, handle } of blocks) {
        const br = block.rows
        const bc = block.cols
        for (let b = 0; b < batch; b++) {
          const from = b * rows + block.matrixRow
          const to = b * br
          for (let i = 0; i < br; i++) xs[to + i] = x[from + i]
        }
        const stats = pool.execute(handle, xs, batch, ys, options)
        for (let b = 0; b < batch; b++) {
          const outBase = b * cols + block.matrixCol
          const yBase = b * bc
          for (let j = 0; j < bc; j++) out[outBase + j] += ys[yBase + j]
        }
        total.deviceTimeNs += stats.deviceTimeNs
        total.energyPj += stats.energyPj
        total.macs += stats.macs
      }
      return total
    },
    release () {
      if (released) return
      released = true
      release()
    }
  }
}
