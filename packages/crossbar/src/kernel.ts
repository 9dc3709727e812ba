/**
 * The matrix-vector kernel contract shared by the WebAssembly SIMD kernel and the plain TypeScript reference.
 *
 * A kernel computes y = x · G for a batch of input vectors: G is a `rows × cols` row-major float32 matrix
 * (rows = word lines = inputs, cols = bit lines = outputs), x is `batch × rows` row-major and y is
 * `batch × cols` row-major. Kernels follow stdlib-js habits: typed arrays in, output passed in, explicit sizes,
 * no allocation in the hot loop.
 */

/** A matrix loaded into a kernel (for the WASM kernel it lives in WebAssembly memory). */
export interface KernelMatrix {
  readonly rows: number
  readonly cols: number
}

/** A batched MVM kernel. */
export interface MvmKernel {
  /** Human-readable kernel name, e.g. `wasm-simd` or `typescript`. */
  readonly name: string
  /** Copies a row-major `rows × cols` matrix into the kernel and returns a handle to it. */
  load (matrix: Float32Array, rows: number, cols: number): KernelMatrix
  /** Overwrites a loaded matrix's values in place (same shape). */
  update (handle: KernelMatrix, matrix: Float32Array): void
  /** out[b·cols + c] = Σ_r x[b·rows + r] · G[r·cols + c] for b < batch. */
  mvm (handle: KernelMatrix, x: Float32Array, batch: number, out: Float32Array): void
  /** Releases a loaded matrix; the handle must not be used afterwards. */
  free (handle: KernelMatrix): void
}
