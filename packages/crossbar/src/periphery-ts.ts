/**
 * The TypeScript periphery of an analog block, for where kernel.wasm is unavailable (or with
 * `peripherals: 'typescript'`): DAC, read and output noise, ADC and iterative bound management around the
 * kernel's MVM, in float64 with noise from `createRng`. The same model as periphery-wasm.ts, other bits.
 */
import { NonFiniteValueError } from './errors.js'
import type { KernelMatrix } from './kernel.js'
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

export function createTypescriptPeriphery (init: AnalogBlockInit, scales: BlockScales, array: DriftingArray): PeripheryExecute {
  const { rows, cols, kernel } = init
  const { wScale, dacOn, xUnit, maxCode, inputBound, u, adcOn, adcStepK, boundOn, boundK, outNoiseK, nmOn, bmOn, maxReduction } = scales
  const { rowWeight, colVar } = array
  /** The current call's noise source: the block's read generator, or a generator of its own for a call with a `noiseKey`. */
  let callRng: Rng
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
    const readOn = array.readNoiseOn && power > 0
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

  return (x, batch, out, t, compensate, rng) => {
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
    array.updateTime(t)
    const a = compensate ? array.driftCompensationFactor(t) : 1
    callRng = rng
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
      kernel.mvm(array.handle as KernelMatrix, xk.subarray(0, count * rows), count, yk)
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
    return reads
  }
}
