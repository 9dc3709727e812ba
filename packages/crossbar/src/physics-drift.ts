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

/** The block's array, programmed from `devices`, not yet loaded into the kernel (the first `updateTime` loads it). */
export function createDriftingArray (init: AnalogBlockInit, scales: BlockScales, devices: ProgrammedDevices): DriftingArray {
  return new Drifting(init, scales, devices)
}

/** A cell's read-noise variance, reported by `cellsAt`. */
type VarianceSink = (i: number, j: number, v: number) => void

class Drifting implements DriftingArray {
  handle: KernelMatrix | undefined
  readonly rowWeight: Float64Array
  readonly colVar: Float64Array
  readNoiseOn = false
  noiseVersion = 0
  meanSquareK = 0
  private readonly init: AnalogBlockInit
  private readonly scales: BlockScales
  private readonly devices: ProgrammedDevices
  /** The kernel-unit matrix at `lastT`. */
  private readonly kbuf: Float32Array
  private lastT = Number.NaN
  /** Whether the conductances or the read noise change with t (PCM with drift or 1/f noise). */
  private readonly timeDependent: boolean
  /** Drift compensation: the readout at t = 0, and the factor α at `alphaT`. */
  private baseline = Number.NaN
  private alphaT = Number.NaN
  private alpha = 1

  constructor (init: AnalogBlockInit, scales: BlockScales, devices: ProgrammedDevices) {
    this.init = init
    this.scales = scales
    this.devices = devices
    this.kbuf = new Float32Array(init.rows * init.cols)
    this.rowWeight = new Float64Array(init.rows)
    this.colVar = new Float64Array(init.cols)
    const profile = init.profile
    this.timeDependent = profile.deviceModel === 'pcm' && (profile.driftScale > 0 || profile.readNoiseScale > 0)
  }

  cellsAt (t: number, target: Float32Array, onVariance: VarianceSink | undefined): void {
    const { profile, rows, cols } = this.init
    const { gPlus, gMinus, nuPlus, nuMinus, qsPlus, qsMinus } = this.devices
    const isPcm = profile.deviceModel === 'pcm'
    const rramRead = profile.deviceModel === 'rram' ? profile.readNoiseRelative : 0
    const driftT0 = profile.t0Seconds
    const tEff = pcmEffectiveTime(t, profile.tReadSeconds)
    const logT = tEff > driftT0 ? Math.log(tEff / driftT0) : 0
    const noiseT = isPcm ? pcmReadNoiseTimeFactor(t, profile.tReadSeconds) : 0
    const toK = 1 / ((profile.gMaxMicroSiemens - profile.gMinMicroSiemens) * this.scales.wUnit)
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const c = i * cols + j
        let gp = gPlus[c]
        let gm = gMinus[c]
        if (isPcm && logT > 0) {
          gp *= Math.exp(-nuPlus[c] * logT)
          gm *= Math.exp(-nuMinus[c] * logT)
        }
        const scale = this.irFactor(i, j) * toK
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
  updateTime (t: number): void {
    if (this.handle !== undefined && (!this.timeDependent || t === this.lastT)) return
    const { rows, cols, kernel } = this.init
    const { kbuf, rowWeight, colVar } = this
    const n = rows * cols
    rowWeight.fill(0)
    colVar.fill(0)
    let total = 0
    this.cellsAt(t, kbuf, (i, j, v) => {
      rowWeight[i] += v
      colVar[j] += v
      total += v
    })
    this.readNoiseOn = total > 0
    if (this.readNoiseOn) for (let i = 0; i < rows; i++) rowWeight[i] /= total
    let squares = 0
    for (let c = 0; c < n; c++) squares += kbuf[c] * kbuf[c]
    this.meanSquareK = squares / n
    if (this.handle === undefined) this.handle = kernel.load(kbuf, rows, cols)
    else kernel.update(this.handle, kbuf)
    this.lastT = t
    this.noiseVersion++
  }

  driftCompensationFactor (t: number): number {
    if (t === this.alphaT) return this.alpha
    const seed = this.init.seed
    if (Number.isNaN(this.baseline)) this.baseline = this.readoutMeanAbs(0, createRng(`${seed}/drift-reference/baseline`))
    this.alpha = this.baseline / this.readoutMeanAbs(t, createRng(`${seed}/drift-reference/${t}`))
    this.alphaT = t
    return this.alpha
  }

  /**
   * Static first-order IR drop: the row driver sits at column 0 and the sense amplifier below the last row,
   * so a cell loses signal in proportion to its wire length to both; input-independent, fixed at programming.
   */
  private irFactor (i: number, j: number): number {
    const { profile } = this.init
    const irDrop = profile.irDrop
    if (irDrop === 0) return 1
    const rowOffset = this.init.rowOffset ?? 0
    const colOffset = this.init.colOffset ?? 0
    const tileRows = profile.geometry.rows
    return 1 - irDrop * ((colOffset + j + 1) / profile.geometry.cols + (tileRows - rowOffset - i) / tileRows) / 2
  }

  /**
   * aihwkit's global drift compensation reads the array with the identity matrix as input (one unit vector
   * per row) through the full analog path; row i of that readout is row i of the array plus per-cell read
   * noise, output noise and the ADC, which is what this computes directly in O(rows·cols), once per t.
   */
  private readoutMeanAbs (t: number, rng: Rng): number {
    const { profile, rows, cols } = this.init
    const { wUnit, adcStep, boundOn } = this.scales
    const n = rows * cols
    const values = new Float32Array(n)
    const sigmas = new Float32Array(n)
    this.cellsAt(t, values, (i, j, v) => { sigmas[i * cols + j] = Math.sqrt(v) })
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
}

function quantizeClip (value: number, step: number, bound: number): number {
  let v = value
  if (step > 0) v = roundHalfEven(v / step) * step
  if (bound > 0) v = v > bound ? bound : v < -bound ? -bound : v
  return v
}
