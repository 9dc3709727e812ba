/**
 * Device profiles: what a node's emulated crossbar tiles are made of (geometry, conductance model, noise,
 * converters, timing). A node advertises its profile in its capacity record; the planner reads `geometry` and
 * `noiseLevel`, the tile pool reads everything.
 */
import {
  AIHWKIT_ADC_BITS, AIHWKIT_DAC_BITS, AIHWKIT_INPUT_BOUND, AIHWKIT_OUTPUT_BOUND, AIHWKIT_OUTPUT_NOISE,
  DEFAULT_TILE_COLS, DEFAULT_TILE_ROWS, IBM_PCM_ENERGY_PJ_PER_MAC, IBM_PCM_MVM_LATENCY_NS, ISAAC_MVM_LATENCY_NS,
  MAX_TILE_SIDE, NEUROSIM_RRAM_G_MAX_MICRO_SIEMENS, NEUROSIM_RRAM_ON_OFF_RATIO, PCM_G_MAX_MICRO_SIEMENS,
  PCM_T0_SECONDS, PCM_T_READ_SECONDS
} from './constants.js'
import { InvalidProfileError } from './errors.js'
import { estimateNoiseLevel } from './physics-noise-level.js'
import type { DevicePhysics, DeviceProfile, DeviceProfileInit, DeviceTiming, PresetName } from './profile-types.js'

export type { DeviceModel, DevicePhysics, DeviceProfile, DeviceProfileInit, DeviceTiming, PresetName, TileGeometry } from './profile-types.js'

/** Every built-in preset, in order of decreasing fidelity after `ideal`. */
export const PRESET_NAMES: readonly PresetName[] = ['ideal', 'pcm', 'rram-4bit', 'rram-hifi']

const IDEAL: DevicePhysics = {
  deviceModel: 'ideal',
  gMaxMicroSiemens: PCM_G_MAX_MICRO_SIEMENS,
  gMinMicroSiemens: 0,
  conductanceLevels: 0,
  programNoiseScale: 0,
  readNoiseScale: 0,
  driftScale: 0,
  programNoiseRelative: 0,
  readNoiseRelative: 0,
  t0Seconds: PCM_T0_SECONDS,
  tReadSeconds: PCM_T_READ_SECONDS,
  stuckAtGminFraction: 0,
  stuckAtGmaxFraction: 0,
  noiseManagement: 'none',
  dacBits: 0,
  inputBound: AIHWKIT_INPUT_BOUND,
  adcBits: 0,
  outputBound: 0,
  outputNoise: 0,
  boundManagement: 'none',
  irDrop: 0,
  driftCompensation: false
}

/** aihwkit's IOParameters defaults (forward pass of `InferenceRPUConfig`). */
const AIHWKIT_IO: Partial<DevicePhysics> = {
  noiseManagement: 'abs-max',
  dacBits: AIHWKIT_DAC_BITS,
  inputBound: AIHWKIT_INPUT_BOUND,
  adcBits: AIHWKIT_ADC_BITS,
  outputBound: AIHWKIT_OUTPUT_BOUND,
  outputNoise: AIHWKIT_OUTPUT_NOISE,
  boundManagement: 'iterative'
}

/** The RRAM presets' common ground: NeuroSim's cell on aihwkit's periphery (they differ in levels, noise and converters). */
const NEUROSIM_RRAM: DevicePhysics = {
  ...IDEAL,
  ...AIHWKIT_IO,
  deviceModel: 'rram',
  gMaxMicroSiemens: NEUROSIM_RRAM_G_MAX_MICRO_SIEMENS,
  gMinMicroSiemens: NEUROSIM_RRAM_G_MAX_MICRO_SIEMENS / NEUROSIM_RRAM_ON_OFF_RATIO
}

/**
 * `ideal`: exact float arithmetic, no converters, no noise. Timing of the IBM 64-core PCM chip (Le Gallo et al.,
 * "A 64-core mixed-signal in-memory compute chip based on phase-change memory for deep neural network
 * inference", Nature Electronics 2023: 256×256 one-phase MVM in 133 ns, 0.2 pJ/MAC), so that ideal runs
 * report comparable device time and energy.
 *
 * `pcm`: aihwkit's `PCMLikeNoiseModel` (Nandakumar et al., ICECS 2019) exactly: g_max 25 µS, g_min 0,
 * continuous conductances, programming noise σ_prog(x), per-device drift exponent ν ~ |N(μ_ν(x), σ_ν(x))|
 * with t0 = 20 s, accumulated 1/f read noise Q_s(x)·√ln((t + t_read)/(2 t_read)) with t_read = 250 ns, and
 * global drift compensation; peripheral circuits are aihwkit's IOParameters defaults (7-bit DAC on [−1, 1]
 * with abs-max noise management, 9-bit ADC on ±12, out_noise 0.06, iterative bound management). Timing: the
 * IBM 64-core PCM chip above.
 *
 * `rram-4bit`: a multi-level RRAM in the style of NeuroSim's and CrossSim's generic device models: conductance
 * range of NeuroSim's default RRAM (R_on = 6 kΩ, on/off ratio 17, Param.cpp), 16 levels per device (4 bits),
 * multiplicative programming noise of 5 % (CrossSim `NormalProportionalDevice`), 1 % multiplicative read
 * noise, 0.5 % of devices stuck at g_min and 0.1 % stuck at g_max (well below the 1.75 % / 9.04 % measured
 * on unrepaired arrays by Chen et al., IEEE Trans. Computers 2015, since deployed arrays remap their worst
 * lines; a stuck-on device turns its weight into ±w_max, which dominates the error of this preset). 7-bit DAC and ISAAC's 8-bit ADC (Shafiee et al., ISCA 2016) on aihwkit's ±12 range;
 * ISAAC's 100 ns per 128×128 read. No per-MAC energy is published for ISAAC's analog core alone, so the IBM
 * figure of 0.2 pJ/MAC stands in as an order of magnitude.
 *
 * `rram-hifi`: a high-precision RRAM after Rao et al., "Thousands of conductance levels in memristors
 * integrated on CMOS" (Nature 2023, 2048 levels with denoising): 256 levels per device, 0.5 % programming and
 * 0.2 % read noise, no stuck devices, 8-bit DAC, 10-bit ADC, output noise 0.02; ISAAC timing as above.
 */
const PRESETS: Record<PresetName, { physics: DevicePhysics, timing: DeviceTiming }> = {
  ideal: {
    physics: IDEAL,
    timing: { mvmLatencyNs: IBM_PCM_MVM_LATENCY_NS, energyPjPerMac: IBM_PCM_ENERGY_PJ_PER_MAC }
  },
  pcm: {
    physics: {
      ...IDEAL,
      ...AIHWKIT_IO,
      deviceModel: 'pcm',
      programNoiseScale: 1,
      readNoiseScale: 1,
      driftScale: 1,
      driftCompensation: true
    },
    timing: { mvmLatencyNs: IBM_PCM_MVM_LATENCY_NS, energyPjPerMac: IBM_PCM_ENERGY_PJ_PER_MAC }
  },
  'rram-4bit': {
    physics: {
      ...NEUROSIM_RRAM,
      conductanceLevels: 16,
      programNoiseRelative: 0.05,
      readNoiseRelative: 0.01,
      stuckAtGminFraction: 0.005,
      stuckAtGmaxFraction: 0.001,
      adcBits: 8
    },
    timing: { mvmLatencyNs: ISAAC_MVM_LATENCY_NS, energyPjPerMac: IBM_PCM_ENERGY_PJ_PER_MAC }
  },
  'rram-hifi': {
    physics: {
      ...NEUROSIM_RRAM,
      conductanceLevels: 256,
      programNoiseRelative: 0.005,
      readNoiseRelative: 0.002,
      dacBits: 8,
      adcBits: 10,
      outputNoise: 0.02
    },
    timing: { mvmLatencyNs: ISAAC_MVM_LATENCY_NS, energyPjPerMac: IBM_PCM_ENERGY_PJ_PER_MAC }
  }
}

function isPresetName (name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name)
}

function checkSide (name: string, value: number): void {
  if (!Number.isInteger(value) || value < 1 || value > MAX_TILE_SIDE) {
    throw new InvalidProfileError(`tile ${name} must be an integer in [1, ${MAX_TILE_SIDE}], got ${value}`)
  }
}

function checkRange (name: string, value: number, lo: number, hi: number): void {
  if (typeof value !== 'number' || !(value >= lo && value <= hi)) {
    throw new InvalidProfileError(`${name} must be in [${lo}, ${hi}], got ${String(value)}`)
  }
}

function checkBits (name: string, value: number): void {
  if (!Number.isInteger(value) || value === 1 || value < 0 || value > 24) {
    throw new InvalidProfileError(`${name} must be 0 (off) or an integer in [2, 24], got ${value}`)
  }
}

/** Throws a named error when a profile's fields are out of range or inconsistent. */
export function validateDeviceProfile (profile: DeviceProfile): void {
  checkSide('rows', profile.geometry.rows)
  checkSide('cols', profile.geometry.cols)
  if (!['ideal', 'pcm', 'rram'].includes(profile.deviceModel)) throw new InvalidProfileError(`unknown deviceModel ${String(profile.deviceModel)}`)
  checkRange('gMaxMicroSiemens', profile.gMaxMicroSiemens, Number.MIN_VALUE, 1e9)
  checkRange('gMinMicroSiemens', profile.gMinMicroSiemens, 0, profile.gMaxMicroSiemens)
  if (!(profile.gMinMicroSiemens < profile.gMaxMicroSiemens)) throw new InvalidProfileError('gMinMicroSiemens must be below gMaxMicroSiemens')
  if (!(profile.conductanceLevels === 0 || (Number.isInteger(profile.conductanceLevels) && profile.conductanceLevels >= 2 && profile.conductanceLevels <= 1 << 24))) {
    throw new InvalidProfileError(`conductanceLevels must be 0 (continuous) or an integer ≥ 2, got ${profile.conductanceLevels}`)
  }
  for (const key of ['programNoiseScale', 'readNoiseScale', 'driftScale', 'programNoiseRelative', 'readNoiseRelative', 'outputNoise'] as const) {
    checkRange(key, profile[key], 0, 1e6)
  }
  checkRange('t0Seconds', profile.t0Seconds, Number.MIN_VALUE, 1e12)
  checkRange('tReadSeconds', profile.tReadSeconds, Number.MIN_VALUE, 1e6)
  checkRange('stuckAtGminFraction', profile.stuckAtGminFraction, 0, 1)
  checkRange('stuckAtGmaxFraction', profile.stuckAtGmaxFraction, 0, 1)
  if (profile.stuckAtGminFraction + profile.stuckAtGmaxFraction > 1) throw new InvalidProfileError('stuck-at fractions sum to more than 1')
  if (profile.noiseManagement !== 'abs-max' && profile.noiseManagement !== 'none') throw new InvalidProfileError(`unknown noiseManagement ${String(profile.noiseManagement)}`)
  if (profile.boundManagement !== 'iterative' && profile.boundManagement !== 'none') throw new InvalidProfileError(`unknown boundManagement ${String(profile.boundManagement)}`)
  checkBits('dacBits', profile.dacBits)
  checkBits('adcBits', profile.adcBits)
  checkRange('inputBound', profile.inputBound, Number.MIN_VALUE, 1e9)
  checkRange('outputBound', profile.outputBound, 0, 1e12)
  if (profile.adcBits > 0 && profile.outputBound === 0) throw new InvalidProfileError('an ADC (adcBits > 0) needs a finite outputBound > 0')
  checkRange('irDrop', profile.irDrop, 0, 0.999)
  if (typeof profile.driftCompensation !== 'boolean') throw new InvalidProfileError('driftCompensation must be a boolean')
  checkRange('timing.mvmLatencyNs', profile.timing.mvmLatencyNs, 0, 1e12)
  checkRange('timing.energyPjPerMac', profile.timing.energyPjPerMac, 0, 1e12)
  checkRange('noiseLevel', profile.noiseLevel, 0, Number.MAX_VALUE)
}

/**
 * Creates a device profile from a preset, with optional geometry and physics overrides. `noiseLevel` is
 * estimated for the final physics unless given.
 *
 * @example
 * ```ts
 * const pcm = createDeviceProfile('pcm', { rows: 512, cols: 512 })
 * const quiet = createDeviceProfile('pcm', { outputNoise: 0, readNoiseScale: 0.5 })
 * ```
 * @throws InvalidProfileError (unknown preset, bad geometry or physics)
 */
export function createDeviceProfile (preset: PresetName, init: DeviceProfileInit = {}): DeviceProfile {
  if (!isPresetName(preset)) throw new InvalidProfileError(`unknown preset ${String(preset)}; expected one of ${PRESET_NAMES.join(', ')}`)
  const base = PRESETS[preset]
  const { rows, cols, timing, noiseLevel, ...physics } = init
  const profile: DeviceProfile = {
    ...base.physics,
    ...stripUndefined(physics),
    preset,
    geometry: { rows: rows ?? DEFAULT_TILE_ROWS, cols: cols ?? DEFAULT_TILE_COLS },
    timing: { ...base.timing, ...stripUndefined(timing ?? {}) },
    noiseLevel: 0
  }
  profile.noiseLevel = noiseLevel ?? 0
  validateDeviceProfile(profile)
  if (noiseLevel === undefined) profile.noiseLevel = estimateNoiseLevel(profile)
  return profile
}

function stripUndefined<T extends object> (value: T): Partial<T> {
  const out: Partial<T> = {}
  for (const [key, field] of Object.entries(value)) {
    if (field !== undefined) (out as Record<string, unknown>)[key] = field
  }
  return out
}
