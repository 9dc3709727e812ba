import assert from 'node:assert/strict'
import { existsSync } from 'node:fs'
import { describe, it } from 'node:test'
import {
  InsufficientCapacityError, InvalidCrossbarOptionError, InvalidPlanError, NonFiniteValueError, ShapeMismatchError, UnknownHandleError
} from '../src/errors.js'
import { createDeviceProfile } from '../src/profiles.js'
import type { PresetName } from '../src/profiles.js'
import { createRng } from '../src/random.js'
import { createReferenceKernel } from '../src/reference-kernel.js'
import { createTilePool } from '../src/tile-pool.js'
import type { BlockSpec } from '../src/tile-pool.js'

function pool (preset: PresetName = 'ideal', tiles = 3, side = 32, useReference = false) {
  const profile = createDeviceProfile(preset, { rows: side, cols: side })
  return createTilePool({ profile, tiles, kernel: useReference ? createReferenceKernel() : undefined })
}

function spec (rows: number, cols: number, rowOffset = 0, colOffset = 0, seed: number | string = 1): BlockSpec {
  const rng = createRng(`w/${rows}/${cols}/${String(seed)}`)
  return { weights: Float32Array.from({ length: rows * cols }, () => rng.nextNormal()), rows, cols, rowOffset, colOffset, seed }
}

function reference (s: BlockSpec, x: Float32Array, batch: number): Float64Array {
  const y = new Float64Array(batch * s.cols)
  for (let b = 0; b < batch; b++) {
    for (let i = 0; i < s.rows; i++) {
      for (let j = 0; j < s.cols; j++) y[b * s.cols + j] += x[b * s.rows + i] * s.weights[i * s.cols + j]
    }
  }
  return y
}

describe('tile pool', () => {
  it('allocates tiles until none is free and reuses freed ones', () => {
    const p = pool('ideal', 3)
    assert.equal(p.tilesTotal, 3)
    assert.equal(p.cellsTotal(), 3 * 32 * 32)
    assert.deepEqual([p.allocateTile(), p.allocateTile(), p.allocateTile()], [0, 1, 2])
    assert.equal(p.tilesFree(), 0)
    assert.throws(() => p.allocateTile(), InsufficientCapacityError)
    p.freeTile(1)
    assert.equal(p.tilesFree(), 1)
    assert.equal(p.allocateTile(), 1)
  })

  it('packs non-overlapping blocks in a tile and counts their cells', () => {
    const p = pool('ideal', 2)
    const t = p.allocateTile()
    p.programBlock(t, spec(10, 32, 0, 0))
    p.programBlock(t, spec(22, 5, 10, 0))
    p.programBlock(t, spec(22, 27, 10, 5))
    assert.equal(p.cellsUsed(), 32 * 32)
    assert.throws(() => p.programBlock(t, spec(1, 1, 31, 31)), InvalidPlanError)
    assert.throws(() => p.programBlock(p.allocateTile(), spec(8, 8, 30, 0)), ShapeMismatchError)
    assert.equal(p.cellsUsed(), 32 * 32)
  })

  it('drives only a block\'s rows and reads only its columns (ideal: equals the float64 reference)', () => {
    const p = pool('ideal', 1)
    const t = p.allocateTile()
    const specs = [spec(7, 13, 0, 0, 'a'), spec(25, 19, 7, 13, 'b'), spec(7, 19, 0, 13, 'c')]
    const handles = specs.map(s => p.programBlock(t, s))
    specs.forEach((s, k) => {
      const batch = 3
      const rng = createRng(`x/${k}`)
      const x = Float32Array.from({ length: batch * s.rows }, () => rng.nextNormal())
      const out = new Float32Array(batch * s.cols)
      const stats = p.execute(handles[k], x, batch, out)
      const ref = reference(s, x, batch)
      for (let c = 0; c < out.length; c++) {
        assert.ok(Math.abs(out[c] - ref[c]) <= 1e-5 * (1 + Math.abs(ref[c])), `block ${k} output ${c}`)
      }
      assert.equal(stats.macs, batch * s.rows * s.cols)
      assert.equal(stats.deviceTimeNs, batch * p.profile.timing.mvmLatencyNs)
      assert.ok(Math.abs(stats.energyPj - stats.macs * p.profile.timing.energyPjPerMac) < 1e-9)
    })
  })

  it('gives a block the same noise wherever it sits (noise depends on profile, seed and weights)', () => {
    const p = pool('pcm', 2)
    const t0 = p.allocateTile()
    const t1 = p.allocateTile()
    const s = spec(12, 9, 0, 0, 'same')
    const a = p.programBlock(t0, s)
    const b = p.programBlock(t1, { ...s, rowOffset: 20, colOffset: 23 })
    const x = Float32Array.from({ length: 12 }, (_, i) => Math.sin(i + 1))
    const outA = new Float32Array(9)
    const outB = new Float32Array(9)
    p.execute(a, x, 1, outA, { tSeconds: 3600 })
    p.execute(b, x, 1, outB, { tSeconds: 3600 })
    assert.deepEqual(outA, outB)
  })

  it('same seed gives bit-identical outputs across pools; another seed differs', () => {
    const run = (seed: string): Float32Array => {
      const p = pool('rram-4bit', 1)
      const h = p.programBlock(p.allocateTile(), spec(20, 20, 3, 4, seed))
      const x = Float32Array.from({ length: 40 }, (_, i) => Math.cos(i))
      const out = new Float32Array(40)
      p.execute(h, x, 2, out)
      p.execute(h, x, 2, out)
      return out
    }
    assert.deepEqual(run('k'), run('k'))
    assert.notDeepEqual(run('k'), run('l'))
  })

  it('releases blocks and frees tiles', () => {
    const p = pool('ideal', 2)
    const t = p.allocateTile()
    const a = p.programBlock(t, spec(4, 4))
    const b = p.programBlock(t, spec(4, 4, 4, 4))
    p.releaseBlock(a)
    assert.equal(p.cellsUsed(), 16)
    assert.throws(() => p.execute(a, new Float32Array(4), 1, new Float32Array(4)), UnknownHandleError)
    assert.throws(() => p.releaseBlock(a), UnknownHandleError)
    p.programBlock(t, spec(4, 4)) // the released rectangle is free again
    p.freeTile(t)
    assert.equal(p.cellsUsed(), 0)
    assert.equal(p.tilesFree(), 2)
    assert.throws(() => p.execute(b, new Float32Array(4), 1, new Float32Array(4)), UnknownHandleError)
    assert.throws(() => p.freeTile(t), UnknownHandleError)
  })

  it('rejects every bad input with a named error', () => {
    const p = pool('pcm', 1)
    assert.throws(() => p.programBlock(0, spec(2, 2)), UnknownHandleError)
    const t = p.allocateTile()
    assert.throws(() => p.programBlock(5, spec(2, 2)), UnknownHandleError)
    assert.throws(() => p.programBlock(-1, spec(2, 2)), UnknownHandleError)
    assert.throws(() => p.programBlock(t, { ...spec(2, 2), rows: 0, weights: new Float32Array(0) }), ShapeMismatchError)
    assert.throws(() => p.programBlock(t, { ...spec(2, 2), cols: 1.5 }), ShapeMismatchError)
    assert.throws(() => p.programBlock(t, { ...spec(2, 2), weights: new Float32Array(3) }), ShapeMismatchError)
    assert.throws(() => p.programBlock(t, spec(2, 2, -1, 0)), ShapeMismatchError)
    assert.throws(() => p.programBlock(t, spec(2, 2, 0.5, 0)), ShapeMismatchError)
    assert.throws(() => p.programBlock(t, spec(2, 33)), ShapeMismatchError)
    const nan = spec(2, 2)
    nan.weights[3] = Number.NaN
    assert.throws(() => p.programBlock(t, nan), NonFiniteValueError)
    const inf = spec(2, 2)
    inf.weights[0] = Number.POSITIVE_INFINITY
    assert.throws(() => p.programBlock(t, inf), NonFiniteValueError)
    assert.equal(p.cellsUsed(), 0) // failed programming leaves the tile empty
    const h = p.programBlock(t, spec(2, 3))
    const out = new Float32Array(6)
    assert.throws(() => p.execute(h, new Float32Array([1, Number.NaN]), 1, out), NonFiniteValueError)
    assert.throws(() => p.execute(h, new Float32Array([1, Number.NEGATIVE_INFINITY, 0, 0]), 2, out), NonFiniteValueError)
    assert.throws(() => p.execute(h, new Float32Array(2), 0, out), ShapeMismatchError)
    assert.throws(() => p.execute(h, new Float32Array(3), 2, out), ShapeMismatchError)
    assert.throws(() => p.execute(h, new Float32Array(4), 2, new Float32Array(5)), ShapeMismatchError)
    assert.throws(() => p.execute(h, new Float32Array(2), 1, out, { tSeconds: -1 }), InvalidCrossbarOptionError)
    assert.throws(() => p.execute(h, new Float32Array(2), 1, out, { tSeconds: Number.NaN }), NonFiniteValueError)
    assert.throws(() => p.execute({ ...h, id: 999 }, new Float32Array(2), 1, out), UnknownHandleError)
    assert.throws(() => p.execute({ ...h, cols: 4 }, new Float32Array(2), 1, out), UnknownHandleError)
    assert.throws(() => createTilePool({ profile: p.profile, tiles: -1 }), InvalidCrossbarOptionError)
    assert.throws(() => createTilePool({ profile: p.profile, tiles: 1.5 }), InvalidCrossbarOptionError)
  })

  it('uses the WebAssembly kernel by default where it is built, with the same ideal results', () => {
    const wasm = pool('ideal', 1)
    const ts = pool('ideal', 1, 32, true)
    assert.equal(ts.kernelName, 'typescript')
    // kernel.wasm sits in dist/ once `npm run build:wasm` ran; only then must the default be the WASM kernel.
    if (existsSync(new URL('../dist/kernel.wasm', import.meta.url)) || existsSync(new URL('../kernel.wasm', import.meta.url))) {
      assert.equal(wasm.kernelName, 'wasm-simd')
    }
    const s = spec(31, 17, 1, 2)
    const x = Float32Array.from({ length: 2 * 31 }, (_, i) => Math.sin(i))
    const outs = [wasm, ts].map(p => {
      const out = new Float32Array(2 * 17)
      p.execute(p.programBlock(p.allocateTile(), s), x, 2, out)
      return out
    })
    const ref = reference(s, x, 2)
    for (const out of outs) {
      for (let c = 0; c < out.length; c++) assert.ok(Math.abs(out[c] - ref[c]) <= 33 * 2 ** -24 * 40)
    }
  })
})
