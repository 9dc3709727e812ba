/**
 * Argument checks of a weight block, shared by the exact and the analog paths so both reject bad input with the
 * same named errors before any state (time cache, noise generators) changes.
 */
import { DEFAULT_EXECUTE_T_SECONDS } from './constants.js'
import { InvalidCrossbarOptionError, NonFiniteValueError, ShapeMismatchError } from './errors.js'
import type { ExecuteOptions } from './physics-types.js'

export function checkShape (rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new ShapeMismatchError(`block shape must be positive integers, got ${rows}×${cols}`)
  }
}

/** Validates `execute` arguments shared by the exact and the analog path; returns t. */
export function checkExecute (rows: number, cols: number, x: Float32Array, batch: number, out: Float32Array, options: ExecuteOptions | undefined): number {
  if (!Number.isInteger(batch) || batch < 1) throw new ShapeMismatchError(`batch must be a positive integer, got ${batch}`)
  if (x.length < batch * rows) throw new ShapeMismatchError(`input has ${x.length} values, batch ${batch}×${rows} needs ${batch * rows}`)
  if (out.length < batch * cols) throw new ShapeMismatchError(`output has ${out.length} values, batch ${batch}×${cols} needs ${batch * cols}`)
  const t = options?.tSeconds ?? DEFAULT_EXECUTE_T_SECONDS
  if (!Number.isFinite(t)) throw new NonFiniteValueError(`tSeconds must be finite, got ${t}`)
  if (t < 0) throw new InvalidCrossbarOptionError(`tSeconds must be ≥ 0, got ${t}`)
  const key = options?.noiseKey
  if (key !== undefined && typeof key !== 'string' && !(typeof key === 'number' && Number.isFinite(key))) {
    throw new InvalidCrossbarOptionError(`noiseKey must be a string or a finite number, got ${String(key)}`)
  }
  return t
}

/**
 * Throws the named error for the first non-finite value of input vector `b`; returns when there is none (Σ x²
 * of large finite values overflowed float32).
 */
export function checkFinite (x: Float32Array, b: number, rows: number): void {
  for (let i = 0; i < rows; i++) {
    const v = x[b * rows + i]
    if (!Number.isFinite(v)) throw new NonFiniteValueError(`input ${b * rows + i} (vector ${b}, row ${i}) is ${v}`)
  }
}
