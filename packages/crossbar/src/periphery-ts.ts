/**
 * The TypeScript periphery of an analog block, for where kernel.wasm is unavailable (or with
 * `peripherals: 'typescript'`): DAC, read and output noise, ADC and iterative bound management around the
 * kernel's MVM, in float64 with noise from `createRng`. The same model as periphery-wasm.ts, other bits.
 */
import { NonFiniteValueError } from './errors.js'
import type { KernelMatrix, MvmKernel } from './kernel.js'
import type { DriftingArray } from './physics-drift.js'
import { roundHalfEven } from './physics-scales.js'
import type { BlockScales } from './physics-scales.js'
import type { AnalogBlockInit } from './physics-types.js'
import type { Rng } from './random.js'

/**
 * Runs `batch` vectors (`batch × rows`) through the block at time t, writes `batch × cols` outputs and returns
 * the analog reads performed. Throws on a non-finite input before any state (time cache, generators) changes.
 */
export type PeripheryExecute = (x: Float32Array, batch: number, out: Float32Array, t: number, compensate: boolean, rng: Rng) => number

/** The TypeScript periphery of a block, for where kernel.wasm does not load (or the init asks for it). */
export function createTypescriptPeriphery (init: AnalogBlockInit, scales: BlockScales, array: DriftingArray): PeripheryExecute {
  const periphery = new TypescriptPeriphery(init, scales, array)
  return (x, batch, out, t, compensate, rng) => periphery.execute(x, batch, out, t, compensate, rng)
}

class TypescriptPeriphery {
  private readonly rows: number
  private readonly cols: number
  private readonly kernel: MvmKernel
  private readonly scales: BlockScales
  private readonly array: DriftingArray
  /** Kernel inputs and outputs of one round. */
  private xk = new Float32Array(0)
  private yk = new Float32Array(0)
  /** Per vector: its input scale (max |x| under noise management, else 1; 0 for a zero vector). */
  private vecScale = new Float64Array(0)
  /** Per vector read in a round: Σ_i code_i² r_i / T. */
  private vecPower = new Float64Array(0)
  /** The vectors a round reads (the first `count` entries). */
  private pending = new Int32Array(0)

  constructor (init: AnalogBlockInit, scales: BlockScales, array: DriftingArray) {
    this.rows = init.rows
    this.cols = init.cols
    this.kernel = init.kernel
    this.scales = scales
    this.array = array
  }

  execute (x: Float32Array, batch: number, out: Float32Array, t: number, compensate: boolean, rng: Rng): number {
    const { rows, cols } = this
    if (this.xk.length < batch * rows) this.xk = new Float32Array(batch * rows)
    if (this.yk.length < batch * cols) this.yk = new Float32Array(batch * cols)
    if (this.vecScale.length < batch) { this.vecScale = new Float64Array(batch); this.vecPower = new Float64Array(batch) }
    this.measure(x, batch)
    this.array.updateTime(t)
    const a = compensate ? this.array.driftCompensationFactor(t) : 1
    // Bound management in rounds, as on the WebAssembly path: round k re-reads every vector whose reads at
    // reductions 1 … 2^(k−1) all clipped, at reduction 2^k, in one kernel call.
    if (this.pending.length < batch) this.pending = new Int32Array(batch)
    let count = 0
    for (let b = 0; b < batch; b++) {
      if (this.vecScale[b] === 0) {
        // No input drives no current: the output is exactly zero (aihwkit short-cuts this case too).
        out.fill(0, b * cols, (b + 1) * cols)
      } else {
        this.pending[count++] = b
      }
    }
    let reads = 0
    let reduction = 1
    while (count > 0) {
      reads += count
      count = this.readRound(x, count, reduction, out, a, rng)
      reduction *= 2
    }
    return reads
  }

  /** Validates and measures every vector before any state (time cache, generators) changes. */
  private measure (x: Float32Array, batch: number): void {
    const rows = this.rows
    for (let b = 0; b < batch; b++) {
      let absMax = 0
      const offset = b * rows
      for (let i = 0; i < rows; i++) {
        const v = x[offset + i]
        if (!Number.isFinite(v)) throw new NonFiniteValueError(`input ${offset + i} (vector ${b}, row ${i}) is ${v}`)
        const a = Math.abs(v)
        if (a > absMax) absMax = a
      }
      this.vecScale[b] = this.scales.nmOn ? absMax : (absMax > 0 ? 1 : 0)
    }
  }

  /**
   * Reads the `count` pending vectors at input reduction `reduction` in one kernel call; writes the outputs of
   * those whose read is final and queues the others again; returns how many are queued. `rng` is the call's
   * noise source: the block's read generator, or a generator of its own for a call with a `noiseKey`.
   */
  private readRound (x: Float32Array, count: number, reduction: number, out: Float32Array, a: number, rng: Rng): number {
    const { rows, cols, xk, yk, pending, vecScale, vecPower } = this
    const { u, wScale, bmOn, maxReduction } = this.scales
    for (let v = 0; v < count; v++) {
      const b = pending[v]
      vecPower[v] = this.prepare(x, b * rows, 1 / (vecScale[b] * reduction), xk, v * rows)
    }
    this.kernel.mvm(this.array.handle as KernelMatrix, xk.subarray(0, count * rows), count, yk)
    const retry = bmOn && reduction <= maxReduction
    let next = 0
    for (let v = 0; v < count; v++) {
      const b = pending[v]
      const clipped = this.finalize(yk, v * cols, vecPower[v], rng)
      if (clipped && retry) {
        pending[next++] = b
        continue
      }
      const outScale = u * wScale * vecScale[b] * reduction * a
      const outOffset = b * cols
      const sourceOffset = v * cols
      for (let j = 0; j < cols; j++) out[outOffset + j] = yk[sourceOffset + j] * outScale
    }
    return next
  }

  /** Scales, DAC-quantises and clips one vector into kernel inputs; returns Σ_i code_i² r_i / T. */
  private prepare (x: Float32Array, xOffset: number, scale: number, target: Float32Array, tOffset: number): number {
    const { dacOn, xUnit, maxCode, nmOn, inputBound } = this.scales
    const rowWeight = this.array.rowWeight
    let power = 0
    for (let i = 0; i < this.rows; i++) {
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
  private finalize (y: Float32Array, offset: number, power: number, rng: Rng): boolean {
    const { outNoiseK, adcOn, adcStepK, boundOn, boundK } = this.scales
    const colVar = this.array.colVar
    let clipped = false
    const readOn = this.array.readNoiseOn && power > 0
    const outVar = outNoiseK * outNoiseK
    for (let j = 0; j < this.cols; j++) {
      let v = y[offset + j]
      // Read noise and output noise are independent Gaussians: one draw with the summed variance.
      if (readOn) v += Math.sqrt(power * colVar[j] + outVar) * rng.nextNormal()
      else if (outNoiseK > 0) v += outNoiseK * rng.nextNormal()
      if (adcOn) v = roundHalfEven(v / adcStepK) * adcStepK
      if (boundOn) {
        if (v > boundK) { v = boundK; clipped = true } else if (v < -boundK) { v = -boundK; clipped = true }
      }
      y[offset + j] = v
    }
    return clipped
  }
}
