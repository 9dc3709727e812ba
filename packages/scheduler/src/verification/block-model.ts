/**
 * The expected squared error ‖y − x·W‖² of one input vector through a shard held by an honest device, from the
 * device's noise model (docs/crossbar.md). A peer cuts a shard into tile-sized blocks, programs each with its own
 * scale max|W_block| and adds the row blocks' partial sums digitally (peer/executor/shard-executor.ts), so the
 * errors of the blocks add. For one block, in normalised units (x̃ = x / max|x|, w̃ = w / max|W|):
 *
 *   E‖ẽ‖² = Σ_i x̃_i² a_i  +  f² (Σ_{i: x_i ≠ 0} d_i + c_out)
 *
 * - a_i = Σ_j E[Δw̃_ij²]: programming noise, stuck devices, drift after compensation and read noise
 *   (cell-error.ts). Read noise is applied per output with a rank-1 variance profile, which keeps every row's total
 *   noise power, so the sum over outputs is exact.
 * - d_i = δ_DAC²/12 · Σ_j w̃_ij²: the DAC's rounding of each non-zero input, at most half a step, taken as uniform.
 * - c_out = α² · cols · (σ_out² + δ_ADC²/12): output noise and ADC rounding, scaled by the drift compensation α.
 * - f: the input reduction of iterative bound management (a re-read at 1/f of the input scales the additive
 *   errors by f once scaled back), read off the returned outputs.
 *
 * In output units the block's term is multiplied by (max|x| · max|W|)². A float32 rounding term bounds what an
 * exact device still differs by. Level quantisation (rram) is no error: the reference weights are quantised the
 * same way (`referenceWeights`).
 */
import { crossbarConstants } from '@tessera/crossbar'
import type { DeviceProfile } from '@tessera/crossbar'
import { cellErrorModel } from './cell-error.js'

/** float32 unit roundoff. */
const F32_EPS = 2 ** -24

/** One tile-sized block of a shard and its error coefficients. */
export interface BlockErrorModel {
  rowStart: number
  rows: number
  colStart: number
  cols: number
  /** max |W| of the block (1 for an all-zero block). */
  wScale: number
  /** a_i of the module comment, per row of the block. */
  weightNoise: Float64Array
  /** d_i of the module comment, per row of the block. */
  dacNoise: Float64Array
  /** c_out of the module comment. */
  outputNoise: number
  /** Σ W_block² (for the float32 rounding term). */
  frobeniusSquare: number
}

/** The blocks of a `rows × cols` shard on tiles of `geometry`, in the peer's order (row blocks, then column blocks). */
function blockGrid (rows: number, cols: number, profile: DeviceProfile): Array<{ rowStart: number, rows: number, colStart: number, cols: number }> {
  const g = profile.geometry
  const out = []
  for (let r = 0; r < rows; r += g.rows) {
    for (let c = 0; c < cols; c += g.cols) out.push({ rowStart: r, rows: Math.min(g.rows, rows - r), colStart: c, cols: Math.min(g.cols, cols - c) })
  }
  return out
}

/** max |w| over a block. */
function blockMax (weights: Float32Array, cols: number, b: { rowStart: number, rows: number, colStart: number, cols: number }): number {
  let max = 0
  for (let i = b.rowStart; i < b.rowStart + b.rows; i++) {
    for (let j = b.colStart; j < b.colStart + b.cols; j++) max = Math.max(max, Math.abs(weights[i * cols + j]))
  }
  return max > 0 ? max : 1
}

/** Drift compensation factor α ≈ Σ|w̃| / Σ|w̃|·E[D]: the ratio of the mean readouts the device compares. */
function compensation (weights: Float32Array, cols: number, b: { rowStart: number, rows: number, colStart: number, cols: number }, wScale: number, meanDrift: (m: number) => number): number {
  let now = 0
  let then = 0
  for (let i = b.rowStart; i < b.rowStart + b.rows; i++) {
    for (let j = b.colStart; j < b.colStart + b.cols; j++) {
      const m = Math.abs(weights[i * cols + j]) / wScale
      then += m
      now += m * meanDrift(m)
    }
  }
  return now > 0 ? then / now : 1
}

/**
 * The error model of every block of a `rows × cols` shard (row-major `weights`, the crossbar's W^T) held on a
 * device of `profile`, `ageSeconds` after programming.
 */
export function shardErrorModel (profile: DeviceProfile, weights: Float32Array, rows: number, cols: number, ageSeconds: number): BlockErrorModel[] {
  const cells = cellErrorModel(profile, ageSeconds)
  const dacStep = profile.dacBits > 0 ? (2 * profile.inputBound) / (2 ** profile.dacBits - 2) : 0
  const adcStep = profile.adcBits > 0 ? (2 * profile.outputBound) / (2 ** profile.adcBits - 2) : 0
  return blockGrid(rows, cols, profile).map((b) => {
    const wScale = blockMax(weights, cols, b)
    const alpha = cells.compensated ? compensation(weights, cols, b, wScale, cells.meanDrift) : 1
    const weightNoise = new Float64Array(b.rows)
    const dacNoise = new Float64Array(b.rows)
    let frobeniusSquare = 0
    for (let i = 0; i < b.rows; i++) {
      let a = 0
      let d = 0
      for (let j = b.colStart; j < b.colStart + b.cols; j++) {
        const w = weights[(b.rowStart + i) * cols + j]
        const m = Math.abs(w) / wScale
        a += cells.secondMoment(m, alpha)
        d += m * m
        frobeniusSquare += w * w
      }
      weightNoise[i] = a
      dacNoise[i] = (d * dacStep * dacStep) / 12
    }
    const outputNoise = profile.deviceModel === 'ideal' ? 0 : alpha * alpha * b.cols * (profile.outputNoise ** 2 + (adcStep * adcStep) / 12)
    return { ...b, wScale, weightNoise, dacNoise, outputNoise, frobeniusSquare }
  })
}

/**
 * The weights an honest device realises on average: level-quantised per block as the device programs them
 * (`round(m·(L − 1)) / (L − 1)` of the block's max|W|), the weights themselves on a continuous device.
 */
export function referenceWeights (profile: DeviceProfile, weights: Float32Array, rows: number, cols: number): Float32Array {
  const levels = profile.deviceModel === 'ideal' ? 0 : profile.conductanceLevels
  if (levels < 2) return weights
  const out = new Float32Array(weights.length)
  for (const b of blockGrid(rows, cols, profile)) {
    const wScale = blockMax(weights, cols, b)
    for (let i = b.rowStart; i < b.rowStart + b.rows; i++) {
      for (let j = b.colStart; j < b.colStart + b.cols; j++) {
        const w = weights[i * cols + j]
        out[i * cols + j] = Math.sign(w) * (Math.round((Math.abs(w) / wScale) * (levels - 1)) / (levels - 1)) * wScale
      }
    }
  }
  return out
}

/** Input reduction bound management applied to a block whose largest normalised output is `yMax`. */
function boundReduction (profile: DeviceProfile, yMax: number): number {
  if (profile.boundManagement !== 'iterative' || profile.outputBound <= 0 || yMax <= profile.outputBound) return 1
  const dacStep = profile.dacBits > 0 ? (2 * profile.inputBound) / (2 ** profile.dacBits - 2) : 1
  const maxReduction = Math.min(crossbarConstants.AIHWKIT_MAX_BM_FACTOR, crossbarConstants.AIHWKIT_MAX_BM_RES / dacStep)
  return Math.min(maxReduction, 2 ** Math.ceil(Math.log2(yMax / profile.outputBound)))
}

/**
 * E‖y − x·W_ref‖² of one input vector `x` (length rows) through the shard, given the returned output `y` (length
 * cols; read only to tell the bound-management reduction the device had to apply).
 */
export function expectedSquaredError (profile: DeviceProfile, blocks: readonly BlockErrorModel[], x: Float32Array, xOffset: number, y: Float32Array, yOffset: number): number {
  let total = 0
  const absMax = profile.noiseManagement === 'abs-max'
  for (const b of blocks) {
    let xMax = 0
    let xSquare = 0
    for (let i = 0; i < b.rows; i++) {
      const v = x[xOffset + b.rowStart + i]
      xMax = Math.max(xMax, Math.abs(v))
      xSquare += v * v
    }
    if (xMax === 0) continue
    const scale = absMax ? xMax : 1
    let weight = 0
    let dac = 0
    for (let i = 0; i < b.rows; i++) {
      const v = x[xOffset + b.rowStart + i]
      if (v === 0) continue
      weight += (v / scale) * (v / scale) * b.weightNoise[i]
      dac += b.dacNoise[i]
    }
    let yMax = 0
    for (let j = 0; j < b.cols; j++) yMax = Math.max(yMax, Math.abs(y[yOffset + b.colStart + j]))
    const f = boundReduction(profile, yMax / (scale * b.wScale))
    const unit = scale * b.wScale
    const rounding = ((b.rows + 8) * F32_EPS) ** 2 * xSquare * b.frobeniusSquare
    total += unit * unit * (weight + f * f * (dac + b.outputNoise)) + rounding
  }
  return total
}
