/**
 * The types of a device profile (see profiles.ts for the presets and `createDeviceProfile`). A leaf module: the
 * physics files need these types, and profiles.ts needs the physics (to estimate a profile's noise level), so
 * the types live apart from both.
 */

/** The built-in device presets. */
export type PresetName = 'ideal' | 'pcm' | 'rram-4bit' | 'rram-hifi'

/** Tile size: `rows` word lines (inputs) by `cols` bit lines (outputs). */
export interface TileGeometry {
  rows: number
  cols: number
}

/**
 * Which conductance laws a device follows: `ideal` (exact), `pcm` (aihwkit `PCMLikeNoiseModel`: programming
 * noise, drift, 1/f read noise) or `rram` (CrossSim-style generic device: multiplicative programming noise and
 * multiplicative read noise, no drift).
 */
export type DeviceModel = 'ideal' | 'pcm' | 'rram'

/** Per-MVM timing and energy of one tile. */
export interface DeviceTiming {
  /** Latency of one MVM (one input vector through the tile, ADC included), in ns. */
  mvmLatencyNs: number
  /** Energy per multiply-accumulate in the analog core, in pJ. */
  energyPjPerMac: number
}

/** The physics of a device: every field may be overridden through `createDeviceProfile`'s `init`. */
export interface DevicePhysics {
  /** Conductance laws to apply. */
  deviceModel: DeviceModel
  /** Largest programmable conductance, µS. */
  gMaxMicroSiemens: number
  /** Smallest programmable conductance (the "off" state), µS; a weight of zero puts both devices here. */
  gMinMicroSiemens: number
  /**
   * Number of programmable conductance levels per device between g_min and g_max inclusive, or 0 for a
   * continuous device. A signed weight spans 2·levels − 1 values through the differential pair.
   */
  conductanceLevels: number
  /** `pcm`: multiplier on aihwkit's programming-noise law (aihwkit `prog_noise_scale`). */
  programNoiseScale: number
  /** `pcm`: multiplier on the 1/f read-noise law (aihwkit `read_noise_scale`). */
  readNoiseScale: number
  /** `pcm`: multiplier on the drift exponents (aihwkit `drift_scale`). */
  driftScale: number
  /** `rram`: relative standard deviation of programming noise, g_prog = g_T·(1 + σ·N(0, 1)). */
  programNoiseRelative: number
  /** `rram`: relative standard deviation of the conductance seen by each read. */
  readNoiseRelative: number
  /** Drift reference time t0 (s). */
  t0Seconds: number
  /** Read duration t_read (s) of the 1/f noise law. */
  tReadSeconds: number
  /** Fraction of devices stuck at g_min (stuck-at-0 / stuck-off). */
  stuckAtGminFraction: number
  /** Fraction of devices stuck at g_max (stuck-at-1 / stuck-on). */
  stuckAtGmaxFraction: number
  /** `abs-max`: each input vector is divided by its max |x| before the DAC (aihwkit `NoiseManagementType.ABS_MAX`). */
  noiseManagement: 'abs-max' | 'none'
  /** DAC resolution in bits (2^bits − 1 levels on [−inputBound, inputBound], aihwkit `inp_res = 1/(2^bits − 2)`), 0 = no DAC. */
  dacBits: number
  /** Input range of the DAC (normalized units). */
  inputBound: number
  /** ADC resolution in bits (step 2·outputBound / (2^bits − 2), aihwkit `out_res = 1/(2^bits − 2)`), 0 = no ADC. */
  adcBits: number
  /** Output range of the ADC in normalized units (outputs are clipped to ±outputBound), 0 = unbounded. */
  outputBound: number
  /** Additive Gaussian output noise σ_out in normalized units (aihwkit `out_noise`). */
  outputNoise: number
  /** `iterative`: halve the input scale and re-run while the ADC clips (aihwkit `BoundManagementType.ITERATIVE`). */
  boundManagement: 'iterative' | 'none'
  /**
   * Static IR-drop attenuation: fraction of the signal lost by the cell farthest from both the row driver and
   * the column sense amplifier (0 = off). Attenuation grows linearly with the wire length to the cell.
   */
  irDrop: number
  /** Whether `execute` applies global drift compensation unless told otherwise. */
  driftCompensation: boolean
}

/** A complete device profile. */
export interface DeviceProfile extends DevicePhysics {
  /** The preset it was made from (`custom` names are allowed for hand-built profiles). */
  preset: string
  geometry: TileGeometry
  timing: DeviceTiming
  /**
   * Figure of merit for steering: the expected relative output error ‖y − y_exact‖ / ‖y_exact‖ of one MVM at
   * t = 1 s, estimated once per profile by a seeded trial (Gaussian weights filling the tile, at most
   * 128×128, inputs uniform on [−1, 1]). 0 for an exact device.
   */
  noiseLevel: number
}

/** Options of `createDeviceProfile`: geometry, any physics field, timing and (rarely) a fixed `noiseLevel`. */
export type DeviceProfileInit = { rows?: number, cols?: number, timing?: Partial<DeviceTiming>, noiseLevel?: number } & Partial<DevicePhysics>
