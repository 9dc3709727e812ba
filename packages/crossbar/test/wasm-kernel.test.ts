import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import { describe, it } from 'node:test'
import fc from 'fast-check'
import { ShapeMismatchError, UnknownHandleError } from '../src/errors.js'
import { createRng } from '../src/random.js'
import { createReferenceKernel } from '../src/reference-kernel.js'
import { createWasmKernel, createWasmKernelSync, loadDefaultKernel } from '../src/wasm-kernel.js'
import type { Rng } from '../src/random.js'
import { assertMeanAndVariance, assertNormalCdf } from './normal-checks.js'

/** Unit roundoff of float32 and float64. */
const U32 = 2 ** -24
const U64 = 2 ** -53
/** Smallest positive float32 (subnormal): the absolute rounding error of a result near underflow. */
const F32_TINY = 2 ** -149

function randomArray (rng: Rng, length: number): Float32Array {
  const values = new Float32Array(length)
  for (let i = 0; i < length; i++) values[i] = rng.nextNormal()
  return values
}

/**
 * y = x·G summed in float32, rows in ascending order, each product and each sum rounded once: the kernel's
 * documented arithmetic. Math.fround over a float64 operation of float32 operands is exactly the float32
 * operation (53 ≥ 2·24 + 2, so double rounding cannot occur).
 */
function sequentialFloat32 (g: Float32Array, rows: number, cols: number, x: Float32Array, batch: number): Float32Array {
  const out = new Float32Array(batch * cols)
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < cols; c++) {
      let acc = 0
      for (let r = 0; r < rows; r++) acc = Math.fround(acc + Math.fround(x[b * rows + r] * g[r * cols + c]))
      out[b * cols + c] = acc
    }
  }
  return out
}

/** γ_n = n·u / (1 − n·u): Higham's bound factor for an n-term dot product summed recursively. */
function gamma (n: number, u: number): number {
  return (n * u) / (1 - n * u)
}

describe('WebAssembly SIMD kernel', () => {
  it('computes y = x·G on a hand-checked example', async () => {
    const kernel = await createWasmKernel()
    assert.equal(kernel.name, 'wasm-simd')
    const g = kernel.load(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3)
    const y = new Float32Array(6)
    kernel.mvm(g, new Float32Array([1, 1, 2, -1]), 2, y)
    // [1 1]·[[1 2 3] [4 5 6]] = [5 7 9]; [2 −1]·… = [−2 −1 0]
    assert.deepEqual(Array.from(y), [5, 7, 9, -2, -1, 0])
  })

  it('agrees with the reference kernel within the float32 rounding bound on ragged shapes', async () => {
    const wasm = await createWasmKernel()
    const reference = createReferenceKernel()
    const shapes: Array<[number, number]> = [[1, 1], [3, 5], [127, 129], [513, 260]]
    for (const [rows, cols] of shapes) {
      for (const batch of [1, 67]) {
        const rng = createRng(`wasm-kernel/${rows}x${cols}/${batch}`)
        const gValues = randomArray(rng, rows * cols)
        const x = randomArray(rng, batch * rows)
        const gWasm = wasm.load(gValues, rows, cols)
        const gRef = reference.load(gValues, rows, cols)
        const yWasm = new Float32Array(batch * cols)
        const yRef = new Float32Array(batch * cols)
        wasm.mvm(gWasm, x, batch, yWasm)
        reference.mvm(gRef, x, batch, yRef)
        // Kernel: float32 recursive dot product, |ŷ − y| ≤ γ_rows(u32)·Σ|x·G|. Reference: float64 dot product
        // (≤ γ_rows(u64)·Σ|x·G|) rounded once to float32 (≤ u32·|y|, and |y| ≤ Σ|x·G|).
        const factor = gamma(rows, U32) + U32 * (1 + gamma(rows, U64)) + gamma(rows, U64)
        for (let b = 0; b < batch; b++) {
          for (let c = 0; c < cols; c++) {
            let absSum = 0
            for (let r = 0; r < rows; r++) absSum += Math.abs(x[b * rows + r] * gValues[r * cols + c])
            const bound = factor * absSum + 2 * rows * F32_TINY
            const error = Math.abs(yWasm[b * cols + c] - yRef[b * cols + c])
            assert.ok(error <= bound, `${rows}×${cols} batch ${batch} [${b},${c}]: |error| ${error} > bound ${bound}`)
          }
        }
        wasm.free(gWasm)
      }
    }
  })

  it('is bit-identical to a sequential float32 loop for every shape and batch (all tail kernels)', async () => {
    const kernel = await createWasmKernel()
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 80 }), fc.integer({ min: 0, max: 9 }), fc.integer(),
      (rows, cols, batch, seed) => {
        const rng = createRng(seed)
        const gValues = randomArray(rng, rows * cols)
        const x = randomArray(rng, batch * rows)
        const handle = kernel.load(gValues, rows, cols)
        const y = new Float32Array(batch * cols)
        kernel.mvm(handle, x, batch, y)
        kernel.free(handle)
        assert.deepEqual(y, sequentialFloat32(gValues, rows, cols, x, batch))
      }
    ), { seed: 20261125, numRuns: 150 })
  })

  it('writes exactly batch·cols outputs and reads exactly batch·rows inputs', async () => {
    const kernel = await createWasmKernel()
    const rows = 6
    const cols = 11
    const batch = 5
    const rng = createRng('wasm-kernel/bounds')
    const gValues = randomArray(rng, rows * cols)
    const x = randomArray(rng, batch * rows + 7)
    x.fill(Number.NaN, batch * rows)
    const handle = kernel.load(gValues, rows, cols)
    const y = new Float32Array(batch * cols + 9).fill(12345)
    kernel.mvm(handle, x, batch, y)
    assert.deepEqual(y.subarray(0, batch * cols), sequentialFloat32(gValues, rows, cols, x, batch))
    assert.ok(y.subarray(batch * cols).every((v) => v === 12345))
  })

  it('keeps matrices intact across many loads, frees, updates and memory growth', async () => {
    const kernel = await createWasmKernel()
    const rng = createRng('wasm-kernel/reuse')
    const live: Array<{ handle: ReturnType<typeof kernel.load>, values: Float32Array, rows: number, cols: number }> = []
    const loadRandom = (rows: number, cols: number): void => {
      const values = randomArray(rng, rows * cols)
      live.push({ handle: kernel.load(values, rows, cols), values, rows, cols })
    }
    for (let i = 0; i < 40; i++) loadRandom(1 + rng.nextInt(70), 1 + rng.nextInt(70))
    for (let i = live.length - 1; i >= 0; i -= 2) {
      kernel.free(live[i].handle)
      live.splice(i, 1)
    }
    for (let i = 0; i < 20; i++) loadRandom(1 + rng.nextInt(70), 1 + rng.nextInt(70))
    const before = kernel.memoryBytes()
    loadRandom(1024, 1024) // forces the linear memory to grow, which detaches earlier views of it
    assert.ok(kernel.memoryBytes() > before)
    const updated = live[3]
    updated.values = randomArray(rng, updated.rows * updated.cols)
    kernel.update(updated.handle, updated.values)
    for (const { handle, values, rows, cols } of live) {
      const batch = 1 + rng.nextInt(6)
      const x = randomArray(rng, batch * rows)
      const y = new Float32Array(batch * cols)
      kernel.mvm(handle, x, batch, y)
      assert.deepEqual(y, sequentialFloat32(values, rows, cols, x, batch))
    }
  })

  it('reuses freed memory: repeated load/free cycles do not grow the heap', async () => {
    const kernel = await createWasmKernel()
    const values = randomArray(createRng('wasm-kernel/leak'), 256 * 256)
    const x = new Float32Array(8 * 256).fill(1)
    const y = new Float32Array(8 * 256)
    const cycle = (): void => {
      const handles = [kernel.load(values, 256, 256), kernel.load(values, 256, 256)]
      kernel.mvm(handles[0], x, 8, y)
      for (const handle of handles) kernel.free(handle)
    }
    cycle()
    const settled = kernel.memoryBytes()
    // Without reuse each cycle would need 512 KiB more: 200 cycles would add 100 MiB.
    for (let i = 0; i < 200; i++) cycle()
    assert.equal(kernel.memoryBytes(), settled)
  })

  it('keeps kernels independent of each other', async () => {
    const a = await createWasmKernel()
    const b = createWasmKernelSync()
    const ga = a.load(new Float32Array([1, 2]), 1, 2)
    const gb = b.load(new Float32Array([3, 4]), 1, 2)
    const y = new Float32Array(2)
    a.mvm(ga, new Float32Array([2]), 1, y)
    assert.deepEqual(Array.from(y), [2, 4])
    b.mvm(gb, new Float32Array([2]), 1, y)
    assert.deepEqual(Array.from(y), [6, 8])
    assert.throws(() => { a.mvm(gb, new Float32Array([2]), 1, y) }, UnknownHandleError)
  })

  it('gives the same bits from the async, sync and default factories', async () => {
    const rng = createRng('wasm-kernel/factories')
    const values = randomArray(rng, 33 * 17)
    const x = randomArray(rng, 5 * 33)
    const results: Float32Array[] = []
    for (const kernel of [await createWasmKernel(), createWasmKernelSync(), await loadDefaultKernel()]) {
      const y = new Float32Array(5 * 17)
      kernel.mvm(kernel.load(values, 33, 17), x, 5, y)
      results.push(y)
    }
    assert.deepEqual(results[1], results[0])
    assert.deepEqual(results[2], results[0])
  })

  it('falls back to the reference kernel where WebAssembly SIMD is missing', () => {
    // A fresh process (no module cached yet) whose WebAssembly rejects every module, as a runtime without SIMD
    // rejects kernel.wasm; execArgv carries tsx and the development condition when the suite runs from src.
    const moduleUrl = new URL('../src/wasm-kernel.js', import.meta.url).href
    const script = `WebAssembly.validate = () => false
const { createWasmKernel, loadDefaultKernel } = await import(${JSON.stringify(moduleUrl)})
const fallback = await loadDefaultKernel()
const failure = await createWasmKernel().then(() => 'created', (err) => err.code)
console.log(JSON.stringify([fallback.name, failure]))`
    const output = execFileSync(process.execPath, [...process.execArgv.filter((arg) => !arg.startsWith('--test')), '--input-type=module', '-e', script], { encoding: 'utf8' })
    assert.deepEqual(JSON.parse(output), ['typescript', 'ERR_KERNEL_UNAVAILABLE'])
  })

  it('throws named errors for bad shapes and stale handles', async () => {
    const kernel = await createWasmKernel()
    assert.throws(() => kernel.load(new Float32Array(5), 2, 3), ShapeMismatchError)
    assert.throws(() => kernel.load(new Float32Array(0), 0, 3), ShapeMismatchError)
    assert.throws(() => kernel.load(new Float32Array(3), 1.5, 2), ShapeMismatchError)
    assert.throws(() => kernel.load(new Float32Array(3), 3, -1), ShapeMismatchError)
    const handle = kernel.load(new Float32Array(6), 2, 3)
    assert.throws(() => { kernel.update(handle, new Float32Array(5)) }, ShapeMismatchError)
    assert.throws(() => { kernel.mvm(handle, new Float32Array(3), 2, new Float32Array(6)) }, ShapeMismatchError)
    assert.throws(() => { kernel.mvm(handle, new Float32Array(4), 2, new Float32Array(5)) }, ShapeMismatchError)
    assert.throws(() => { kernel.mvm(handle, new Float32Array(4), -1, new Float32Array(6)) }, ShapeMismatchError)
    assert.throws(() => { kernel.mvm(handle, new Float32Array(4), 1.5, new Float32Array(6)) }, ShapeMismatchError)
    kernel.free(handle)
    assert.throws(() => { kernel.mvm(handle, new Float32Array(4), 2, new Float32Array(6)) }, UnknownHandleError)
    assert.throws(() => { kernel.update(handle, new Float32Array(6)) }, UnknownHandleError)
    assert.throws(() => { kernel.free(handle) }, UnknownHandleError)
    assert.throws(() => { kernel.mvm({ rows: 2, cols: 3 }, new Float32Array(4), 2, new Float32Array(6)) }, UnknownHandleError)
  })
})

describe('analog engine: counter-based normal deviates (assembly/analog.ts)', () => {
  // 1000 reads (vector, level) of 401 outputs each: every lane, many seeds, and a ragged last step.
  const reads = 1000
  const perRead = 401
  const n = reads * perRead
  const engine = createWasmKernelSync().analogEngine()
  const dst = engine.alloc((perRead + 3) * 4)
  const draw = (keyLo: number, keyHi: number, vector: number, level: number): Float32Array => {
    engine.normals(keyLo, keyHi, vector, level, perRead, dst)
    return engine.f32().slice(dst >>> 2, (dst >>> 2) + perRead)
  }
  const samples = new Float64Array(n)
  for (let r = 0; r < reads; r++) samples.set(draw(0x9e3779b9, 7, r >> 2, r & 3), r * perRead)

  it('has mean 0 and variance 1 within 5 standard errors', () => {
    assertMeanAndVariance(samples)
  })

  it('matches the normal CDF at the body, the layer edges and the tail (binomial 5σ bands)', () => {
    assertNormalCdf(samples)
  })

  it('draws uncorrelated outputs: neighbours, the same lane one step on, and the same output one level up', () => {
    // For independent N(0, 1) pairs the sample correlation has standard error 1/√m.
    const correlation = (pairs: Array<[number, number]>): number => pairs.reduce((s, [a, b]) => s + a * b, 0) / pairs.length
    const lagPairs = (lag: number): Array<[number, number]> => {
      const pairs: Array<[number, number]> = []
      for (let r = 0; r < reads; r++) for (let j = 0; j + lag < perRead; j++) pairs.push([samples[r * perRead + j], samples[r * perRead + j + lag]])
      return pairs
    }
    for (const lag of [1, 4]) {
      const pairs = lagPairs(lag)
      assert.ok(Math.abs(correlation(pairs)) <= 5 / Math.sqrt(pairs.length), `lag ${lag}: ${correlation(pairs)}`)
    }
    const levelPairs: Array<[number, number]> = []
    for (let r = 0; r < reads; r += 4) for (let j = 0; j < perRead; j++) levelPairs.push([samples[r * perRead + j], samples[(r + 1) * perRead + j]])
    assert.ok(Math.abs(correlation(levelPairs)) <= 5 / Math.sqrt(levelPairs.length), `levels: ${correlation(levelPairs)}`)
  })

  it('is a pure function of (key, vector, level): repeatable, and any change gives other deviates', () => {
    const base = draw(1, 2, 3, 4)
    assert.deepEqual(draw(1, 2, 3, 4), base)
    for (const other of [draw(2, 2, 3, 4), draw(1, 3, 3, 4), draw(1, 2, 4, 4), draw(1, 2, 3, 5)]) {
      assert.notDeepEqual(other, base)
    }
    // A fresh module instance (another kernel) gives the same bits.
    const second = createWasmKernelSync().analogEngine()
    const at = second.alloc((perRead + 3) * 4)
    second.normals(1, 2, 3, 4, perRead, at)
    assert.deepEqual(second.f32().slice(at >>> 2, (at >>> 2) + perRead), base)
  })

  it('measures max |x| and Σ x², and a non-finite input makes Σ x² non-finite', () => {
    const rows = 7
    const x = engine.alloc(3 * rows * 4)
    const absMax = engine.alloc(3 * 4)
    const sumSq = engine.alloc(3 * 4)
    const values = [0.5, -2, 1, 0, 0.25, -0.75, 1.5, 1, 2, NaN, 3, 4, 5, 6, -1, 0, Infinity, 0, 0, 0, 0]
    engine.f32().set(values, x >>> 2)
    engine.measure(x, rows, 3, absMax, sumSq)
    const f32 = engine.f32()
    assert.equal(f32[absMax >>> 2], 2)
    assert.equal(f32[sumSq >>> 2], Math.fround(0.25 + 4 + 1 + 0 + 0.0625 + 0.5625 + 2.25))
    assert.ok(Number.isNaN(f32[(sumSq >>> 2) + 1]))
    assert.equal(f32[(sumSq >>> 2) + 2], Infinity)
  })
})
