/**
 * Defaults and physical constants of the crossbar package. Units are in the names; conductances are in
 * microsiemens (µS), times in seconds unless the name says otherwise.
 */

/** Default tile geometry (rows = word lines = inputs, cols = bit lines = outputs). */
export const DEFAULT_TILE_ROWS = 256
export const DEFAULT_TILE_COLS = 256

/** Largest tile side accepted by `createDeviceProfile` (aihwkit simulates tiles up to 512; we allow 4096). */
export const MAX_TILE_SIDE = 4096

/** PCM maximum conductance (aihwkit `PCMLikeNoiseModel`, g_max = 25 µS). */
export const PCM_G_MAX_MICRO_SIEMENS = 25

/** Reference g_max of aihwkit's programming-noise fit: σ_prog scales by g_max / 25 µS. */
export const PCM_PROG_COEFF_G_MAX_REFERENCE_MICRO_SIEMENS = 25

/** aihwkit `PCMLikeNoiseModel.prog_coeff`: σ_prog(x) = c0 + c1·x + c2·x² in µS, x = g_T / g_max. */
export const PCM_PROG_COEFFS = [0.26348, 1.965, -1.1731] as const

/** aihwkit drift reference time t0 (s): conductance is g_prog at t0 and drifts as (t / t0)^−ν afterwards. */
export const PCM_T0_SECONDS = 20

/** aihwkit read duration t_read (s) used by the 1/f read-noise law and added to the inference time. */
export const PCM_T_READ_SECONDS = 250e-9

/** aihwkit `_ZERO_CLIP`: relative conductances below this are clipped before taking logarithms. */
export const PCM_ZERO_CLIP = 1e-7

/** Drift exponent mean law μ_ν = clamp(a·ln x + b, lo, hi) (aihwkit). */
export const PCM_NU_MEAN_SLOPE = -0.0155
export const PCM_NU_MEAN_OFFSET = 0.0244
export const PCM_NU_MEAN_MIN = 0.049
export const PCM_NU_MEAN_MAX = 0.1

/** Drift exponent spread law σ_ν = clamp(a·ln x + b, lo, hi) (aihwkit). */
export const PCM_NU_STD_SLOPE = -0.0125
export const PCM_NU_STD_OFFSET = -0.0059
export const PCM_NU_STD_MIN = 0.008
export const PCM_NU_STD_MAX = 0.045

/** 1/f read noise amplitude law Q_s = min(c / max(x^e, floor), cap) (aihwkit). */
export const PCM_QS_COEFF = 0.0088
export const PCM_QS_EXPONENT = 0.65
export const PCM_QS_FLOOR = 1e-3
export const PCM_QS_MAX = 0.2

/** Default time since programming for `execute` (s). */
export const DEFAULT_EXECUTE_T_SECONDS = 1

/** aihwkit IOParameters defaults: 7-bit DAC (inp_res = 1/(2^7 − 2)) on [−1, 1]. */
export const AIHWKIT_DAC_BITS = 7
export const AIHWKIT_INPUT_BOUND = 1
/** aihwkit IOParameters defaults: 9-bit ADC (out_res = 1/(2^9 − 2)) on [−12, 12]. */
export const AIHWKIT_ADC_BITS = 9
export const AIHWKIT_OUTPUT_BOUND = 12
/** aihwkit IOParameters default additive output noise σ_out (normalized output units). */
export const AIHWKIT_OUTPUT_NOISE = 0.06
/**
 * aihwkit iterative bound management: the input scale is halved while the ADC clips, up to a reduction of
 * `max_bm_factor` = 1000, or until the reduction exceeds `max_bm_res` / (DAC step) with `max_bm_res` = 0.25.
 */
export const AIHWKIT_MAX_BM_FACTOR = 1000
export const AIHWKIT_MAX_BM_RES = 0.25

/** ISAAC (Shafiee et al., ISCA 2016): 128×128 crossbar read with an 8-bit ADC in 100 ns. */
export const ISAAC_MVM_LATENCY_NS = 100
/** IBM 64-core PCM chip (Le Gallo et al., Nature Electronics 2023): 256×256 one-phase MVM in 133 ns. */
export const IBM_PCM_MVM_LATENCY_NS = 133
/** IBM 64-core PCM chip: 0.2 pJ per multiply-accumulate in the analog core. */
export const IBM_PCM_ENERGY_PJ_PER_MAC = 0.2

/** NeuroSim default RRAM (Param.cpp): R_on = 6 kΩ, on/off ratio 17. */
export const NEUROSIM_RRAM_G_MAX_MICRO_SIEMENS = 1e6 / 6e3
export const NEUROSIM_RRAM_ON_OFF_RATIO = 17

/** Seeded trial used to estimate a profile's `noiseLevel` (input vectors per estimate). */
export const NOISE_LEVEL_TRIAL_BATCH = 16
/** Largest block side of the `noiseLevel` trial. */
export const NOISE_LEVEL_TRIAL_MAX_SIDE = 128
/** Seed of the `noiseLevel` estimate, fixed so a profile's figure is the same on every machine. */
export const NOISE_LEVEL_TRIAL_SEED = 'tessera/noise-level/v1'
/** Time since programming at which `noiseLevel` is defined (s). */
export const NOISE_LEVEL_T_SECONDS = 1

/**
 * Partition planner: gaps thinner than this many rows or columns stay empty rather than receive a cut sliver
 * block (a sliver costs a block execution, and an extra partial sum, for a handful of weights). The default is
 * the larger of `DEFAULT_PLANNER_MIN_CUT_CELLS` and the tile's shorter side ÷ `PLANNER_MIN_CUT_TILE_DIVISOR`:
 * 4 cells on 128×128 tiles, 8 on 256×256, 16 on 512×512. Measured on 64 random shapes (sides 16–1200), this
 * keeps utilisation ≥ 0.98 while cutting the extra blocks by a half or more against a 1-cell limit.
 */
export const DEFAULT_PLANNER_MIN_CUT_CELLS = 4
export const PLANNER_MIN_CUT_TILE_DIVISOR = 32
