/**
 * A node's pool of crossbar tiles: allocate tiles, program weight blocks onto them once (weight-stationary),
 * run batched MVMs on the blocks, release blocks and free tiles.
 */
import { InsufficientCapacityError, InvalidCrossbarOptionError, KernelUnavailableError, ShapeMismatchError, UnknownHandleError } from './errors.js'
import type { MvmKernel } from './kernel.js'
import { programAnalogBlock } from './physics-block.js'
import type { ExecuteOptions, ExecuteStats } from './physics-block.js'
import { validateDeviceProfile } from './profiles.js'
import type { DeviceProfile } from './profile-types.js'
import { createReferenceKernel } from './reference-kernel.js'
import { createTile } from './tile.js'
import type { BlockHandle, Tile, TileBlock } from './tile.js'
import { createWasmKernelSync } from './wasm-kernel.js'

/** Options of `createTilePool`. */
export interface TilePoolInit {
  /** The device every tile of the pool is made of. */
  profile: DeviceProfile
  /** Number of tiles (a non-negative integer). */
  tiles: number
  /**
   * MVM kernel; default: a new WebAssembly SIMD kernel instance (`createWasmKernelSync`), or the TypeScript
   * reference kernel where kernel.wasm is unavailable (not built, or no WebAssembly SIMD); `kernelName` tells.
   */
  kernel?: MvmKernel
}

/** A weight block to program: `rows × cols` crossbar-orientation weights at (rowOffset, colOffset). */
export interface BlockSpec {
  weights: Float32Array
  rows: number
  cols: number
  rowOffset: number
  colOffset: number
  /** Seed of the block's programming noise, faults, drift exponents and read noise. */
  seed: number | string
}

/** A node's tiles. */
export interface TilePool {
  readonly profile: DeviceProfile
  readonly tilesTotal: number
  /** Name of the MVM kernel in use (`wasm-simd`, `typescript`, …). */
  readonly kernelName: string
  tilesFree (): number
  /** Cells of all tiles (tilesTotal × rows × cols). */
  cellsTotal (): number
  /** Cells of allocated tiles holding weights. */
  cellsUsed (): number
  /** Allocates the lowest-numbered free tile. @throws InsufficientCapacityError */
  allocateTile (): number
  /**
   * Programs a block onto an allocated tile.
   * @throws UnknownHandleError, ShapeMismatchError (bad shape, wrong weight count, block outside the tile),
   * InvalidPlanError (overlaps another block), NonFiniteValueError
   */
  programBlock (tileId: number, block: BlockSpec): BlockHandle
  /**
   * Runs `batch` input vectors (`batch × rows`, row-major) through a block, writing `batch × cols` outputs.
   * @throws UnknownHandleError, ShapeMismatchError, NonFiniteValueError, InvalidCrossbarOptionError
   */
  execute (block: BlockHandle, x: Float32Array, batch: number, out: Float32Array, options?: ExecuteOptions): ExecuteStats
  /** @throws UnknownHandleError */
  releaseBlock (block: BlockHandle): void
  /** Frees an allocated tile and releases its blocks. @throws UnknownHandleError */
  freeTile (tileId: number): void
}

function defaultKernel (): MvmKernel {
  try {
    return createWasmKernelSync()
  } catch (err) {
    if (err instanceof KernelUnavailableError) return createReferenceKernel()
    throw err
  }
}

/**
 * Creates a tile pool.
 *
 * @example
 * ```ts
 * const pool = createTilePool({ profile: createDeviceProfile('pcm', { rows: 128, cols: 128 }), tiles: 4 })
 * const tile = pool.allocateTile()
 * const block = pool.programBlock(tile, { weights, rows: 100, cols: 10, rowOffset: 0, colOffset: 0, seed: 7 })
 * const stats = pool.execute(block, x, batch, out, { tSeconds: 3600 })
 * ```
 */
export function createTilePool (init: TilePoolInit): TilePool {
  const { profile } = init
  validateDeviceProfile(profile)
  if (!Number.isInteger(init.tiles) || init.tiles < 0) throw new InvalidCrossbarOptionError(`tiles must be a non-negative integer, got ${init.tiles}`)
  const kernel = init.kernel ?? defaultKernel()
  const tilesTotal = init.tiles
  const { rows: tileRows, cols: tileCols } = profile.geometry
  const tiles: Array<Tile | undefined> = new Array(tilesTotal).fill(undefined)
  const blocks = new Map<number, TileBlock>()
  let allocated = 0
  let nextBlockId = 1

  const liveTile = (tileId: number): Tile => {
    const tile = Number.isInteger(tileId) && tileId >= 0 && tileId < tilesTotal ? tiles[tileId] : undefined
    if (tile === undefined) throw new UnknownHandleError(`tile ${tileId} is not allocated in this pool of ${tilesTotal}`)
    return tile
  }
  const liveBlock = (handle: BlockHandle): TileBlock => {
    const entry = blocks.get(handle?.id)
    const h = entry?.handle
    if (entry === undefined || h === undefined || h.tileId !== handle.tileId || h.rows !== handle.rows || h.cols !== handle.cols ||
        h.rowOffset !== handle.rowOffset || h.colOffset !== handle.colOffset) {
      throw new UnknownHandleError(`block ${String(handle?.id)} is not a live block of this pool`)
    }
    return entry
  }

  return {
    profile,
    tilesTotal,
    kernelName: kernel.name,
    tilesFree: () => tilesTotal - allocated,
    cellsTotal: () => tilesTotal * tileRows * tileCols,
    cellsUsed () {
      let used = 0
      for (const tile of tiles) if (tile !== undefined) used += tile.cellsUsed()
      return used
    },
    allocateTile () {
      const id = tiles.indexOf(undefined)
      if (id < 0) throw new InsufficientCapacityError(`all ${tilesTotal} tiles are allocated`)
      tiles[id] = createTile(id, profile.geometry)
      allocated++
      return id
    },
    programBlock (tileId, spec) {
      const tile = liveTile(tileId)
      const { weights, rows, cols, rowOffset, colOffset, seed } = spec
      if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
        throw new ShapeMismatchError(`block shape must be positive integers, got ${rows}×${cols}`)
      }
      if (weights.length !== rows * cols) throw new ShapeMismatchError(`weights have ${weights.length} values, block ${rows}×${cols} needs ${rows * cols}`)
      tile.checkPlacement(rowOffset, colOffset, rows, cols)
      const block = programAnalogBlock({ profile, weights, rows, cols, seed, kernel, rowOffset, colOffset })
      const handle: BlockHandle = Object.freeze({ id: nextBlockId++, tileId, rows, cols, rowOffset, colOffset })
      const entry = { handle, block }
      tile.add(entry)
      blocks.set(handle.id, entry)
      return handle
    },
    execute (handle, x, batch, out, options) {
      return liveBlock(handle).block.execute(x, batch, out, options)
    },
    releaseBlock (handle) {
      const entry = liveBlock(handle)
      liveTile(entry.handle.tileId).remove(entry.handle.id)
      blocks.delete(entry.handle.id)
    },
    freeTile (tileId) {
      const tile = liveTile(tileId)
      for (const id of tile.blocks.keys()) blocks.delete(id)
      tile.clear()
      tiles[tileId] = undefined
      allocated--
    }
  }
}
