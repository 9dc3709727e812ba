import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { cutOnGrid, packRegions } from '../src/planner-packing.js'
import type { MatrixRegion, PackedBlock } from '../src/planner-packing.js'

const regionsArb = fc.array(fc.record({ rows: fc.integer({ min: 1, max: 90 }), cols: fc.integer({ min: 1, max: 90 }) }), { minLength: 1, maxLength: 8 })
  .map((shapes) => shapes.map((s, matrixIndex): MatrixRegion => ({ matrixIndex, row: 0, col: 0, ...s })))
const geometryArb = fc.record({ rows: fc.integer({ min: 1, max: 40 }), cols: fc.integer({ min: 1, max: 40 }) })

/** Marks every cell of every matrix and every tile; returns the counts so callers can check "exactly once". */
function paint (regions: readonly MatrixRegion[], blocks: readonly PackedBlock[], tiles: number, tileRows: number, tileCols: number): { matrixCells: Uint8Array[], tileCells: Uint8Array } {
  const matrixCells = regions.map((r) => new Uint8Array(r.rows * r.cols))
  const tileCells = new Uint8Array(tiles * tileRows * tileCols)
  for (const b of blocks) {
    const region = regions[b.matrixIndex]
    for (let i = 0; i < b.rows; i++) {
      for (let j = 0; j < b.cols; j++) {
        matrixCells[b.matrixIndex][(b.row + i) * region.cols + b.col + j]++
        tileCells[b.tile * tileRows * tileCols + (b.rowOffset + i) * tileCols + b.colOffset + j]++
      }
    }
  }
  return { matrixCells, tileCells }
}

describe('cutOnGrid', () => {
  it('covers each region exactly with whole tiles and smaller ragged pieces (property)', () => {
    fc.assert(fc.property(regionsArb, geometryArb, (regions, g) => {
      const { whole, pieces } = cutOnGrid(regions, g.rows, g.cols)
      for (const w of whole) assert.ok(w.rows === g.rows && w.cols === g.cols)
      for (const p of pieces) assert.ok(p.rows <= g.rows && p.cols <= g.cols && (p.rows < g.rows || p.cols < g.cols))
      const { matrixCells } = paint(regions, [...whole, ...pieces].map((b) => ({ ...b, tile: 0, rowOffset: 0, colOffset: 0 })), 0, 0, 0)
      for (const cells of matrixCells) assert.ok(cells.every((c) => c === 1))
    }), { seed: 11, numRuns: 200 })
  })
})

describe('packRegions', () => {
  for (const allowCut of [true, false]) {
    it(`places every cell once and never stacks two blocks on a tile cell (allowCut ${String(allowCut)}, property)`, () => {
      fc.assert(fc.property(regionsArb, geometryArb, fc.integer({ min: 1, max: 6 }), (regions, g, minCutCells) => {
        const { blocks, tiles } = packRegions(regions, g.rows, g.cols, { allowCut, minCutCells })
        for (const b of blocks) {
          assert.ok(b.tile >= 0 && b.tile < tiles)
          assert.ok(b.rowOffset >= 0 && b.colOffset >= 0 && b.rowOffset + b.rows <= g.rows && b.colOffset + b.cols <= g.cols)
        }
        const { matrixCells, tileCells } = paint(regions, blocks, tiles, g.rows, g.cols)
        for (const cells of matrixCells) assert.ok(cells.every((c) => c === 1), 'a weight is missing or placed twice')
        assert.ok(tileCells.every((c) => c <= 1), 'two blocks overlap')
        const used = new Set(blocks.map((b) => b.tile))
        assert.equal(used.size, tiles, 'an allocated tile is empty')
        const cells = regions.reduce((sum, r) => sum + r.rows * r.cols, 0)
        assert.ok(tiles >= Math.ceil(cells / (g.rows * g.cols)))
      }), { seed: allowCut ? 12 : 13, numRuns: 200 })
    })
  }

  it('with cuts down to single cells reaches the area bound ⌈cells ÷ tile cells⌉ (property)', () => {
    // Any empty cell outside the last tile would be room a cut piece could have used.
    fc.assert(fc.property(regionsArb, geometryArb, (regions, g) => {
      const minCutCells = 1
      const { blocks, tiles } = packRegions(regions, g.rows, g.cols, { allowCut: true, minCutCells })
      const cells = regions.reduce((sum, r) => sum + r.rows * r.cols, 0)
      assert.equal(tiles, Math.ceil(cells / (g.rows * g.cols)), 'with minCutCells 1 only the last tile may hold free cells')
      assert.equal(blocks.reduce((sum, b) => sum + b.rows * b.cols, 0), cells)
    }), { seed: 14, numRuns: 200 })
  })

  it('puts whole-tile blocks alone on their tile', () => {
    const { blocks, tiles } = packRegions([{ matrixIndex: 0, row: 0, col: 0, rows: 20, cols: 30 }], 10, 10, { allowCut: true, minCutCells: 1 })
    assert.equal(tiles, 6)
    assert.equal(blocks.length, 6)
    assert.ok(blocks.every((b) => b.rows === 10 && b.cols === 10 && b.rowOffset === 0 && b.colOffset === 0))
  })
})
