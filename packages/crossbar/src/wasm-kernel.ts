import { KernelUnavailableError, ShapeMismatchError, UnknownHandleError } from './errors.js'
import { createReferenceKernel } from './reference-kernel.js'
import { compileModule, compileModuleSync, kernelModuleRuns } from './wasm-module.js'
import type { KernelMatrix, MvmKernel } from './kernel.js'

/**
 * The WebAssembly SIMD kernel. Matrices live packed in the module's linear memory (one instance, hence one
 * memory, per kernel); `mvm` copies x in, runs the SIMD loop and copies y out.
 *
 * Each output is summed in float32 over the rows in ascending order with separate multiply and add roundings,
 * so results are bit-identical on every machine (and equal to a sequential float32 loop).
 */
export interface WasmKernel extends MvmKernel {
  /** Bytes of WebAssembly linear memory this kernel holds (it grows on demand and never shrinks). */
  memoryBytes (): number
  /** The module's analog peripheral functions, sharing this kernel's memory (see {@link AnalogEngine}). */
  analogEngine (): AnalogEngine
}

/**
 * The analog peripheral circuits of assembly/analog.ts on one module instance: DAC, read and output noise,
 * ADC, clipping. Arguments are byte offsets into the instance's memory, allocated with `alloc`; see
 * assembly/analog.ts for each function's contract. Deterministic: WebAssembly float32 arithmetic in a fixed order
 * and a counter-based generator, so results are bit-identical on every machine.
 */
export interface AnalogEngine {
  /** Allocates `bytes` (16-byte aligned); the memory may grow, so re-read the views afterwards. */
  alloc (bytes: number): number
  release (ptr: number): void
  /** Views of the whole memory, made anew after the memory grew. */
  f32 (): Float32Array
  i32 (): Int32Array
  measure (x: number, rows: number, batch: number, absMax: number, sumSq: number): void
  prepare (x: number, rows: number, count: number, index: number, levels: number, scales: number, inputScale: number,
    mode: number, limit: number, rowWeight: number, dst: number, power: number): void
  finalize (y: number, cols: number, count: number, index: number, levels: number, power: number, colVar: number,
    outVar: number, readOn: boolean, adcStep: number, bound: number, keyLo: number, keyHi: number, scales: number,
    outScale: number, out: number, clipped: number, z: number, maxAbs: number, argMax: number): number
  normals (keyLo: number, keyHi: number, vector: number, level: number, count: number, dst: number): void
  /** Whether `handle` is a live matrix of this instance's kernel (`mvmAt` and `probe` need one). */
  owns (handle: KernelMatrix): boolean
  /** `analogProbe` on a matrix of this instance's kernel. */
  probe (handle: KernelMatrix, x: number, vector: number, level: number, scales: number, inputScale: number, mode: number,
    limit: number, rowWeight: number, codes: number, col: number, colVar: number, outVar: number, readOn: boolean,
    adcStep: number, bound: number, keyLo: number, keyHi: number, z: number): boolean
  /**
   * Runs the kernel on inputs and outputs already in this memory, without copies, when `handle` is a live
   * matrix of this instance's kernel; returns false (and does nothing) for any other handle.
   */
  mvmAt (handle: KernelMatrix, x: number, batch: number, out: number): boolean
}

/** `AnalogEngine.prepare` modes, as in assembly/analog.ts. */
export const ANALOG_MODE_SCALE = 0
export const ANALOG_MODE_CLIP = 1
export const ANALOG_MODE_DAC = 2

interface KernelExports {
  memory: WebAssembly.Memory
  packedBytes: (rows: number, cols: number) => number
  alloc: (bytes: number) => number
  release: (ptr: number) => void
  pack: (src: number, dst: number, rows: number, cols: number) => void
  mvm: (packed: number, rows: number, cols: number, x: number, batch: number, out: number) => void
  analogMeasure: (x: number, rows: number, batch: number, absMax: number, sumSq: number) => void
  analogPrepare: (x: number, rows: number, count: number, index: number, levels: number, scales: number, inputScale: number,
    mode: number, limit: number, rowWeight: number, dst: number, power: number) => void
  analogFinalize: (y: number, cols: number, count: number, index: number, levels: number, power: number, colVar: number,
    outVar: number, readOn: number, adcStep: number, bound: number, keyLo: number, keyHi: number, scales: number,
    outScale: number, out: number, clipped: number, z: number, maxAbs: number, argMax: number) => number
  analogNormals: (keyLo: number, keyHi: number, vector: number, level: number, count: number, dst: number) => void
  analogProbe: (packed: number, rows: number, x: number, vector: number, level: number, scales: number, inputScale: number,
    mode: number, limit: number, rowWeight: number, codes: number, col: number, colVar: number, outVar: number,
    readOn: number, adcStep: number, bound: number, keyLo: number, keyHi: number, z: number) => number
}

interface WasmMatrix extends KernelMatrix {
  readonly ptr: number
}

function checkDimension (name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new ShapeMismatchError(`${name} must be a positive integer, got ${value}`)
}

function instantiate (module: WebAssembly.Module): WasmKernel {
  const instance = new WebAssembly.Instance(module, {
    env: {
      // AssemblyScript reports a failed allocation (and any other runtime error) through this import.
      abort (_message: number, _file: number, line: number, column: number): never {
        throw new RangeError(`WebAssembly kernel aborted at assembly/kernel.ts:${line}:${column} (allocation too large?)`)
      }
    }
  })
  const memory = new KernelMemory(instance.exports as unknown as KernelExports)
  return kernelOn(memory, analogEngineOn(memory))
}

/** One instance's linear memory: allocations, one scratch region for copies, and the matrices it holds. */
class KernelMemory {
  readonly exports: KernelExports
  /** Matrices loaded and not freed. */
  readonly live = new WeakSet<KernelMatrix>()
  /** Float view of the memory, renewed by `alloc` when a grow detached it. */
  heap: Float32Array
  private scratchPtr = 0
  private scratchBytes = 0
  private views: { buffer: ArrayBufferLike, f32: Float32Array, i32: Int32Array } | undefined

  constructor (exports: KernelExports) {
    this.exports = exports
    this.heap = new Float32Array(exports.memory.buffer)
  }

  /** Allocates and re-views memory, which a grow detaches. */
  alloc (bytes: number): number {
    let ptr: number
    try {
      // Addresses above 2 GiB come back as negative i32s; >>> 0 reads them as the unsigned offsets they are.
      ptr = this.exports.alloc(bytes) >>> 0
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) throw new RangeError(`WebAssembly kernel memory exhausted allocating ${bytes} bytes`)
      throw err
    }
    if (this.heap.buffer !== this.exports.memory.buffer) this.heap = new Float32Array(this.exports.memory.buffer)
    return ptr
  }

  /** Ensures one scratch region of at least `bytes`; grows geometrically so varying batches settle quickly. */
  scratch (bytes: number): number {
    if (bytes > this.scratchBytes) {
      const size = Math.max(bytes, 2 * this.scratchBytes, 4096)
      if (this.scratchPtr !== 0) {
        this.exports.release(this.scratchPtr)
        this.scratchPtr = 0
        this.scratchBytes = 0
      }
      this.scratchPtr = this.alloc(size)
      this.scratchBytes = size
    }
    return this.scratchPtr
  }

  checkHandle (handle: KernelMatrix): WasmMatrix {
    if (!this.live.has(handle)) throw new UnknownHandleError('kernel matrix handle is freed or belongs to another kernel')
    return handle as WasmMatrix
  }

  /** Copies a row-major matrix into scratch and packs it into `dst`. */
  packInto (dst: number, matrix: Float32Array, rows: number, cols: number): void {
    const src = this.scratch(rows * cols * 4)
    this.heap.set(matrix, src >>> 2)
    this.exports.pack(src, dst, rows, cols)
  }

  /** Views of the whole memory for the analog engine, made anew after the memory grew. */
  currentViews (): { f32: Float32Array, i32: Int32Array } {
    const memory = this.exports.memory
    if (this.views === undefined || this.views.buffer !== memory.buffer) {
      const buffer = memory.buffer
      this.views = { buffer, f32: new Float32Array(buffer), i32: new Int32Array(buffer) }
    }
    return this.views
  }
}

/** The analog engine of an instance: its exports over its memory. */
function analogEngineOn (memory: KernelMemory): AnalogEngine {
  const exports = memory.exports
  return {
    alloc: (bytes) => memory.alloc(bytes),
    release: (ptr) => { exports.release(ptr) },
    f32: () => memory.currentViews().f32,
    i32: () => memory.currentViews().i32,
    measure: (x, rows, batch, absMax, sumSq) => { exports.analogMeasure(x, rows, batch, absMax, sumSq) },
    prepare: (x, rows, count, index, levels, scales, inputScale, mode, limit, rowWeight, dst, power) => {
      exports.analogPrepare(x, rows, count, index, levels, scales, inputScale, mode, limit, rowWeight, dst, power)
    },
    finalize: (y, cols, count, index, levels, power, colVar, outVar, readOn, adcStep, bound, keyLo, keyHi, scales, outScale, out, clipped, z, maxAbs, argMax) =>
      exports.analogFinalize(y, cols, count, index, levels, power, colVar, outVar, readOn ? 1 : 0, adcStep, bound, keyLo, keyHi, scales, outScale, out, clipped, z, maxAbs, argMax),
    normals: (keyLo, keyHi, vector, level, count, dst) => { exports.analogNormals(keyLo, keyHi, vector, level, count, dst) },
    owns: (handle) => memory.live.has(handle),
    probe (handle, x, vector, level, scales, inputScale, mode, limit, rowWeight, codes, col, colVar, outVar, readOn, adcStep, bound, keyLo, keyHi, z) {
      const { rows, ptr } = memory.checkHandle(handle)
      return exports.analogProbe(ptr, rows, x, vector, level, scales, inputScale, mode, limit, rowWeight, codes, col, colVar, outVar,
        readOn ? 1 : 0, adcStep, bound, keyLo, keyHi, z) !== 0
    },
    mvmAt (handle, x, batch, out) {
      if (!memory.live.has(handle)) return false
      const { rows, cols, ptr } = handle as WasmMatrix
      if (batch > 0) exports.mvm(ptr, rows, cols, x, batch, out)
      return true
    }
  }
}

/** The MVM kernel of an instance. */
function kernelOn (memory: KernelMemory, engine: AnalogEngine): WasmKernel {
  const exports = memory.exports
  return {
    name: 'wasm-simd',
    analogEngine: () => engine,
    load (matrix, rows, cols) {
      checkDimension('rows', rows)
      checkDimension('cols', cols)
      if (matrix.length !== rows * cols) throw new ShapeMismatchError(`matrix has ${matrix.length} values, shape ${rows}×${cols} needs ${rows * cols}`)
      const ptr = memory.alloc(exports.packedBytes(rows, cols) >>> 0)
      try {
        memory.packInto(ptr, matrix, rows, cols)
      } catch (err) {
        exports.release(ptr)
        throw err
      }
      const handle: WasmMatrix = Object.freeze({ rows, cols, ptr })
      memory.live.add(handle)
      return handle
    },
    update (handle, matrix) {
      const { rows, cols, ptr } = memory.checkHandle(handle)
      if (matrix.length !== rows * cols) throw new ShapeMismatchError(`matrix has ${matrix.length} values, handle holds ${rows}×${cols}`)
      memory.packInto(ptr, matrix, rows, cols)
    },
    mvm: (handle, x, batch, out) => { mvmThroughScratch(memory, handle, x, batch, out) },
    free (handle) {
      const { ptr } = memory.checkHandle(handle)
      memory.live.delete(handle)
      exports.release(ptr)
    },
    memoryBytes () {
      return exports.memory.buffer.byteLength
    }
  }
}

/** `mvm` on inputs and outputs outside the memory: x copied into scratch, y copied out. */
function mvmThroughScratch (memory: KernelMemory, handle: KernelMatrix, x: Float32Array, batch: number, out: Float32Array): void {
  const { rows, cols, ptr } = memory.checkHandle(handle)
  if (!Number.isSafeInteger(batch) || batch < 0) throw new ShapeMismatchError(`batch must be a non-negative integer, got ${batch}`)
  const xLength = batch * rows
  const outLength = batch * cols
  if (x.length < xLength) throw new ShapeMismatchError(`input has ${x.length} values, batch ${batch}×${rows} needs ${xLength}`)
  if (out.length < outLength) throw new ShapeMismatchError(`output has ${out.length} values, batch ${batch}×${cols} needs ${outLength}`)
  if (batch === 0) return
  // x, then out at the next 16-byte boundary.
  const outOffsetFloats = Math.ceil(xLength / 4) * 4
  const base = memory.scratch((outOffsetFloats + outLength) * 4)
  const xIndex = base >>> 2
  const outIndex = xIndex + outOffsetFloats
  memory.heap.set(x.length === xLength ? x : x.subarray(0, xLength), xIndex)
  memory.exports.mvm(ptr, rows, cols, base, batch, base + outOffsetFloats * 4)
  out.set(memory.heap.subarray(outIndex, outIndex + outLength))
}

/**
 * Creates a WebAssembly SIMD MVM kernel. The module is compiled once per process and cached; every kernel gets
 * its own instance and memory.
 *
 * @throws KernelUnavailableError when kernel.wasm is not built or the runtime lacks WebAssembly SIMD
 * @example
 * ```ts
 * const kernel = await createWasmKernel()
 * const g = kernel.load(new Float32Array([1, 2, 3, 4, 5, 6]), 2, 3) // 2 rows (inputs) × 3 cols (outputs)
 * const y = new Float32Array(3)
 * kernel.mvm(g, new Float32Array([1, 1]), 1, y) // y = [5, 7, 9]
 * kernel.free(g)
 * ```
 */
export async function createWasmKernel (): Promise<WasmKernel> {
  return instantiate(await compileModule())
}

/** Synchronous {@link createWasmKernel}: compiles with `new WebAssembly.Module(bytes)` on first use. */
export function createWasmKernelSync (): WasmKernel {
  return instantiate(compileModuleSync())
}

let sharedEngine: AnalogEngine | null | undefined

/**
 * One process-wide {@link AnalogEngine} (its own module instance) for blocks whose kernel is not a WebAssembly
 * kernel, or undefined where kernel.wasm is unavailable (not built, or no WebAssembly SIMD).
 */
export function sharedAnalogEngine (): AnalogEngine | undefined {
  if (sharedEngine === undefined) {
    try {
      sharedEngine = createWasmKernelSync().analogEngine()
    } catch (err) {
      if (!(err instanceof KernelUnavailableError)) throw err
      sharedEngine = null
    }
  }
  return sharedEngine ?? undefined
}

/**
 * The best kernel this runtime supports: the WebAssembly SIMD kernel, or the TypeScript reference kernel where
 * WebAssembly SIMD is missing. A missing kernel.wasm is a build error and still throws.
 */
export async function loadDefaultKernel (): Promise<MvmKernel> {
  if (!await kernelModuleRuns()) return createReferenceKernel()
  return await createWasmKernel()
}
