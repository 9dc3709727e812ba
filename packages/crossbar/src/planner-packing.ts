/**
 * Packing of matrix regions into the tiles of one device: the geometric core of the partition planner.
 *
 * A region (a rectangle of one matrix, crossbar orientation) is first cut on the tile grid: every whole
 * `R × C` block takes a tile of its own, and what is left (the ragged right column, bottom row and corner of
 * the grid) becomes pieces smaller than a tile. The pieces are then packed into further tiles with a
 * guillotine free-rectangle packer: each free rectangle gets the largest piece that fits it whole (best fit),
 * and only when no piece fits does the packer cut one to the rectangle's size (when cutting is allowed), so
 * gaps fill with weights instead of staying empty. Cutting a block is always legal on a crossbar: a column
 * cut splits outputs, a row cut splits inputs whose partial sums the executor adds digitally. Without
 * cutting the packer is plain 2-D bin packing of the grid blocks, as in "A Simple Packing Algorithm for
 * Optimized Mapping of ANNs onto NVM Crossbar Arrays" (arXiv 2411.04814).
 *
 * Everything is deterministic: ties are broken by the pieces' matrix order and coordinates.
 */

/** A rectangle of one matrix: rows `row … row + rows − 1`, columns `col … col + cols − 1`. */
export interface MatrixRegion {
  /** Index of the matrix in the planner's ordered list (also the first tie-break key). */
  matrixIndex: number
  row: number
  col: number
  rows: number
  cols: number
}

/** A region placed at (`rowOffset`, `colOffset`) of tile `tile` (device-local index). */
export interface PackedBlock extends MatrixRegion {
  tile: number
  rowOffset: number
  colOffset: number
}

/** The result of packing regions into one device's tiles. */
export interface PackResult {
  blocks: PackedBlock[]
  tiles: number
}

/** How the packer may treat blocks. */
export interface PackOptions {
  /** Cut ragged blocks to fill gaps that no whole block fits (default true). */
  allowCut: boolean
  /**
   * Free rectangles narrower or shorter than this many cells are left empty instead of being filled with a cut
   * block, which keeps the packer from producing sliver blocks of a row or two.
   */
  minCutCells: number
}

interface FreeRect {
  tile: number
  y: number
  x: number
  rows: number
  cols: number
}

/** Total order on regions so that every choice among equals is reproducible. */
function compareKeys (a: MatrixRegion, b: MatrixRegion): number {
  return (a.matrixIndex - b.matrixIndex) || (a.row - b.row) || (a.col - b.col)
}

/** Cuts regions on the tile grid: whole-tile blocks first, then the ragged pieces (each smaller than a tile). */
export function cutOnGrid (regions: readonly MatrixRegion[], tileRows: number, tileCols: number): { whole: MatrixRegion[], pieces: MatrixRegion[] } {
  const whole: MatrixRegion[] = []
  const pieces: MatrixRegion[] = []
  for (const region of regions) {
    for (let r = 0; r < region.rows; r += tileRows) {
      const rows = Math.min(tileRows, region.rows - r)
      for (let c = 0; c < region.cols; c += tileCols) {
        const cols = Math.min(tileCols, region.cols - c)
        const block = { matrixIndex: region.matrixIndex, row: region.row + r, col: region.col + c, rows, cols }
        if (rows === tileRows && cols === tileCols) whole.push(block)
        else pieces.push(block)
      }
    }
  }
  return { whole, pieces }
}

/**
 * Packs regions into `tileRows × tileCols` tiles. Returns the blocks with device-local tile indices
 * `0 … tiles − 1`; every tile holds at least one block, since a tile is opened only while pieces remain and
 * every piece fits an empty tile.
 */
export function packRegions (regions: readonly MatrixRegion[], tileRows: number, tileCols: number, options: PackOptions): PackResult {
  const { whole, pieces } = cutOnGrid(regions, tileRows, tileCols)
  const blocks: PackedBlock[] = []
  let tiles = 0
  for (const block of whole) {
    blocks.push({ ...block, tile: tiles++, rowOffset: 0, colOffset: 0 })
  }

  const minCut = Math.max(1, options.minCutCells)
  const free: FreeRect[] = []
  while (pieces.length > 0) {
    if (free.length === 0) free.push({ tile: tiles++, y: 0, x: 0, rows: tileRows, cols: tileCols })
    const rect = free.pop() as FreeRect

    let chosen = bestWholeFit(pieces, rect)
    let placedRows = 0
    let placedCols = 0
    if (chosen >= 0) {
      placedRows = pieces[chosen].rows
      placedCols = pieces[chosen].cols
    } else if (options.allowCut && rect.rows >= minCut && rect.cols >= minCut) {
      chosen = bestCut(pieces, rect)
      placedRows = Math.min(pieces[chosen].rows, rect.rows)
      placedCols = Math.min(pieces[chosen].cols, rect.cols)
    } else {
      continue
    }

    const piece = pieces[chosen]
    pieces[chosen] = pieces[pieces.length - 1]
    pieces.pop()
    blocks.push({ matrixIndex: piece.matrixIndex, row: piece.row, col: piece.col, rows: placedRows, cols: placedCols, tile: rect.tile, rowOffset: rect.y, colOffset: rect.x })
    for (const rest of splitRemainder(piece, placedRows, placedCols)) pieces.push(rest)
    // The larger free rectangle is pushed last so it is filled first: it takes the larger pieces whole, and
    // the smaller one is left for what remains (measured on random shapes: fewer cut blocks than the reverse).
    const [a, b] = splitFree(rect, placedRows, placedCols)
    if (a !== undefined && b !== undefined) {
      if (a.rows * a.cols >= b.rows * b.cols) { free.push(b); free.push(a) } else { free.push(a); free.push(b) }
    } else if (a !== undefined) {
      free.push(a)
    } else if (b !== undefined) {
      free.push(b)
    }
  }
  return { blocks, tiles }
}

/** Index of the largest piece that fits `rect` whole, or −1. Exact fits win; then area; then the key order. */
function bestWholeFit (pieces: readonly MatrixRegion[], rect: FreeRect): number {
  let best = -1
  let bestScore = -1
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]
    if (p.rows > rect.rows || p.cols > rect.cols) continue
    // An edge that matches the rectangle's leaves one free rectangle instead of two.
    const edges = (p.rows === rect.rows ? 1 : 0) + (p.cols === rect.cols ? 1 : 0)
    const score = edges === 2 ? Number.MAX_SAFE_INTEGER : p.rows * p.cols * 3 + edges
    if (score > bestScore || (score === bestScore && compareKeys(p, pieces[best]) < 0)) {
      best = i
      bestScore = score
    }
  }
  return best
}

/**
 * Index of the piece to cut for `rect` (called when no piece fits whole, so every piece exceeds it in at least
 * one dimension). A piece that exceeds it in one dimension only is cut once and leaves one remainder instead
 * of two, so such pieces win; among equals the piece covering most of the rectangle, then the key order.
 */
function bestCut (pieces: readonly MatrixRegion[], rect: FreeRect): number {
  let best = -1
  let bestArea = -1
  let bestCuts = 3
  for (let i = 0; i < pieces.length; i++) {
    const p = pieces[i]
    const area = Math.min(p.rows, rect.rows) * Math.min(p.cols, rect.cols)
    const cuts = (p.rows > rect.rows ? 1 : 0) + (p.cols > rect.cols ? 1 : 0)
    if (cuts < bestCuts || (cuts === bestCuts && (area > bestArea || (area === bestArea && compareKeys(p, pieces[best]) < 0)))) {
      best = i
      bestArea = area
      bestCuts = cuts
    }
  }
  return best
}

/** A rectangle by its offset from the corner of the one it was cut from, and its size. */
interface CutRect { top: number, left: number, rows: number, cols: number }

/**
 * What is left of a `rows × cols` rectangle after its top-left `placedRows × placedCols` corner was filled: up to
 * two rectangles. Of the two ways to cut an L shape the one keeping the larger rectangle is used (fewer, larger
 * blocks later). Horizontal cut: the bottom part spans the full width; vertical cut: the right part spans the full
 * height.
 */
function guillotineRemainder (rows: number, cols: number, placedRows: number, placedCols: number): CutRect[] {
  const restRows = rows - placedRows
  const restCols = cols - placedCols
  const below = (fullWidth: boolean): CutRect => ({ top: placedRows, left: 0, rows: restRows, cols: fullWidth ? cols : placedCols })
  const right = (fullHeight: boolean): CutRect => ({ top: 0, left: placedCols, rows: fullHeight ? rows : placedRows, cols: restCols })
  if (restRows === 0 && restCols === 0) return []
  if (restRows === 0) return [right(true)]
  if (restCols === 0) return [below(true)]
  const horizontalLargest = Math.max(restRows * cols, placedRows * restCols)
  const verticalLargest = Math.max(rows * restCols, restRows * placedCols)
  return horizontalLargest >= verticalLargest ? [below(true), right(false)] : [right(true), below(false)]
}

/** What is left of a piece after its top-left `rows × cols` corner was placed ({@link guillotineRemainder}). */
function splitRemainder (piece: MatrixRegion, rows: number, cols: number): MatrixRegion[] {
  return guillotineRemainder(piece.rows, piece.cols, rows, cols)
    .map((r) => ({ matrixIndex: piece.matrixIndex, row: piece.row + r.top, col: piece.col + r.left, rows: r.rows, cols: r.cols }))
}

/** Split of a free rectangle after a block filled its top-left corner ({@link guillotineRemainder}). */
function splitFree (rect: FreeRect, rows: number, cols: number): [FreeRect | undefined, FreeRect | undefined] {
  const [a, b] = guillotineRemainder(rect.rows, rect.cols, rows, cols)
    .map((r): FreeRect => ({ tile: rect.tile, y: rect.y + r.top, x: rect.x + r.left, rows: r.rows, cols: r.cols }))
  return [a, b]
}
