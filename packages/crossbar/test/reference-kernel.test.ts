import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ShapeMismatchError } from '../src/errors.js'
import { createReferenceKernel } from '../src/reference-kernel.js'

describe('reference kernel', () => {
  it('computes y = x·G on a hand-checked example', () => {
    const kernel = createReferenceKernel()
    assert.equal(kernel.name, 'typescript')
    const g = kernel.load(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3)
    const y = new Float32Array(6)
    kernel.mvm(g, new Float32Array([1, 1, 2, -1]), 2, y)
    // [1 1]·[[1 2 3] [4 5 6]] = [5 7 9]; [2 −1]·… = [−2 −1 0]
    assert.deepEqual(Array.from(y), [5, 7, 9, -2, -1, 0])
  })

  it('is exact on small integers (every partial sum is representable)', () => {
    // Entries in [−8, 8] and at most 32 rows keep |Σ| ≤ 2048 < 2^24, so the exact integer product is the answer.
    const kernel = createReferenceKernel()
    const small = fc.integer({ min: -8, max: 8 })
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 32 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 5 }),
      fc.infiniteStream(small), fc.infiniteStream(small),
      (rows, cols, batch, gStream, xStream) => {
        const gInts = [...gStream.take(rows * cols)]
        const xInts = [...xStream.take(batch * rows)]
        const handle = kernel.load(Float32Array.from(gInts), rows, cols)
        const y = new Float32Array(batch * cols)
        kernel.mvm(handle, Float32Array.from(xInts), batch, y)
        for (let b = 0; b < batch; b++) {
          for (let c = 0; c < cols; c++) {
            let exact = 0
            for (let r = 0; r < rows; r++) exact += xInts[b * rows + r] * gInts[r * cols + c]
            assert.equal(y[b * cols + c], exact)
          }
        }
      }
    ), { seed: 11, numRuns: 100 })
  })

  it('copies the matrix on load and overwrites it on update', () => {
    const kernel = createReferenceKernel()
    const values = new Float32Array([1, 2])
    const handle = kernel.load(values, 2, 1)
    values[0] = 100
    const y = new Float32Array(1)
    kernel.mvm(handle, new Float32Array([1, 1]), 1, y)
    assert.equal(y[0], 3)
    kernel.update(handle, new Float32Array([10, 20]))
    kernel.mvm(handle, new Float32Array([1, 1]), 1, y)
    assert.equal(y[0], 30)
  })

  it('throws ShapeMismatchError for wrong lengths', () => {
    const kernel = createReferenceKernel()
    assert.throws(() => kernel.load(new Float32Array(5), 2, 3), ShapeMismatchError)
    const handle = kernel.load(new Float32Array(6), 2, 3)
    assert.throws(() => { kernel.update(handle, new Float32Array(7)) }, ShapeMismatchError)
    assert.throws(() => { kernel.mvm(handle, new Float32Array(3), 2, new Float32Array(6)) }, ShapeMismatchError)
    assert.throws(() => { kernel.mvm(handle, new Float32Array(4), 2, new Float32Array(5)) }, ShapeMismatchError)
  })
})
