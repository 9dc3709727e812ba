/** Windows of row-major matrices, as blocks of a matrix are cut out to be programmed on tiles. */

/** A window of a matrix: its top-left cell and its size. */
export interface MatrixWindow {
  row: number
  col: number
  rows: number
  cols: number
}

/** Copies `window` out of a row-major matrix of `matrixCols` columns into a new row-major `rows × cols` array. */
export function copySubmatrix (values: Float32Array, matrixCols: number, window: MatrixWindow): Float32Array {
  const out = new Float32Array(window.rows * window.cols)
  for (let i = 0; i < window.rows; i++) {
    const from = (window.row + i) * matrixCols + window.col
    out.set(values.subarray(from, from + window.cols), i * window.cols)
  }
  return out
}
