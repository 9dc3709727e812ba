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
 *
 * This file only composes the pieces: physics-program.ts (weights → devices), physics-drift.ts (the array at
 * time t, drift compensation), periphery-wasm.ts / periphery-ts.ts (the per-vector path), physics-exact.ts
 * (profiles that compute exactly), physics-scales.ts (units and converter steps).
 */
import { DEFAULT_EXECUTE_T_SECONDS } from './constants.js'
import { InvalidCrossbarOptionError, NonFiniteValueError, ShapeMismatchError, UnknownHandleError } from './errors.js'
import { createDriftingArray } from './physics-drift.js'
import { exactBlock, isExactProfile } from './physics-exact.js'
import { programDevices } from './physics-program.js'
import { blockScales } from './physics-scales.js'
import { executeStats } from './physics-stats.js'
import type { AnalogBlock, AnalogBlockInit, ExecuteOptions } from './physics-types.js'
import { checkExecute, checkShape } from './physics-validate.js'
import { createTypescriptPeriphery } from './periphery-ts.js'
import { createWasmPeriphery } from './periphery-wasm.js'
import { createRng } from './random.js'
import type { Rng } from './random.js'

export { isExactProfile }
export type { AnalogBlock, AnalogBlockInit, DeviceState, ExecuteOptions, ExecuteStats } from './physics-types.js'

/**
 * Programs a block. Programming noise, faults and drift exponents depend only on (profile, seed, weights).
 * A call with a `noiseKey` draws its read noise from (seed, noiseKey) alone; a call without one draws it from
 * the block's read-noise generator, seeded by the seed too and advanced with every such `execute`, so the same
 * sequence of calls gives bit-identical outputs.
 * @throws ShapeMismatchError, NonFiniteValueError
 */
export function programAnalogBlock (init: AnalogBlockInit): AnalogBlock {
  const { profile, weights, rows, cols } = init
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

/**
 * A block on a non-exact profile: programmed devices, the array at time t, and one periphery around the kernel
 * (WebAssembly where kernel.wasm loads, else TypeScript). The construction order is part of the behaviour: it
 * fixes when the kernel matrix and the engine buffers are allocated.
 */
function analogBlock (init: AnalogBlockInit, wMax: number): AnalogBlock {
  const { profile, rows, cols, seed, kernel } = init
  const n = rows * cols
  const scales = blockScales(profile, wMax)
  const { wScale, wUnit } = scales
  const isPcm = profile.deviceModel === 'pcm'
  const devices = programDevices(init, scales)
  const { gPlus, gMinus, nuPlus, nuMinus, stuckPlus, stuckMinus } = devices
  const array = createDriftingArray(init, scales, devices)
  array.updateTime(DEFAULT_EXECUTE_T_SECONDS)

  const readRng = createRng(`${seed}/read`)
  /** A call's noise source: `readRng`, or a generator of its own for a call with a `noiseKey`. */
  const noiseSource = (options: ExecuteOptions | undefined): Rng =>
    options?.noiseKey === undefined ? readRng : createRng(`${seed}/read/${options.noiseKey}`)
  const wasm = createWasmPeriphery(init, scales, array)
  const periphery = wasm?.execute ?? createTypescriptPeriphery(init, scales, array)

  let freed = false
  return {
    rows,
    cols,
    wMax,
    execute (x, batch, out, options) {
      if (freed) throw new UnknownHandleError('block was freed')
      const t = checkExecute(rows, cols, x, batch, out, options)
      const reads = periphery(x, batch, out, t, options?.driftCompensation ?? profile.driftCompensation, noiseSource(options))
      return executeStats(profile, reads, rows, cols)
    },
    effectiveWeights (tSeconds = DEFAULT_EXECUTE_T_SECONDS) {
      if (!Number.isFinite(tSeconds)) throw new NonFiniteValueError(`tSeconds must be finite, got ${tSeconds}`)
      if (tSeconds < 0) throw new InvalidCrossbarOptionError(`tSeconds must be ≥ 0, got ${tSeconds}`)
      const values = new Float32Array(n)
      array.cellsAt(tSeconds, values, undefined)
      const scale = wUnit * wScale
      for (let c = 0; c < n; c++) values[c] *= scale
      return values
    },
    driftCompensationFactor (tSeconds) {
      if (!Number.isFinite(tSeconds)) throw new NonFiniteValueError(`tSeconds must be finite, got ${tSeconds}`)
      if (tSeconds < 0) throw new InvalidCrossbarOptionError(`tSeconds must be ≥ 0, got ${tSeconds}`)
      return array.driftCompensationFactor(tSeconds)
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
      const handle = array.handle
      if (handle !== undefined && !freed) {
        kernel.free(handle)
        wasm?.release()
      }
      freed = true
    }
  }
}
