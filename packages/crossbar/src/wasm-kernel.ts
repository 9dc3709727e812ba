import { readFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { InvalidShapeError, KernelUnavailableError, ShapeMismatchError, UnknownKernelMatrixError } from './errors.js'
import { createReferenceKernel } from './reference-kernel.js'
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
}

interface KernelExports {
  memory: WebAssembly.Memory
  packedBytes: (rows: number, cols: number) => number
  alloc: (bytes: number) => number
  release: (ptr: number) => void
  pack: (src: number, dst: number, rows: number, cols: number) => void
  mvm: (packed: number, rows: number, cols: number, x: number, batch: number, out: number) => void
}

interface WasmMatrix extends KernelMatrix {
  readonly ptr: number
}

/** Where the built module may be: next to the compiled JS (dist/src → dist), or from src/ under `development`. */
const KERNEL_URLS = [new URL('../kernel.wasm', import.meta.url), new URL('../dist/kernel.wasm', import.meta.url)]

const BUILD_HINT = 'run `npm run build:wasm` (asc assembly/kernel.ts) to build packages/crossbar/dist/kernel.wasm'

let cachedModule: WebAssembly.Module | undefined
let pendingModule: Promise<WebAssembly.Module> | undefined

function unavailable (bytes: Uint8Array<ArrayBuffer>): KernelUnavailableError | undefined {
  if (WebAssembly.validate(bytes)) return undefined
  return new KernelUnavailableError('kernel.wasm does not validate: this runtime lacks WebAssembly SIMD (or the file is damaged)')
}

function isMissingFile (err: unknown): boolean {
  return (err as NodeJS.ErrnoException)?.code === 'ENOENT'
}

function readKernelBytesSync (): Uint8Array<ArrayBuffer> {
  for (const url of KERNEL_URLS) {
    try {
      return new Uint8Array(readFileSync(url))
    } catch (err) {
      if (!isMissingFile(err)) throw err
    }
  }
  throw new KernelUnavailableError(`kernel.wasm not found: ${BUILD_HINT}`)
}

async function readKernelBytes (): Promise<Uint8Array<ArrayBuffer>> {
  for (const url of KERNEL_URLS) {
    try {
      return new Uint8Array(await readFile(url))
    } catch (err) {
      if (!isMissingFile(err)) throw err
    }
  }
  throw new KernelUnavailableError(`kernel.wasm not found: ${BUILD_HINT}`)
}

function compileModuleSync (): WebAssembly.Module {
  if (cachedModule != null) return cachedModule
  const bytes = readKernelBytesSync()
  const error = unavailable(bytes)
  if (error != null) throw error
  cachedModule = new WebAssembly.Module(bytes)
  return cachedModule
}

async function compileModule (): Promise<WebAssembly.Module> {
  if (cachedModule != null) return cachedModule
  pendingModule ??= (async () => {
    const bytes = await readKernelBytes()
    const error = unavailable(bytes)
    if (error != null) throw error
    cachedModule ??= await WebAssembly.compile(bytes)
    return cachedModule
  })()
  try {
    return await pendingModule
  } finally {
    // A failed attempt (say, the module was not built yet) must not be remembered forever.
    pendingModule = undefined
  }
}

function checkDimension (name: string, value: number): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new InvalidShapeError(`${name} must be a positive integer, got ${value}`)
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
  const exports = instance.exports as unknown as KernelExports
  const memory = exports.memory

  let heap = new Float32Array(memory.buffer)
  const live = new WeakSet<KernelMatrix>()
  let scratchPtr = 0
  let scratchBytes = 0

  /** Allocates and re-views memory, which a grow detaches. */
  function alloc (bytes: number): number {
    let ptr: number
    try {
      // Addresses above 2 GiB come back as negative i32s; >>> 0 reads them as the unsigned offsets they are.
      ptr = exports.alloc(bytes) >>> 0
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) throw new RangeError(`WebAssembly kernel memory exhausted allocating ${bytes} bytes`)
      throw err
    }
    if (heap.buffer !== memory.buffer) heap = new Float32Array(memory.buffer)
    return ptr
  }

  /** Ensures one scratch region of at least `bytes`; grows geometrically so varying batches settle quickly. */
  function scratch (bytes: number): number {
    if (bytes > scratchBytes) {
      const size = Math.max(bytes, 2 * scratchBytes, 4096)
      if (scratchPtr !== 0) {
        exports.release(scratchPtr)
        scratchPtr = 0
        scratchBytes = 0
      }
      scratchPtr = alloc(size)
      scratchBytes = size
    }
    return scratchPtr
  }

  function checkHandle (handle: KernelMatrix): WasmMatrix {
    if (!live.has(handle)) throw new UnknownKernelMatrixError()
    return handle as WasmMatrix
  }

  /** Copies a row-major matrix into scratch and packs it into `dst`. */
  function packInto (dst: number, matrix: Float32Array, rows: number, cols: number): void {
    const src = scratch(rows * cols * 4)
    heap.set(matrix, src >>> 2)
    exports.pack(src, dst, rows, cols)
  }

  return {
    name: 'wasm-simd',
    load (matrix, rows, cols) {
      checkDimension('rows', rows)
      checkDimension('cols', cols)
      if (matrix.length !== rows * cols) throw new ShapeMismatchError(`matrix has ${matrix.length} values, shape ${rows}×${cols} needs ${rows * cols}`)
      const ptr = alloc(exports.packedBytes(rows, cols) >>> 0)
      try {
        packInto(ptr, matrix, rows, cols)
      } catch (err) {
        exports.release(ptr)
        throw err
      }
      const handle: WasmMatrix = Object.freeze({ rows, cols, ptr })
      live.add(handle)
      return handle
    },
    update (handle, matrix) {
      const { rows, cols, ptr } = checkHandle(handle)
      if (matrix.length !== rows * cols) throw new ShapeMismatchError(`matrix has ${matrix.length} values, handle holds ${rows}×${cols}`)
      packInto(ptr, matrix, rows, cols)
    },
    mvm (handle, x, batch, out) {
      const { rows, cols, ptr } = checkHandle(handle)
      if (!Number.isSafeInteger(batch) || batch < 0) throw new InvalidShapeError(`batch must be a non-negative integer, got ${batch}`)
      const xLength = batch * rows
      const outLength = batch * cols
      if (x.length < xLength) throw new ShapeMismatchError(`input has ${x.length} values, batch ${batch}×${rows} needs ${xLength}`)
      if (out.length < outLength) throw new ShapeMismatchError(`output has ${out.length} values, batch ${batch}×${cols} needs ${outLength}`)
      if (batch === 0) return
      // x, then out at the next 16-byte boundary.
      const outOffsetFloats = Math.ceil(xLength / 4) * 4
      const base = scratch((outOffsetFloats + outLength) * 4)
      const xIndex = base >>> 2
      const outIndex = xIndex + outOffsetFloats
      heap.set(x.length === xLength ? x : x.subarray(0, xLength), xIndex)
      exports.mvm(ptr, rows, cols, base, batch, base + outOffsetFloats * 4)
      out.set(heap.subarray(outIndex, outIndex + outLength))
    },
    free (handle) {
      const { ptr } = checkHandle(handle)
      live.delete(handle)
      exports.release(ptr)
    },
    memoryBytes () {
      return memory.buffer.byteLength
    }
  }
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

/**
 * The best kernel this runtime supports: the WebAssembly SIMD kernel, or the TypeScript reference kernel where
 * WebAssembly SIMD is missing. A missing kernel.wasm is a build error and still throws.
 */
export async function loadDefaultKernel (): Promise<MvmKernel> {
  if (cachedModule == null && !WebAssembly.validate(await readKernelBytes())) return createReferenceKernel()
  return await createWasmKernel()
}
