import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { InvalidPlanError, ShapeMismatchError, UnknownHandleError } from '../src/errors.js'
import type { AnalogBlock } from '../src/physics-block.js'
import { createTile } from '../src/tile.js'

function fakeBlock (onFree: () => void): AnalogBlock {
  return {
    rows: 0,
    cols: 0,
    wMax: 0,
    execute: () => ({ deviceTimeNs: 0, energyPj: 0, macs: 0 }),
    effectiveWeights: () => new Float32Array(0),
    driftCompensationFactor: () => 1,
    deviceState: () => ({ gPlus: new Float32Array(0), gMinus: new Float32Array(0), nuPlus: new Float32Array(0), nuMinus: new Float32Array(0), stuckPlus: new Uint8Array(0), stuckMinus: new Uint8Array(0) }),
    free: onFree
  }
}

describe('tile', () => {
  it('accepts a rectangle exactly when it is inside the tile and disjoint from every placed one', () => {
    fc.assert(fc.property(
      fc.array(fc.record({ r: fc.integer({ min: -2, max: 17 }), c: fc.integer({ min: -2, max: 13 }), h: fc.integer({ min: 1, max: 8 }), w: fc.integer({ min: 1, max: 8 }) }), { maxLength: 20 }),
      (rects) => {
        const tile = createTile(0, { rows: 16, cols: 12 })
        const cells = new Uint8Array(16 * 12)
        let id = 1
        for (const { r, c, h, w } of rects) {
          const inside = r >= 0 && c >= 0 && r + h <= 16 && c + w <= 12
          let free = inside
          if (inside) for (let i = r; i < r + h; i++) for (let j = c; j < c + w; j++) if (cells[i * 12 + j] !== 0) free = false
          let error: unknown
          try { tile.checkPlacement(r, c, h, w) } catch (err) { error = err }
          if (!inside) assert.ok(error instanceof ShapeMismatchError)
          else if (!free) assert.ok(error instanceof InvalidPlanError)
          else {
            assert.equal(error, undefined)
            tile.add({ handle: { id: id++, tileId: 0, rows: h, cols: w, rowOffset: r, colOffset: c }, block: fakeBlock(() => {}) })
            for (let i = r; i < r + h; i++) for (let j = c; j < c + w; j++) cells[i * 12 + j] = 1
          }
        }
        assert.equal(tile.cellsUsed(), cells.reduce((s, v) => s + v, 0))
      }), { numRuns: 200, seed: 7 })
  })

  it('frees a block\'s kernel matrix on remove and on clear', () => {
    const tile = createTile(3, { rows: 8, cols: 8 })
    let freed = 0
    tile.add({ handle: { id: 1, tileId: 3, rows: 2, cols: 2, rowOffset: 0, colOffset: 0 }, block: fakeBlock(() => { freed++ }) })
    tile.add({ handle: { id: 2, tileId: 3, rows: 2, cols: 2, rowOffset: 2, colOffset: 2 }, block: fakeBlock(() => { freed++ }) })
    tile.remove(1)
    assert.equal(freed, 1)
    assert.equal(tile.cellsUsed(), 4)
    assert.throws(() => tile.remove(1), UnknownHandleError)
    tile.clear()
    assert.equal(freed, 2)
    assert.equal(tile.cellsUsed(), 0)
    assert.equal(tile.blocks.size, 0)
  })
})
