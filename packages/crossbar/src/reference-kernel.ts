import { ShapeMismatchError } from './errors.js'
import type { KernelMatrix, MvmKernel } from './kernel.js'

interface ReferenceMatrix extends KernelMatrix {
  values: Float32Array
}

/**
 * Plain TypeScript batched MVM: the reference the WebAssembly kernel is tested against, and the fallback where
 * WebAssembly SIMD is unavailable. Accumulates in float64 per output so it is also the accuracy reference.
 */
export function createReferenceKernel (): MvmKernel {
  return {
    name: 'typescript',
    load (matrix, rows, cols) {
      if (matrix.length !== rows * cols) throw new ShapeMismatchError(`matrix has ${matrix.length} values, shape ${rows}×${cols} needs ${rows * cols}`)
      const handle: ReferenceMatrix = { rows, cols, values: Float32Array.from(matrix) }
      return handle
    },
    update (handle, matrix) {
      const m = handle as ReferenceMatrix
      if (matrix.length !== m.values.length) throw new ShapeMismatchError(`matrix has ${matrix.length} values, handle holds ${m.values.length}`)
      m.values.set(matrix)
    },
    mvm (handle, x, batch, out) {
      const { rows, cols, values } = handle as ReferenceMatrix
      if (x.length < batch * rows) throw new ShapeMismatchError(`input has ${x.length} values, batch ${batch}×${rows} needs ${batch * rows}`)
      if (out.length < batch * cols) throw new ShapeMismatchError(`output has ${out.length} values, batch ${batch}×${cols} needs ${batch * cols}`)
      const acc = new Float64Array(cols)
      for (let b = 0; b < batch; b++) {
        acc.fill(0)
        const xOffset = b * rows
        for (let r = 0; r < rows; r++) {
          const xr = x[xOffset + r]
          if (xr === 0) continue
          const gOffset = r * cols
          for (let c = 0; c < cols; c++) acc[c] += xr * values[gOffset + c]
        }
        const outOffset = b * cols
        for (let c = 0; c < cols; c++) out[outOffset + c] = acc[c]
      }
    },
    free (handle) {
      (handle as ReferenceMatrix).values = new Float32Array(0)
    }
  }
}
