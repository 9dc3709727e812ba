/**
 * One weight block programmed onto crossbar devices: the device physics between a float weight matrix and the
 * MVM kernel. Weight-stationary: programming noise, level quantisation, stuck-at faults, drift exponents and
 * IR-drop attenuation are fixed once when the block is programmed; the conductances at a time t are computed
 * once per distinct t and pushed into the kernel with `update`; everything per input vector (DAC, read noise,
 * output noise, ADC, bound management, drift compensation) costs O(rows + cols) on top of the kernel's MVM.
 *
 * Units. Normalized units follow aihwkit: a weight w becomes w̃ = (G+ − G−) / (g_max − g_min) ∈ [−1, 1] with
 * w_max = max|W| mapped to g_max, inputs are divided by max|x| (noise management) so x̃ ∈ [−1, 1], and the
 * analog output ỹ = Σ x̃ w̃ is what the output noise, the ADC step and the ADC range refer to. The kernel
 * itself works in "kernel units": the matrix holds w̃ / (weight LSB) and the inputs hold DAC codes, so a
 * quantised device with quantised inputs multiplies integers and sums them exactly in float32.
 *
 * Where the per-vector work runs. Wherever kernel.wasm loads (any kernel: the WebAssembly kernel's own module
 * instance, else one shared instance), the DAC, noise, ADC and bound management run in WebAssembly
 * (assembly/analog.ts) in float32, with counter-based noise: the same seed and sequence of calls give
 * bit-identical outputs on every machine, whatever the kernel batching. Without kernel.wasm (or with
 * `peripherals: 'typescript'`) the same model runs in TypeScript in float64 with noise from `createRng`: the
 * same distributions, other bits.
 */
import { AIHWKIT_MAX_BM_FACTOR, AIHWKIT_MAX_BM_RES, DEFAULT_EXECUTE_T_SECONDS } from './constants.js'
import { InvalidOptionError, InvalidShapeError, NonFiniteValueError, ShapeMismatchError, UnknownBlockError } from './errors.js'
import type { KernelMatrix, MvmKernel } from './kernel.js'
import {
  pcmDriftMean, pcmDriftStd, pcmEffectiveTime, pcmProgrammingSigma, pcmReadNoiseQs, pcmReadNoiseTimeFactor
} from './physics-pcm.js'
import type { DevicePhysics, DeviceProfile } from './profiles.js'
import { createRng } from './random.js'
import type { Rng } from './random.js'
import { ANALOG_MODE_CLIP, ANALOG_MODE_DAC, ANALOG_MODE_SCALE, sharedAnalogEngine } from './wasm-kernel.js'
import type { AnalogEngine, WasmKernel } from './wasm-kernel.js'

/** Options of one `execute` call. */
export interface ExecuteOptions {
  /**
   * Time since programming in seconds (drift and accumulated 1/f noise); default 1. The conductances at t are
   * computed once per distinct t (O(rows·cols), cached for the last t), so callers passing wall-clock ages
   * should round them (to seconds or minutes) rather than pass a new value on every call.
   */
  tSeconds?: number
  /** Apply global drift compensation; default: the profile's `driftCompensation` (true where it drifts). */
  driftCompensation?: boolean
  /**
   * Names this call's read and output noise. When given, the noise is a pure function of (block seed, noiseKey,
   * the call's inputs): vector b of a call gets the same noise whatever calls came before, so replaying a call
   * (a retry, a replica with the same seed, requests arriving in another order) gives bit-identical outputs.
   * Equal keys give equal noise, so a caller wanting fresh noise must use a fresh key. Numbers and strings are
   * keyed by their text (`7` and `'7'` are the same key). When absent, the noise comes from the block's own
   * generator, which advances with every call: outputs then depend on the order of calls.
   */
  noiseKey?: number | string
}

/** Estimated device cost of one `execute` call. */
export interface ExecuteStats {
  /** Device time: one MVM latency per analog read (bound-management re-reads included), ns. */
  deviceTimeNs: number
  /** Analog-core energy, pJ. */
  energyPj: number
  /** Multiply-accumulates performed by the analog array (rows × cols per read). */
  macs: number
}

/** Per-device state fixed at programming time (copies; conductances in µS). */
export interface DeviceState {
  /** Programmed conductance of the positive device of each cell (row-major rows × cols), µS. */
  gPlus: Float32Array
  /** Programmed conductance of the negative device, µS. */
  gMinus: Float32Array
  /** Drift exponent of the positive device (zeros for devices that do not drift). */
  nuPlus: Float32Array
  /** Drift exponent of the negative device. */
  nuMinus: Float32Array
  /** 0 = healthy, 1 = stuck at g_min, 2 = stuck at g_max. */
  stuckPlus: Uint8Array
  stuckMinus: Uint8Array
}

/** What `programAnalogBlock` needs. */
export interface AnalogBlockInit {
  profile: DeviceProfile
  /** Row-major `rows × cols` crossbar-orientation weights (rows = inputs). */
  weights: Float32Array
  rows: number
  cols: number
  /** Seed of every random draw of this block (programming, faults, drift exponents, read noise). */
  seed: number | string
  kernel: MvmKernel
  /** Position of the block's first row in its tile (IR drop depends on it); default 0. */
  rowOffset?: number
  /** Position of the block's first column in its tile; default 0. */
  colOffset?: number
  /**
   * Where the per-vector peripherals (DAC, read and output noise, ADC, bound management) run: `auto` (default)
   * uses the WebAssembly module's analog functions (assembly/analog.ts) whenever kernel.wasm is available, with
   * any kernel; `typescript` forces the TypeScript fallback that serves where it is not. Both follow the same
   * model, but draw their noise from different generators, so their outputs differ bit for bit.
   */
  peripherals?: 'auto' | 'typescript'
}

/** A programmed block. */
export interface AnalogBlock {
  readonly rows: number
  readonly cols: number
  /** max |W| of the programmed weights: the weight mapped to g_max. */
  readonly wMax: number
  /** Runs `batch` input vectors (`batch × rows`) and writes `batch × cols` outputs. */
  execute (x: Float32Array, batch: number, out: Float32Array, options?: ExecuteOptions): ExecuteStats
  /** The weights the array holds at time t (drift, faults, quantisation, IR drop; no read noise), row-major. */
  effectiveWeights (tSeconds?: number): Float32Array
  /** Global drift-compensation factor α at time t (cached for the last t). */
  driftCompensationFactor (tSeconds: number): number
  deviceState (): DeviceState
  /** Releases the kernel matrix; the block cannot be executed afterwards. */
  free (): void
}

/** True when the profile computes exactly (no noise, converters, quantisation, faults or IR drop). */
export function isExactProfile (profile: DevicePhysics): boolean {
  return profile.deviceModel === 'ideal' && profile.conductanceLevels === 0 && profile.dacBits === 0 &&
    profile.adcBits === 0 && profile.outputBound === 0 && profile.outputNoise === 0 && profile.irDrop === 0 &&
    profile.stuckAtGminFraction === 0 && profile.stuckAtGmaxFraction === 0 && profile.noiseManagement === 'none'
}

/** Round half to even, as torch.round does in aihwkit's quantisers. */
function roundHalfEven (value: number): number {
  const r = Math.round(value)
  return (r - value === 0.5 && (r & 1) !== 0) ? r - 1 : r
}

/** Readout of drift compensation never divides by less than aihwkit's clamp of 1e−4. */
const READOUT_FLOOR = 1e-4

function checkShape (rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 1 || cols < 1) {
    throw new InvalidShapeError(`block shape must be positive integers, got ${rows}×${cols}`)
  }
}

/** Validates `execute` arguments shared by the exact and the analog path; returns t. */
function checkExecute (rows: number, cols: number, x: Float32Array, batch: number, out: Float32Array, options: ExecuteOptions | undefined): number {
  if (!Number.isInteger(batch) || batch < 1) throw new InvalidShapeError(`batch must be a positive integer, got ${batch}`)
  if (x.length < batch * rows) throw new ShapeMismatchError(`input has ${x.length} values, batch ${batch}×${rows} needs ${batch * rows}`)
  if (out.length < batch * cols) throw new ShapeMismatchError(`output has ${out.length} values, batch ${batch}×${cols} needs ${batch * cols}`)
  const t = options?.tSeconds ?? DEFAULT_EXECUTE_T_SECONDS
  if (!Number.isFinite(t)) throw new NonFiniteValueError(`tSeconds must be finite, got ${t}`)
  if (t < 0) throw new InvalidOptionError(`tSeconds must be ≥ 0, got ${t}`)
  const key = options?.noiseKey
  if (key !== undefined && typeof key !== 'string' && !(typeof key === 'number' && Number.isFinite(key))) {
    throw new InvalidOptionError(`noiseKey must be a string or a finite number, got ${String(key)}`)
  }
  return t
}

/**
 * Programs a block. Programming noise, faults and drift exponents depend only on (profile, seed, weights).
 * A call with a `noiseKey` draws its read noise from (seed, noiseKey) alone; a call without one draws it from
 * the block's read-noise generator, seeded by the seed too and advanced with every such `execute`, so the same
 * sequence of calls gives bit-identical outputs.
 * @throws InvalidShapeError, ShapeMismatchError, NonFiniteValueError
 */
export function programAnalogBlock (init: AnalogBlockInit): AnalogBlock {
  const { profile, weights, rows, cols, seed, kernel } = init
  checkShape(rows, cols)
  const n = rows * cols
  if (weights.length !== n) throw new ShapeMismatchError(`weights have ${weights.length} values, block ${rows}×${cols} needs ${n}`)
  let wMax = 0
  for (let i = 0; i < n; i++) {
    const v = weights[i]
    if (!Number.isFinite(v)) throw new NonFiniteValueError(`weight ${i} (row ${Math.floor(i / cols)}, col ${i % cols}) is ${v}`)
    const a = Math.abs(v)
    if (a > wMax) wMax = a
  }
  if (isExactProfile(profile)) return exactBlock(init, wMax)
  return analogBlock(init, wMax)
}

/** The exact path: the kernel holds W itself and outputs are the kernel's outputs. */
function exactBlock (init: AnalogBlockInit, wMax: number): AnalogBlock {
  const { profile, weights, rows, cols, kernel } = init
  let handle: KernelMatrix | undefined = kernel.load(weights, rows, cols)
  const n = rows * cols
  return {
    rows,
    cols,
    wMax,
    execute (x, batch, out, options) {
      if (handle === undefined) throw new UnknownBlockError('block was freed')
      checkExecute(rows, cols, x, batch, out, options)
      const count = batch * rows
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(x[i])) throw new NonFiniteValueError(`input ${i} (vector ${Math.floor(i / rows)}) is ${x[i]}`)
      }
      kernel.mvm(handle, x, batch, out)
      return stats(profile, batch, rows, cols)
    },
    effectiveWeights () {
      return Float32Array.from(weights)
    },
    driftCompensationFactor () {
      return 1
    },
    deviceState () {
      const gPlus = new Float32Array(n)
      const gMinus = new Float32Array(n)
      const scale = wMax > 0 ? profile.gMaxMicroSiemens / wMax : 0
      for (let i = 0; i < n; i++) {
        const g = weights[i] * scale
        if (g > 0) gPlus[i] = g
        else gMinus[i] = -g
      }
      return { gPlus, gMinus, nuPlus: new Float32Array(n), nuMinus: new Float32Array(n), stuckPlus: new Uint8Array(n), stuckMinus: new Uint8Array(n) }
    },
    free () {
      if (handle !== undefined) kernel.free(handle)
      handle = undefined
    }
  }
}

function stats (profile: DeviceProfile, reads: number, rows: number, cols: number): ExecuteStats {
  const macs = reads * rows * cols
  return { deviceTimeNs: reads * profile.timing.mvmLatencyNs, energyPj: macs * profile.timing.energyPjPerMac, macs }
}

function analogBlock (init: AnalogBlockInit, wMax: number): AnalogBlock {
  const { profile, weights, rows, cols, seed, kernel } = init
  const n = rows * cols
  const rowOffset = init.rowOffset ?? 0
  const colOffset = init.colOffset ?? 0
  const wScale = wMax > 0 ? wMax : 1
  const levels = profile.conductanceLevels
  const wUnit = levels >= 2 ? 1 / (levels - 1) : 1
  const gMax = profile.gMaxMicroSiemens
  const gMin = profile.gMinMicroSiemens
  const gRange = gMax - gMin
  const isPcm = profile.deviceModel === 'pcm'
  const isRram = profile.deviceModel === 'rram'

  // DAC: step 2·bound / (2^bits − 2) as aihwkit's inp_res scaled by the range; codes are integers.
  const dacOn = profile.dacBits > 0
  const xUnit = dacOn ? 2 * profile.inputBound / (2 ** profile.dacBits - 2) : 1
  const maxCode = dacOn ? Math.round(profile.inputBound / xUnit) : 0
  const inputBound = profile.inputBound
  const u = wUnit * xUnit
  const adcOn = profile.adcBits > 0
  const adcStep = adcOn ? 2 * profile.outputBound / (2 ** profile.adcBits - 2) : 0
  let adcStepK = adcStep / u
  // When the ADC step is a whole number of weight-LSB × input-LSB products, snap away the last-ulp error of
  // the division so integer sums pass through the ADC unchanged (CrossSim's B_ADC = B_W + ⌈log2 N⌉ rule).
  const snapped = Math.round(adcStepK)
  if (snapped >= 1 && Math.abs(adcStepK - snapped) <= 1e-9 * adcStepK) adcStepK = snapped
  const boundOn = profile.outputBound > 0
  const boundK = profile.outputBound / u
  const outNoiseK = profile.outputNoise / u
  const nmOn = profile.noiseManagement === 'abs-max'
  const bmOn = profile.boundManagement === 'iterative' && boundOn
  const maxReduction = dacOn ? Math.min(AIHWKIT_MAX_BM_FACTOR, AIHWKIT_MAX_BM_RES / xUnit) : AIHWKIT_MAX_BM_FACTOR

  // Programming (weight-stationary): each effect has its own stream so switching one off leaves the others.
  const gPlus = new Float32Array(n)
  const gMinus = new Float32Array(n)
  const nuPlus = new Float32Array(isPcm ? n : 0)
  const nuMinus = new Float32Array(isPcm ? n : 0)
  const qsPlus = new Float32Array(isPcm ? n : 0)
  const qsMinus = new Float32Array(isPcm ? n : 0)
  const stuckPlus = new Uint8Array(n)
  const stuckMinus = new Uint8Array(n)
  const progRng = createRng(`${seed}/program`)
  const driftRng = createRng(`${seed}/drift`)
  const stuckRng = createRng(`${seed}/stuck`)
  const p0 = profile.stuckAtGminFraction
  const p01 = p0 + profile.stuckAtGmaxFraction
  const pcmProgScale = isPcm ? profile.programNoiseScale : 0
  const rramProg = isRram ? profile.programNoiseRelative : 0

  const program = (gTarget: number): number => {
    if (pcmProgScale > 0) {
      const g = gTarget + pcmProgScale * pcmProgrammingSigma(gTarget / gMax, gMax) * progRng.nextNormal()
      return g > 0 ? g : 0
    }
    if (rramProg > 0) {
      const g = gTarget * (1 + rramProg * progRng.nextNormal())
      return g > 0 ? g : 0
    }
    return gTarget
  }
  const stuck = (): number => {
    if (p01 <= 0) return 0
    const r = stuckRng.nextFloat()
    return r < p0 ? 1 : r < p01 ? 2 : 0
  }
  const drawNu = (gTarget: number): number => {
    const x = gTarget / gMax
    return Math.abs(pcmDriftMean(x) + pcmDriftStd(x) * driftRng.nextNormal()) * profile.driftScale
  }

  for (let i = 0; i < n; i++) {
    const w = weights[i]
    let m = Math.abs(w) / wScale
    if (levels >= 2) m = Math.round(m * (levels - 1)) / (levels - 1)
    const gActive = gMin + m * gRange
    const gtPlus = w > 0 ? gActive : gMin
    const gtMinus = w < 0 ? gActive : gMin
    let gp = program(gtPlus)
    let gm = program(gtMinus)
    const sp = stuck()
    const sm = stuck()
    if (sp !== 0) gp = sp === 1 ? gMin : gMax
    if (sm !== 0) gm = sm === 1 ? gMin : gMax
    gPlus[i] = gp
    gMinus[i] = gm
    stuckPlus[i] = sp
    stuckMinus[i] = sm
    if (isPcm) {
      // ν and Q_s follow the target conductance (aihwkit draws them from g_target); a stuck device is a
      // fixed resistor: it does not drift and its 1/f amplitude follows the state it is stuck in.
      const np = drawNu(gtPlus)
      const nm = drawNu(gtMinus)
      nuPlus[i] = sp === 0 ? np : 0
      nuMinus[i] = sm === 0 ? nm : 0
      qsPlus[i] = pcmReadNoiseQs((sp === 0 ? gtPlus : gp) / gMax) * profile.readNoiseScale
      qsMinus[i] = pcmReadNoiseQs((sm === 0 ? gtMinus : gm) / gMax) * profile.readNoiseScale
    }
  }

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
  /** Bumped whenever rowWeight / colVar change, so copies of them elsewhere know when to refresh. */
  let noiseVersion = 0
  /** Mean square of the kernel-unit matrix (for predicting output magnitudes). */
  let meanSquareK = 0
  const timeDependent = isPcm && (profile.driftScale > 0 || profile.readNoiseScale > 0)
  const rramRead = isRram ? profile.readNoiseRelative : 0
  const driftT0 = profile.t0Seconds

  /**
   * Writes the kernel-unit matrix at time t into `target` and, when `onVariance` is given, reports each cell's
   * read-noise variance (kernel units²) to it.
   */
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

  updateTime(DEFAULT_EXECUTE_T_SECONDS)

  const readRng = createRng(`${seed}/read`)
  /** The current call's noise source: `readRng`, or a generator of its own for a call with a `noiseKey`. */
  let callRng: Rng = readRng
  const noiseSource = (options: ExecuteOptions | undefined): Rng =>
    options?.noiseKey === undefined ? readRng : createRng(`${seed}/read/${options.noiseKey}`)
  let xk = new Float32Array(0)
  let yk = new Float32Array(0)
  let vecScale = new Float64Array(0)
  let vecPower = new Float64Array(0)
  let pending = new Int32Array(0)

  /** Scales, DAC-quantises and clips one vector into kernel inputs; returns Σ_i code_i² r_i / T. */
  const prepare = (x: Float32Array, xOffset: number, scale: number, target: Float32Array, tOffset: number): number => {
    let power = 0
    for (let i = 0; i < rows; i++) {
      let v = x[xOffset + i] * scale
      if (dacOn) {
        v = roundHalfEven(v / xUnit)
        v = v > maxCode ? maxCode : v < -maxCode ? -maxCode : v
      } else if (nmOn) {
        v = v > inputBound ? inputBound : v < -inputBound ? -inputBound : v
      }
      target[tOffset + i] = v
      power += v * v * rowWeight[i]
    }
    return power
  }

  /** Adds read and output noise, applies the ADC; returns true when an output clipped. */
  const finalize = (y: Float32Array, offset: number, power: number): boolean => {
    let clipped = false
    const readOn = readNoiseOn && power > 0
    const outVar = outNoiseK * outNoiseK
    for (let j = 0; j < cols; j++) {
      let v = y[offset + j]
      // Read noise and output noise are independent Gaussians: one draw with the summed variance.
      if (readOn) v += Math.sqrt(power * colVar[j] + outVar) * callRng.nextNormal()
      else if (outNoiseK > 0) v += outNoiseK * callRng.nextNormal()
      if (adcOn) v = roundHalfEven(v / adcStepK) * adcStepK
      if (boundOn) {
        if (v > boundK) { v = boundK; clipped = true } else if (v < -boundK) { v = -boundK; clipped = true }
      }
      y[offset + j] = v
    }
    return clipped
  }

  /**
   * The WebAssembly path: input measurement, DAC, noise, ADC and clipping run in the module (assembly/analog.ts)
   * next to the kernel: per vector O(rows + cols) of SIMD WebAssembly, not JavaScript.
   *
   * Bound management follows aihwkit's iterative rule per vector: read at input scale 1; while some output
   * clips and the reduction 2^k is ≤ min(max_bm_factor, max_bm_res / DAC step), read again at scale 2^−(k+1);
   * the last read's outputs count, and the device performs (final level + 1) reads. Every read is a pure
   * function of (call, vector, level): the same inputs and the same noise (counter-based, assembly/analog.ts)
   * whenever and however it is evaluated. So the reads need not be made in that order, and only the final
   * one needs every column:
   * - all vectors' reads of a round go to the kernel in one batched call;
   * - with this instance's own kernel (`mvmAt`), each vector's first read is made at the level predicted from
   *   |x| (κ̂·rms output vs the bound, κ̂ calibrated on the block's previous call), and every level skipped below
   *   or above it is settled by a probe: the exact noisy, quantised value of the column that was largest in the
   *   vector's last full read, computed exactly as the kernel would, so a clip there proves that read clips;
   *   otherwise (or when that column, scaled to the level, stays well inside the bound) the level is read in
   *   full.
   * The outputs and the device statistics are bit-identical to reading level after level; only the kernel work
   * drops (to about one read per vector when the prediction holds).
   */
  const kernelEngine = (kernel as Partial<WasmKernel>).analogEngine?.()
  const engine: AnalogEngine | undefined = init.peripherals === 'typescript' ? undefined : (kernelEngine ?? sharedAnalogEngine())
  let rowWeightPtr = 0
  let colVarPtr = 0
  let syncedVersion = -1
  if (engine !== undefined) {
    rowWeightPtr = engine.alloc(rows * 4)
    colVarPtr = engine.alloc(cols * 4)
  }
  const mode = dacOn ? ANALOG_MODE_DAC : nmOn ? ANALOG_MODE_CLIP : ANALOG_MODE_SCALE
  const modeLimit = dacOn ? maxCode : inputBound
  const outVarK = outNoiseK * outNoiseK
  const outScaleBase = u * wScale
  const inputScale = 1 / xUnit
  /** Highest level a read can have: level k + 1 is read only after level k clipped with 2^k ≤ maxReduction. */
  const maxLevel = Math.floor(Math.log2(maxReduction)) + 1
  /**
   * κ̂: max_j |y_j| of a read over its predicted rms, the mean over the previous call's first reads; starts at
   * the median max of `cols` Gaussian outputs.
   */
  let kappa = gaussianMedianMax(cols)
  let nextB = new Int32Array(0)
  let nextLevel = new Int32Array(0)
  let lowest = new Int32Array(0)
  let rms = new Float64Array(0)
  let ratios = new Float64Array(0)

  const executeWasm = (engine: AnalogEngine, x: Float32Array, batch: number, out: Float32Array, t: number, compensate: boolean, rng: Rng): number => {
    const s = engineScratch(engine, batch, rows, cols)
    let f32 = engine.f32()
    f32.set(x.length === batch * rows ? x : x.subarray(0, batch * rows), s.x >>> 2)
    engine.measure(s.x, rows, batch, s.scales, s.sumSq)
    // Validate every vector before any state (time cache, generators) changes.
    const scalesAt = s.scales >>> 2
    const sumSqAt = s.sumSq >>> 2
    for (let b = 0; b < batch; b++) {
      if (!Number.isFinite(f32[sumSqAt + b]) || !Number.isFinite(f32[scalesAt + b])) checkFinite(x, b, rows)
    }
    updateTime(t)
    if (syncedVersion !== noiseVersion) {
      engine.f32().set(rowWeight, rowWeightPtr >>> 2)
      engine.f32().set(colVar, colVarPtr >>> 2)
      syncedVersion = noiseVersion
    }
    const a = compensate ? driftCompensationFactor(t) : 1
    const keyLo = rng.nextUint32()
    const keyHi = rng.nextUint32()
    const matrix = handle as KernelMatrix
    const guided = bmOn && engine.owns(matrix)
    if (nextB.length < batch) {
      nextB = new Int32Array(batch)
      nextLevel = new Int32Array(batch)
      lowest = new Int32Array(batch)
      rms = new Float64Array(batch)
      ratios = new Float64Array(batch)
    }
    f32 = engine.f32()
    const outAt = s.out >>> 2
    let count = 0
    for (let b = 0; b < batch; b++) {
      const m = f32[scalesAt + b]
      if (m === 0) {
        // No input drives no current: the output is exactly zero (aihwkit short-cuts this case too).
        f32.fill(0, outAt + b * cols, outAt + (b + 1) * cols)
        continue
      }
      if (!nmOn) f32[scalesAt + b] = 1
      let level = 0
      if (guided) {
        const scale = inputScale / f32[scalesAt + b]
        rms[b] = Math.sqrt(f32[sumSqAt + b] * meanSquareK) * scale
        // The lowest level at which κ̂·rms·2^−level fits inside the bound.
        let expected = kappa * rms[b]
        while (expected > boundK && level < maxLevel) {
          expected *= 0.5
          level++
        }
      }
      lowest[b] = 0
      nextB[count] = b
      nextLevel[count++] = level
    }
    let reads = 0
    let ratioCount = 0
    let firstRound = true
    while (count > 0) {
      let i32 = engine.i32()
      i32.set(nextB.subarray(0, count), s.index >>> 2)
      i32.set(nextLevel.subarray(0, count), s.levels >>> 2)
      engine.prepare(s.x, rows, count, s.index, s.levels, s.scales, inputScale, mode, modeLimit, rowWeightPtr, s.xq, s.power)
      if (!engine.mvmAt(matrix, s.xq, count, s.y)) {
        const view = engine.f32()
        kernel.mvm(matrix, view.subarray(s.xq >>> 2, (s.xq >>> 2) + count * rows), count, view.subarray(s.y >>> 2, (s.y >>> 2) + count * cols))
      }
      engine.finalize(s.y, cols, count, s.index, s.levels, s.power, colVarPtr, outVarK, readNoiseOn, adcOn ? adcStepK : 0,
        boundOn ? boundK : 0, keyLo, keyHi, s.scales, outScaleBase * a, s.out, s.clipped, s.z, s.maxAbs, s.argMax)
      i32 = engine.i32()
      f32 = engine.f32()
      const clippedAt = s.clipped >>> 2
      const maxAbsAt = s.maxAbs >>> 2
      const argMaxAt = s.argMax >>> 2
      let next = 0
      for (let v = 0; v < count; v++) {
        const b = nextB[v]
        const level = nextLevel[v]
        const clipped = i32[clippedAt + v] !== 0
        if (guided) {
          if (firstRound && rms[b] > 0 && rms[b] < Infinity) ratios[ratioCount++] = f32[maxAbsAt + v] * (1 << level) / rms[b]
          // Levels below `cur` are known to clip; settle levels until one needs a full read or one is final.
          let cur = lowest[b]
          let pending = -1
          for (;;) {
            if (cur === level) {
              if (!clipped || cur >= maxLevel) break
              cur++
              continue
            }
            // A level whose largest output, scaled from this read, stays well inside the bound will hardly clip:
            // read it in full rather than probe in vain.
            if (f32[maxAbsAt + v] * (cur < level ? 1 << (level - cur) : 1 / (1 << (cur - level))) < PROBE_MIN_BOUND_FRACTION * boundK) {
              pending = cur
              break
            }
            // The read's largest column settles most levels. (Its next largest columns hardly ever clip when it
            // does not: on the benchmark's 512×512 PCM tile, 9 of 365 such levels.)
            const clips = engine.probe(matrix, s.x, b, cur, s.scales, inputScale, mode, modeLimit, rowWeightPtr, s.codes,
              i32[argMaxAt + v], colVarPtr, outVarK, readNoiseOn, adcOn ? adcStepK : 0, boundK, keyLo, keyHi, s.z)
            if (clips && cur < maxLevel) {
              cur++
              continue
            }
            pending = cur
            break
          }
          lowest[b] = cur
          if (pending >= 0) {
            nextB[next] = b
            nextLevel[next++] = pending
          } else {
            reads += cur + 1
          }
        } else if (clipped && bmOn && level < maxLevel) {
          nextB[next] = b
          nextLevel[next++] = level + 1
        } else {
          reads += level + 1
        }
      }
      count = next
      firstRound = false
    }
    if (ratioCount > 0) {
      let sum = 0
      for (let i = 0; i < ratioCount; i++) sum += ratios[i]
      kappa = sum / ratioCount
    }
    const view = engine.f32()
    out.set(view.subarray(outAt, outAt + batch * cols))
    return reads
  }

  let freed = false
  return {
    rows,
    cols,
    wMax,
    execute (x, batch, out, options) {
      if (freed) throw new UnknownBlockError('block was freed')
      const t = checkExecute(rows, cols, x, batch, out, options)
      if (engine !== undefined) {
        const reads = executeWasm(engine, x, batch, out, t, options?.driftCompensation ?? profile.driftCompensation, noiseSource(options))
        return stats(profile, reads, rows, cols)
      }
      const compensate = options?.driftCompensation ?? profile.driftCompensation
      if (xk.length < batch * rows) xk = new Float32Array(batch * rows)
      if (yk.length < batch * cols) yk = new Float32Array(batch * cols)
      if (vecScale.length < batch) { vecScale = new Float64Array(batch); vecPower = new Float64Array(batch) }
      // Validate and measure every vector before any state (time cache, generators) changes.
      for (let b = 0; b < batch; b++) {
        let absMax = 0
        const offset = b * rows
        for (let i = 0; i < rows; i++) {
          const v = x[offset + i]
          if (!Number.isFinite(v)) throw new NonFiniteValueError(`input ${offset + i} (vector ${b}, row ${i}) is ${v}`)
          const a = Math.abs(v)
          if (a > absMax) absMax = a
        }
        vecScale[b] = nmOn ? absMax : (absMax > 0 ? 1 : 0)
      }
      updateTime(t)
      const a = compensate ? driftCompensationFactor(t) : 1
      callRng = noiseSource(options)
      // Bound management in rounds, as on the WebAssembly path: round k re-reads every vector whose reads at
      // reductions 1 … 2^(k−1) all clipped, at reduction 2^k, in one kernel call.
      if (pending.length < batch) pending = new Int32Array(batch)
      let count = 0
      for (let b = 0; b < batch; b++) {
        if (vecScale[b] === 0) {
          // No input drives no current: the output is exactly zero (aihwkit short-cuts this case too).
          out.fill(0, b * cols, (b + 1) * cols)
        } else {
          pending[count++] = b
        }
      }
      let reads = 0
      let reduction = 1
      while (count > 0) {
        for (let v = 0; v < count; v++) {
          const b = pending[v]
          vecPower[v] = prepare(x, b * rows, 1 / (vecScale[b] * reduction), xk, v * rows)
        }
        kernel.mvm(handle as KernelMatrix, xk.subarray(0, count * rows), count, yk)
        reads += count
        const retry = bmOn && reduction <= maxReduction
        let next = 0
        for (let v = 0; v < count; v++) {
          const b = pending[v]
          const clipped = finalize(yk, v * cols, vecPower[v])
          if (clipped && retry) {
            pending[next++] = b
            continue
          }
          const outScale = u * wScale * vecScale[b] * reduction * a
          const outOffset = b * cols
          const sourceOffset = v * cols
          for (let j = 0; j < cols; j++) out[outOffset + j] = yk[sourceOffset + j] * outScale
        }
        count = next
        reduction *= 2
      }
      return stats(profile, reads, rows, cols)
    },
    effectiveWeights (tSeconds = DEFAULT_EXECUTE_T_SECONDS) {
      if (!Number.isFinite(tSeconds)) throw new NonFiniteValueError(`tSeconds must be finite, got ${tSeconds}`)
      if (tSeconds < 0) throw new InvalidOptionError(`tSeconds must be ≥ 0, got ${tSeconds}`)
      const values = new Float32Array(n)
      cellsAt(tSeconds, values, undefined)
      const scale = wUnit * wScale
      for (let c = 0; c < n; c++) values[c] *= scale
      return values
    },
    driftCompensationFactor (tSeconds) {
      if (!Number.isFinite(tSeconds)) throw new NonFiniteValueError(`tSeconds must be finite, got ${tSeconds}`)
      if (tSeconds < 0) throw new InvalidOptionError(`tSeconds must be ≥ 0, got ${tSeconds}`)
      return driftCompensationFactor(tSeconds)
    },
    deviceState () {
      return {
        gPlus: gPlus.slice(),
        gMinus: gMinus.slice(),
        nuPlus: isPcm ? nuPlus.slice() : new Float32Array(n),
        nuMinus: isPcm ? nuMinus.slice() : new Float32Array(n),
        stuckPlus: stuckPlus.slice(),
        stuckMinus: stuckMinus.slice()
      }
    },
    free () {
      if (handle !== undefined && !freed) {
        kernel.free(handle)
        if (engine !== undefined) {
          engine.release(rowWeightPtr)
          engine.release(colVarPtr)
        }
      }
      freed = true
    }
  }
}

/**
 * Throws the named error for the first non-finite value of input vector `b`; returns when there is none (Σ x²
 * of large finite values overflowed float32).
 */
function checkFinite (x: Float32Array, b: number, rows: number): void {
  for (let i = 0; i < rows; i++) {
    const v = x[b * rows + i]
    if (!Number.isFinite(v)) throw new NonFiniteValueError(`input ${b * rows + i} (vector ${b}, row ${i}) is ${v}`)
  }
}

/** Byte offsets of one execute call's buffers in an engine's memory. */
interface EngineScratch {
  x: number
  xq: number
  y: number
  out: number
  scales: number
  power: number
  index: number
  levels: number
  clipped: number
  z: number
  sumSq: number
  maxAbs: number
  codes: number
  argMax: number
}

interface ScratchRegion {
  ptr: number
  bytes: number
  layout: EngineScratch
  batch: number
  rows: number
  cols: number
}

/**
 * One scratch region per engine, shared by its blocks: calls never overlap (a block's execute runs to the end
 * before another starts), and a region per block would hold batch × (rows + cols) floats for every block of
 * a node.
 */
const scratchRegions = new WeakMap<AnalogEngine, ScratchRegion>()

function engineScratch (engine: AnalogEngine, batch: number, rows: number, cols: number): EngineScratch {
  let region = scratchRegions.get(engine)
  if (region !== undefined && region.batch === batch && region.rows === rows && region.cols === cols) return region.layout
  const align = (bytes: number): number => Math.ceil(bytes / 16) * 16
  const names = ['x', 'xq', 'y', 'out', 'scales', 'power', 'index', 'levels', 'clipped', 'z', 'sumSq', 'maxAbs', 'codes', 'argMax'] as const
  // z holds a read's normals, made four at a time.
  const floats = [batch * rows, batch * rows, batch * cols, batch * cols, batch, batch, batch, batch, batch, cols + 3, batch, batch, rows, batch]
  const sizes = floats.map((count) => align(count * 4))
  const total = sizes.reduce((sum, size) => sum + size, 0)
  if (region === undefined || region.bytes < total) {
    if (region !== undefined) engine.release(region.ptr)
    const bytes = Math.max(total, 2 * (region?.bytes ?? 0))
    region = { ptr: engine.alloc(bytes), bytes, layout: {} as unknown as EngineScratch, batch: 0, rows: 0, cols: 0 }
    scratchRegions.set(engine, region)
  }
  const layout = {} as unknown as Record<typeof names[number], number>
  let at = region.ptr
  names.forEach((name, i) => { layout[name] = at; at += sizes[i] })
  region.layout = layout
  region.batch = batch
  region.rows = rows
  region.cols = cols
  return layout
}

/**
 * A level is probed only when the last full read's largest output, scaled to that level, reaches this fraction of
 * the bound; below it the level is read in full straight away (a probe there almost never finds a clip).
 */
const PROBE_MIN_BOUND_FRACTION = 0.9

/**
 * Median of the largest |z| of `n` independent standard normals: Φ̄(m) = ln 2 / (2n), with Φ̄⁻¹(p) ≈
 * √(L − ln L − ln 2π), L = −2 ln p (asymptotic; within 2 % for n ≥ 16). A starting guess only.
 */
function gaussianMedianMax (n: number): number {
  const big = -2 * Math.log(Math.LN2 / (2 * Math.max(n, 16)))
  return Math.sqrt(big - Math.log(big) - Math.log(2 * Math.PI))
}

