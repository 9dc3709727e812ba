import {
  DuplicateShardError, InsufficientCapacityError, NonFiniteValueError, ShapeMismatchError, UnknownShardError,
  UnexpectedMessageError
} from '@tessera/wire'
import { copySubmatrix } from '@tessera/crossbar'
import type { BlockHandle, ExecuteOptions, ExecuteStats, TilePool } from '@tessera/crossbar'

/** A crossbar seed: a finite number or a string. */
export type Seed = number | string

export interface ShardStatus {
  tilesTotal: number
  tilesFree: number
  shardsHeld: number
  /** Cells of allocated tiles that hold weights. */
  cellsUsed: number
  /** Cells of allocated tiles. */
  cellsTotal: number
  tileRows: number
  tileCols: number
  devicePreset: string
}

export interface ExecuteOutcome {
  output: Float32Array
  stats: ExecuteStats
}

interface GridBlock {
  handle?: BlockHandle
  tileId: number
  /** Position of the block in the shard matrix. */
  rowStart: number
  colStart: number
  rows: number
  cols: number
}

interface Shard {
  rows: number
  cols: number
  blocks: GridBlock[]
  programmed: boolean
  tSeconds?: number
  /** Scratch buffers for multi-block shards, grown to the largest batch seen. */
  scratchX?: Float32Array
  scratchY?: Float32Array
}

/**
 * Holds a node's shards on its tile pool. A shard is a `rows × cols` matrix in crossbar orientation (rows =
 * inputs); the executor cuts it into a grid of tile-sized blocks, one tile each, and adds the partial sums of the
 * row blocks digitally. Programming is two steps, `reserve` then `program`, so the tiles of an upload are held while
 * its chunks arrive. The same calls in the same order give bit-identical outputs, in a worker thread or in-process:
 * that is how network results are checked against local ones.
 *
 * Errors are the wire package's named errors, so a server forwards them as typed replies unchanged.
 */
export class ShardExecutor {
  readonly pool: TilePool
  private readonly shards = new Map<string, Shard>()

  constructor (pool: TilePool) {
    this.pool = pool
  }

  /** Tiles a `rows × cols` shard occupies on this pool. */
  tilesFor (rows: number, cols: number): number {
    const g = this.pool.profile.geometry
    return Math.ceil(rows / g.rows) * Math.ceil(cols / g.cols)
  }

  /** Allocates the tiles of a shard; they stay allocated until `release`. */
  reserve (shardId: string, rows: number, cols: number): { tilesReserved: number } {
    if (this.shards.has(shardId)) {
      throw new DuplicateShardError(`shard ${JSON.stringify(shardId)} is already held`)
    }
    if (!Number.isSafeInteger(rows) || !Number.isSafeInteger(cols) || rows <= 0 || cols <= 0) {
      throw new ShapeMismatchError(`invalid shard shape ${rows}×${cols}`)
    }
    const needed = this.tilesFor(rows, cols)
    const free = this.pool.tilesFree()
    if (needed > free) {
      throw new InsufficientCapacityError(`a ${rows}×${cols} shard needs ${needed} tiles, ${free} free`)
    }
    const g = this.pool.profile.geometry
    const blocks: GridBlock[] = []
    try {
      for (let rowStart = 0; rowStart < rows; rowStart += g.rows) {
        for (let colStart = 0; colStart < cols; colStart += g.cols) {
          blocks.push({
            tileId: this.pool.allocateTile(),
            rowStart,
            colStart,
            rows: Math.min(g.rows, rows - rowStart),
            cols: Math.min(g.cols, cols - colStart)
          })
        }
      }
    } catch (err) {
      for (const b of blocks) this.pool.freeTile(b.tileId)
      throw err
    }
    this.shards.set(shardId, { rows, cols, blocks, programmed: false })
    return { tilesReserved: blocks.length }
  }

  /**
   * Programs the weights (`rows × cols`, row-major) of a reserved shard. A single-block shard is programmed with
   * `seed` itself; block (i, j) of a larger one with `${seed}/${i}/${j}`.
   */
  program (shardId: string, weights: Float32Array, seed: Seed, tSeconds?: number): { tilesUsed: number } {
    const shard = this.shards.get(shardId)
    if (shard == null) {
      throw new UnknownShardError(`shard ${JSON.stringify(shardId)} is not reserved`)
    }
    if (shard.programmed) {
      throw new UnexpectedMessageError(`shard ${JSON.stringify(shardId)} is already programmed`)
    }
    if (weights.length !== shard.rows * shard.cols) {
      throw new ShapeMismatchError(`${weights.length} weights for a ${shard.rows}×${shard.cols} shard`)
    }
    assertFinite(weights, 'weight')
    const g = this.pool.profile.geometry
    const single = shard.blocks.length === 1
    for (const b of shard.blocks) {
      const blockWeights = single ? weights : copySubmatrix(weights, shard.cols, { row: b.rowStart, col: b.colStart, rows: b.rows, cols: b.cols })
      const blockSeed = single ? seed : `${seed}/${b.rowStart / g.rows}/${b.colStart / g.cols}`
      b.handle = this.pool.programBlock(b.tileId, {
        weights: blockWeights, rows: b.rows, cols: b.cols, rowOffset: 0, colOffset: 0, seed: blockSeed
      })
    }
    shard.programmed = true
    shard.tSeconds = tSeconds
    return { tilesUsed: shard.blocks.length }
  }

  /** Reserves and programs in one call. */
  programShard (shardId: string, rows: number, cols: number, weights: Float32Array, seed: Seed, tSeconds?: number): { tilesUsed: number } {
    this.reserve(shardId, rows, cols)
    try {
      return this.program(shardId, weights, seed, tSeconds)
    } catch (err) {
      this.release(shardId)
      throw err
    }
  }

  /**
   * y = x·W for a `batch × rows` input; returns `batch × cols` outputs and the emulated device cost. A
   * `noiseKey` reaches each tile block as `${noiseKey}/${row block}/${col block}`, so every block of the shard
   * reads noise of its own, fixed by the call's key.
   */
  execute (shardId: string, x: Float32Array, batch: number, options: ExecuteOptions = {}): ExecuteOutcome {
    const shard = this.shards.get(shardId)
    if (shard == null || !shard.programmed) {
      throw new UnknownShardError(`shard ${JSON.stringify(shardId)} is not programmed here`)
    }
    if (!Number.isSafeInteger(batch) || batch <= 0 || x.length !== batch * shard.rows) {
      throw new ShapeMismatchError(`input of ${x.length} values is not ${batch}×${shard.rows}`)
    }
    assertFinite(x, 'input')
    const opts: ExecuteOptions = { ...options, tSeconds: options.tSeconds ?? shard.tSeconds }
    const out = new Float32Array(batch * shard.cols)
    const stats: ExecuteStats = { deviceTimeNs: 0, energyPj: 0, macs: 0 }
    if (shard.blocks.length === 1) {
      addStats(stats, this.pool.execute(shard.blocks[0].handle as BlockHandle, x, batch, out, opts))
      return { output: out, stats }
    }
    const g = this.pool.profile.geometry
    if (shard.scratchX == null || shard.scratchX.length < batch * g.rows) {
      shard.scratchX = new Float32Array(batch * g.rows)
      shard.scratchY = new Float32Array(batch * g.cols)
    }
    const sx = shard.scratchX
    const sy = shard.scratchY as Float32Array
    // Column-block-major, row blocks in ascending order: a fixed summation order keeps results reproducible.
    for (const b of shard.blocks) {
      const xs = sx.subarray(0, batch * b.rows)
      for (let s = 0; s < batch; s++) {
        xs.set(x.subarray(s * shard.rows + b.rowStart, s * shard.rows + b.rowStart + b.rows), s * b.rows)
      }
      const ys = sy.subarray(0, batch * b.cols)
      const blockOpts = opts.noiseKey === undefined ? opts : { ...opts, noiseKey: `${opts.noiseKey}/${b.rowStart / g.rows}/${b.colStart / g.cols}` }
      addStats(stats, this.pool.execute(b.handle as BlockHandle, xs, batch, ys, blockOpts))
      for (let s = 0; s < batch; s++) {
        const o = s * shard.cols + b.colStart
        const p = s * b.cols
        for (let c = 0; c < b.cols; c++) out[o + c] += ys[p + c]
      }
    }
    return { output: out, stats }
  }

  /** Frees every tile of a shard, programmed or only reserved. */
  release (shardId: string): { tilesFreed: number } {
    const shard = this.shards.get(shardId)
    if (shard == null) {
      throw new UnknownShardError(`shard ${JSON.stringify(shardId)} is not held here`)
    }
    this.shards.delete(shardId)
    for (const b of shard.blocks) this.pool.freeTile(b.tileId)
    return { tilesFreed: shard.blocks.length }
  }

  has (shardId: string): boolean {
    return this.shards.has(shardId)
  }

  status (): ShardStatus {
    return {
      tilesTotal: this.pool.tilesTotal,
      tilesFree: this.pool.tilesFree(),
      shardsHeld: this.shards.size,
      cellsUsed: this.pool.cellsUsed(),
      cellsTotal: this.pool.cellsTotal(),
      tileRows: this.pool.profile.geometry.rows,
      tileCols: this.pool.profile.geometry.cols,
      devicePreset: this.pool.profile.preset
    }
  }
}

/** Tiles run in parallel, so a shard's device time is its slowest block's; energy and MACs add up. */
function addStats (total: ExecuteStats, s: ExecuteStats): void {
  total.deviceTimeNs = Math.max(total.deviceTimeNs, s.deviceTimeNs)
  total.energyPj += s.energyPj
  total.macs += s.macs
}

function assertFinite (values: Float32Array, what: string): void {
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i])) {
      throw new NonFiniteValueError(`${what} ${i} is ${values[i]}`)
    }
  }
}
