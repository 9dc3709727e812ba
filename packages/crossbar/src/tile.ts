/**
 * One crossbar tile: a `rows × cols` array of cells on which several weight blocks may be programmed as
 * non-overlapping rectangles. Each block drives only its own rows and reads only its own columns, so it runs as
 * its own kernel matrix; the tile keeps the geometry bookkeeping (bounds, overlap, cells in use).
 */
import { InvalidPlanError, ShapeMismatchError, UnknownHandleError } from './errors.js'
import type { AnalogBlock } from './physics-block.js'
import type { TileGeometry } from './profile-types.js'

/** A block programmed on a tile of a pool. */
export interface BlockHandle {
  /** Pool-wide block id (never reused within a pool). */
  readonly id: number
  readonly tileId: number
  readonly rows: number
  readonly cols: number
  /** First tile row (word line) the block occupies. */
  readonly rowOffset: number
  /** First tile column (bit line) the block occupies. */
  readonly colOffset: number
}

/** A block and its device state. */
export interface TileBlock {
  readonly handle: BlockHandle
  readonly block: AnalogBlock
}

/** Bookkeeping of one tile. */
export interface Tile {
  readonly id: number
  readonly geometry: TileGeometry
  /** Blocks on this tile by block id. */
  readonly blocks: ReadonlyMap<number, TileBlock>
  /** Cells holding a weight. */
  cellsUsed (): number
  /**
   * Throws unless a `rows × cols` rectangle at (rowOffset, colOffset) lies inside the tile and overlaps no
   * block on it. Shapes are assumed positive integers (checked by the caller).
   * @throws ShapeMismatchError (outside the tile), InvalidPlanError (overlaps a block)
   */
  checkPlacement (rowOffset: number, colOffset: number, rows: number, cols: number): void
  add (entry: TileBlock): void
  /** Removes a block and frees its kernel matrix. @throws UnknownHandleError */
  remove (blockId: number): void
  /** Removes every block. */
  clear (): void
}

/** Creates an empty tile. */
export function createTile (id: number, geometry: TileGeometry): Tile {
  const blocks = new Map<number, TileBlock>()
  let used = 0
  return {
    id,
    geometry,
    blocks,
    cellsUsed: () => used,
    checkPlacement (rowOffset, colOffset, rows, cols) {
      if (!Number.isInteger(rowOffset) || !Number.isInteger(colOffset) || rowOffset < 0 || colOffset < 0 ||
          rowOffset + rows > geometry.rows || colOffset + cols > geometry.cols) {
        throw new ShapeMismatchError(`block ${rows}×${cols} at (${rowOffset}, ${colOffset}) does not fit tile ${id} of ${geometry.rows}×${geometry.cols}`)
      }
      for (const { handle: other } of blocks.values()) {
        const rowsOverlap = rowOffset < other.rowOffset + other.rows && other.rowOffset < rowOffset + rows
        const colsOverlap = colOffset < other.colOffset + other.cols && other.colOffset < colOffset + cols
        if (rowsOverlap && colsOverlap) {
          throw new InvalidPlanError(`block ${rows}×${cols} at (${rowOffset}, ${colOffset}) overlaps block ${other.id} (${other.rows}×${other.cols} at (${other.rowOffset}, ${other.colOffset})) on tile ${id}`)
        }
      }
    },
    add (entry) {
      blocks.set(entry.handle.id, entry)
      used += entry.handle.rows * entry.handle.cols
    },
    remove (blockId) {
      const entry = blocks.get(blockId)
      if (entry === undefined) throw new UnknownHandleError(`block ${blockId} is not on tile ${id}`)
      entry.block.free()
      blocks.delete(blockId)
      used -= entry.handle.rows * entry.handle.cols
    },
    clear () {
      for (const entry of blocks.values()) entry.block.free()
      blocks.clear()
      used = 0
    }
  }
}
