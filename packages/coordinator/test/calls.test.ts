import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { groupCalls } from '../src/calls.js'
import type { PlannedBlockLike } from '@tessera/scheduler'

function block (matrixId: string, rowOffset: number, colOffset: number, rows: number, cols: number, matrixRow = 0, matrixCol = 0): PlannedBlockLike {
  return { matrixId, matrixRow, matrixCol, rows, cols, deviceId: 'd', tile: 0, rowOffset, colOffset }
}

describe('groupCalls', () => {
  it('runs blocks of one layer on disjoint rows and columns in one MVM when nothing sits where they cross', () => {
    const a = block('m', 0, 0, 64, 64)
    const b = block('m', 64, 64, 64, 64, 64, 64)
    assert.deepEqual(groupCalls([a, b]), [[a, b]])
  })

  it('keeps blocks that share word lines or bit lines apart', () => {
    const a = block('m', 0, 0, 64, 64)
    const sameRows = block('m', 0, 64, 64, 64, 64, 0)
    const sameCols = block('m', 64, 0, 64, 64, 0, 64)
    assert.equal(groupCalls([a, sameRows]).length, 2)
    assert.equal(groupCalls([a, sameCols]).length, 2)
  })

  it('keeps blocks apart when another block sits where one\'s rows cross the other\'s columns', () => {
    const a = block('m', 0, 0, 64, 64)
    const b = block('m', 64, 64, 64, 64, 64, 64)
    const other = block('n', 64, 0, 64, 64) // rows of b, columns of a: driving b's rows would leak into a's outputs
    const groups = groupCalls([a, b, other])
    assert.equal(groups.length, 3)
  })

  it('never groups blocks of different layers', () => {
    const a = block('m', 0, 0, 64, 64)
    const b = block('n', 64, 64, 64, 64)
    assert.equal(groupCalls([a, b]).length, 2)
  })

  it('property: one MVM per group gives every block exactly its own product (integer weights, exact in float32)', () => {
    // Random non-overlapping blocks on an 8×8 grid of cells; each group is driven with its blocks' inputs and
    // zeros elsewhere, and each block reads its own columns.
    const arbBlocks = fc.array(fc.record({ r: fc.nat(7), c: fc.nat(7), h: fc.integer({ min: 1, max: 4 }), w: fc.integer({ min: 1, max: 4 }), m: fc.constantFrom('m', 'n') }), { minLength: 1, maxLength: 8 })
    fc.assert(fc.property(arbBlocks, fc.integer({ min: 1, max: 1000 }), (specs, seed) => {
      const size = 8
      const owner = new Int32Array(size * size).fill(-1)
      const blocks: PlannedBlockLike[] = []
      for (const s of specs) {
        const h = Math.min(s.h, size - s.r)
        const w = Math.min(s.w, size - s.c)
        let free = true
        for (let i = 0; i < h && free; i++) for (let j = 0; j < w; j++) if (owner[(s.r + i) * size + s.c + j] >= 0) free = false
        if (!free) continue
        for (let i = 0; i < h; i++) for (let j = 0; j < w; j++) owner[(s.r + i) * size + s.c + j] = blocks.length
        blocks.push(block(s.m, s.r, s.c, h, w))
      }
      const g = new Float32Array(size * size)
      for (let k = 0; k < g.length; k++) g[k] = owner[k] >= 0 ? ((k * 7 + seed) % 11) - 5 : 0
      const x = new Float32Array(size)
      for (let k = 0; k < size; k++) x[k] = ((k * 3 + seed) % 7) - 3
      const groups = groupCalls(blocks)
      assert.equal(groups.flat().length, blocks.length)
      for (const group of groups) {
        const input = new Float32Array(size)
        for (const b of group) for (let i = 0; i < b.rows; i++) input[b.rowOffset + i] = x[b.rowOffset + i]
        const y = new Float32Array(size)
        for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) y[c] += input[r] * g[r * size + c]
        for (const b of group) {
          for (let j = 0; j < b.cols; j++) {
            let expected = 0
            for (let i = 0; i < b.rows; i++) expected += x[b.rowOffset + i] * g[(b.rowOffset + i) * size + b.colOffset + j]
            assert.equal(y[b.colOffset + j], expected)
          }
        }
      }
    }), { numRuns: 300, seed: 7 })
  })
})
