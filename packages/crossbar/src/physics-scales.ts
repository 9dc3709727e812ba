/**
 * The unit system of an analog block: how normalized weights, inputs and outputs map onto kernel units (weight
 * LSBs times DAC codes), and the converter steps and bounds expressed in both. Fixed once per block, so the
 * programming, drift and periphery modules all quantise and clip with the very same numbers.
 */
import { AIHWKIT_MAX_BM_FACTOR, AIHWKIT_MAX_BM_RES } from './constants.js'
import type { DeviceProfile } from './profile-types.js'

/** Scales and converter settings of one block (see the module comment of physics-block.ts for the units). */
export interface BlockScales {
  /** max |W|, or 1 for an all-zero block (so no division by zero). */
  wScale: number
  /** Number of conductance levels (0 = continuous). */
  levels: number
  /** Weight LSB in normalized units: 1 / (levels − 1), or 1 when continuous. */
  wUnit: number
  dacOn: boolean
  /** DAC step in normalized input units (1 without a DAC). */
  xUnit: number
  /** Largest DAC code. */
  maxCode: number
  inputBound: number
  /** One kernel unit of output in normalized units: weight LSB × input LSB. */
  u: number
  adcOn: boolean
  /** ADC step in normalized output units. */
  adcStep: number
  /** ADC step in kernel units. */
  adcStepK: number
  boundOn: boolean
  /** Output bound in kernel units. */
  boundK: number
  /** Output noise σ in kernel units. */
  outNoiseK: number
  /** Abs-max noise management. */
  nmOn: boolean
  /** Iterative bound management. */
  bmOn: boolean
  /** Largest input reduction bound management may apply. */
  maxReduction: number
}

/** Round half to even, as torch.round does in aihwkit's quantisers. */
export function roundHalfEven (value: number): number {
  const r = Math.round(value)
  return (r - value === 0.5 && (r & 1) !== 0) ? r - 1 : r
}

export function blockScales (profile: DeviceProfile, wMax: number): BlockScales {
  const wScale = wMax > 0 ? wMax : 1
  const levels = profile.conductanceLevels
  const wUnit = levels >= 2 ? 1 / (levels - 1) : 1

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
  return { wScale, levels, wUnit, dacOn, xUnit, maxCode, inputBound, u, adcOn, adcStep, adcStepK, boundOn, boundK, outNoiseK, nmOn, bmOn, maxReduction }
}
