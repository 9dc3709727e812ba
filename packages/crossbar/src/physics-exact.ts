/**
 * The exact path of a weight block: a profile without noise, converters, quantisation, faults or IR drop
 * computes exactly, so the kernel holds W itself and the outputs are the kernel's outputs.
 */
import { NonFiniteValueError, UnknownHandleError } from './errors.js'
import type { KernelMatrix } from './kernel.js'
import { executeStats } from './physics-stats.js'
import type { AnalogBlock, AnalogBlockInit } from './physics-types.js'
import { checkExecute } from './physics-validate.js'
import type { DevicePhysics } from './profile-types.js'

/** True when the profile computes exactly (no noise, converters, quantisation, faults or IR drop). */
export function isExactProfile (profile: DevicePhysics): boolean {
  return profile.deviceModel === 'ideal' && profile.conductanceLevels === 0 && profile.dacBits === 0 &&
    profile.adcBits === 0 && profile.outputBound === 0 && profile.outputNoise === 0 && profile.irDrop === 0 &&
    profile.stuckAtGminFraction === 0 && profile.stuckAtGmaxFraction === 0 && profile.noiseManagement === 'none'
}

/** The exact path: the kernel holds W itself and outputs are the kernel's outputs. */
export function exactBlock (init: AnalogBlockInit, wMax: number): AnalogBlock {
  const { profile, weights, rows, cols, kernel } = init
  let handle: KernelMatrix | undefined = kernel.load(weights, rows, cols)
  const n = rows * cols
  return {
    rows,
    cols,
    wMax,
    execute (x, batch, out, options) {
      if (handle === undefined) throw new UnknownHandleError('block was freed')
      checkExecute(rows, cols, x, batch, out, options)
      const count = batch * rows
      for (let i = 0; i < count; i++) {
        if (!Number.isFinite(x[i])) throw new NonFiniteValueError(`input ${i} (vector ${Math.floor(i / rows)}) is ${x[i]}`)
      }
      kernel.mvm(handle, x, batch, out)
      return executeStats(profile, batch, rows, cols)
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
