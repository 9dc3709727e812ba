/**
 * The array at a time t: the programmed conductances after drift and IR drop, in kernel units, pushed into the
 * kernel once per distinct t together with the read-noise variance profile of that t; and aihwkit's global
 * drift compensation (a reference readout at t against one at t = 0, cached for the last t).
 */
import type { KernelMatrix } from './kernel.js'
import { pcmEffectiveTime, pcmReadNoiseTimeFactor } from './physics-pcm.js'
import type { ProgrammedDevices } from './physics-program.js'
import { roundHalfEven } from './physics-scales.js'
import type { BlockScales } from './physics-scales.js'
import type { AnalogBlockInit } from './physics-types.js'
import { createRng } from './random.js'
import type { Rng } from './random.js'

/** Readout of drift compensation never divides by less than aihwkit's clamp of 1e−4. */
const READOUT_FLOOR = 1e-4

/** The block's array at the time of the last `updateTime`, as the kernel holds it. */
export interface DriftingArray {
  /** The kernel matrix; loaded by the first `updateTime`. */
  readonly handle: KernelMatrix | undefined
  /** Per-row share of the read-noise variance (row sums over the total; see `updateTime`). */
  readonly rowWeight: Float64Array
  /** Per-column read-noise variance, kernel units². */
  readonly colVar: Float64Array
  /** Some cell has read noise at the current t. */
  readonly readNoiseOn: boolean
  /** Bumped whenever rowWeight / colVar change, so copies of them elsewhere know when to refresh. */
  readonly noiseVersion: number
  /** Mean square of the kernel-unit matrix (for predicting output magnitudes). */
  readonly meanSquareK: number
  /**
   * Writes the kernel-unit matrix at time t into `target` and, when `onVariance` is given, reports each cell's
   * read-noise variance (kernel units²) to it.
   */
  cellsAt (t: number, target: Float32Array, onVariance: ((i: number, j: number, v: number) => void) | undefined): void
  /** Brings the kernel matrix and the noise profile to time t (a no-op when nothing depends on t or t is current). */
  updateTime (t: number): void
  /** Global drift-compensation factor α at time t (cached for the last t). */
  driftCompensationFactor (t: number): number
}

export function createDriftingArray (init: AnalogBlockInit, scales: BlockScales, devices: ProgrammedDevices): DriftingArray {
  const { profile, rows, cols, seed, kernel } = init
  const { wUnit, adcStep, boundOn } = scales
  const { gPlus, gMinus, nuPlus, nuMinus, qsPlus, qsMinus } = devices
  const n = rows * cols
  const rowOffset = init.rowOffset ?? 0
  const colOffset = init.colOffset ?? 0
  const gRange = profile.gMaxMicroSiemens - profile.gMinMicroSiemens
  const isPcm = profile.deviceModel === 'pcm'
  const isRram = profile.deviceModel === 'rram'

  const tileRows = profile.geometry.rows
  const tileCols = profile.geometry.cols
  const irDrop = profile.irDrop
  // Static first-order IR drop: the row driver sits at column 0 and the sense amplifier below the last row,
  // so a cell loses signal in proportion to its wire length to both; input-independent, fixed at programming.
  const irFactor = (i: number, j: number): number => irDrop === 0
    ? 1
    : 1 - irDrop * ((colOffset + j + 1) / tileCols + (tileRows - rowOffset - i) / tileRows) / 2

  const kbuf = new Float32Array(n)
  const rowWeight = new Float64Array(rows)
  const colVar = new Float64Array(cols)
  let readNoiseOn = false
  let handle: KernelMatrix | undefined
  let lastT = Number.NaN
  let noiseVersion = 0
  let meanSquareK = 0
  const timeDependent = isPcm && (profile.driftScale > 0 || profile.readNoiseScale > 0)
  const rramRead = isRram ? profile.readNoiseRelative : 0
  const driftT0 = profile.t0Seconds

  const cellsAt = (t: number, target: Float32Array, onVariance: ((i: number, j: number, v: number) => void) | undefined): void => {
    const tEff = pcmEffectiveTime(t, profile.tReadSeconds)
    const logT = tEff > driftT0 ? Math.log(tEff / driftT0) : 0
    const noiseT = isPcm ? pcmReadNoiseTimeFactor(t, profile.tReadSeconds) : 0
    const toK = 1 / (gRange * wUnit)
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const c = i * cols + j
        let gp = gPlus[c]
        let gm = gMinus[c]
        if (isPcm && logT > 0) {
          gp *= Math.exp(-nuPlus[c] * logT)
          gm *= Math.exp(-nuMinus[c] * logT)
        }
        const scale = irFactor(i, j) * toK
        target[c] = (gp - gm) * scale
        if (onVariance !== undefined) {
          let sp = 0
          let sm = 0
          if (isPcm) {
            sp = gp * qsPlus[c] * noiseT
            sm = gm * qsMinus[c] * noiseT
          } else if (rramRead > 0) {
            sp = gp * rramRead
            sm = gm * rramRead
          }
          onVariance(i, j, (sp * sp + sm * sm) * scale * scale)
        }
      }
    }
  }

  /**
   * Read noise is applied at the outputs: output j of a vector x has variance Σ_i x_i² V_ij. Computing that
   * exactly would be a second MVM (x² against V) per vector. Instead V is replaced by its rank-1 "independence"
   * approximation V_ij ≈ r_i c_j / T (row sums r, column sums c, total T), so the variance is
   * (Σ_i x_i² r_i / T) · c_j: O(rows + cols) per vector. It is exact whenever V has rank 1 (in particular when
   * it varies only along rows or only along columns, or for a single driven row), exact on average over
   * inputs whose squares are spread evenly over the rows, and keeps every column's total noise power.
   */
  const updateTime = (t: number): void => {
    if (handle !== undefined && (!timeDependent || t === lastT)) return
    rowWeight.fill(0)
    colVar.fill(0)
    let total = 0
    cellsAt(t, kbuf, (i, j, v) => {
      rowWeight[i] += v
      colVar[j] += v
      total += v
    })
    readNoiseOn = total > 0
    if (readNoiseOn) for (let i = 0; i < rows; i++) rowWeight[i] /= total
    let squares = 0
    for (let c = 0; c < n; c++) squares += kbuf[c] * kbuf[c]
    meanSquareK = squares / n
    if (handle === undefined) handle = kernel.load(kbuf, rows, cols)
    else kernel.update(handle, kbuf)
    lastT = t
    noiseVersion++
  }

  const quantizeClip = (value: number, step: number, bound: number): number => {
    let v = value
    if (step > 0) v = roundHalfEven(v / step) * step
    if (bound > 0) v = v > bound ? bound : v < -bound ? -bound : v
    return v
  }

  /**
   * aihwkit's global drift compensation reads the array with the identity matrix as input (one unit vector
   * per row) through the full analog path; row i of that readout is row i of the array plus per-cell read
   * noise, output noise and the ADC, which is what this computes directly in O(rows·cols), once per t.
   */
  const readoutMeanAbs = (t: number, rng: Rng): number => {
    const values = new Float32Array(n)
    const sigmas = new Float32Array(n)
    cellsAt(t, values, (i, j, v) => { sigmas[i * cols + j] = Math.sqrt(v) })
    let sum = 0
    for (let c = 0; c < n; c++) {
      let y = values[c] * wUnit
      const noiseVar = (sigmas[c] * wUnit) ** 2 + profile.outputNoise ** 2
      if (noiseVar > 0) y += Math.sqrt(noiseVar) * rng.nextNormal()
      y = quantizeClip(y, adcStep, boundOn ? profile.outputBound : 0)
      sum += Math.abs(y)
    }
    return Math.max(sum / n, READOUT_FLOOR)
  }
  let baseline = Number.NaN
  let alphaT = Number.NaN
  let alpha = 1
  const driftCompensationFactor = (t: number): number => {
    if (t === alphaT) return alpha
    if (Number.isNaN(baseline)) baseline = readoutMeanAbs(0, createRng(`${seed}/drift-reference/baseline`))
    alpha = baseline / readoutMeanAbs(t, createRng(`${seed}/drift-reference/${t}`))
    alphaT = t
    return alpha
  }

  return {
    get handle () { return handle },
    rowWeight,
    colVar,
    get readNoiseOn () { return readNoiseOn },
    get noiseVersion () { return noiseVersion },
    get meanSquareK () { return meanSquareK },
    cellsAt,
    updateTime,
    driftCompensationFactor
  }
}
