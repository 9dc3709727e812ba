/**
 * The phase-change-memory laws of aihwkit's `PCMLikeNoiseModel` (Nandakumar et al., "Phase-change memory
 * models for deep learning training and inference", ICECS 2019; aihwkit `aihwkit/inference/noise/pcm.py`).
 * Every function takes x = g_T / g_max (the target conductance relative to g_max) or a conductance in µS and
 * is a pure function, so the test vectors of docs/crossbar.md check them directly.
 */
import {
  PCM_NU_MEAN_MAX, PCM_NU_MEAN_MIN, PCM_NU_MEAN_OFFSET, PCM_NU_MEAN_SLOPE,
  PCM_NU_STD_MAX, PCM_NU_STD_MIN, PCM_NU_STD_OFFSET, PCM_NU_STD_SLOPE,
  PCM_PROG_COEFFS, PCM_PROG_COEFF_G_MAX_REFERENCE_MICRO_SIEMENS,
  PCM_QS_COEFF, PCM_QS_EXPONENT, PCM_QS_FLOOR, PCM_QS_MAX,
  PCM_T0_SECONDS, PCM_T_READ_SECONDS, PCM_ZERO_CLIP
} from './constants.js'

function clamp (value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value
}

/**
 * Programming noise standard deviation in µS: (0.26348 + 1.9650 x − 1.1731 x²) · g_max / 25 µS.
 * @param x - target conductance relative to g_max
 * @param gMaxMicroSiemens - the device's g_max
 */
export function pcmProgrammingSigma (x: number, gMaxMicroSiemens: number): number {
  const sigma = PCM_PROG_COEFFS[0] + PCM_PROG_COEFFS[1] * x + PCM_PROG_COEFFS[2] * x * x
  return sigma * gMaxMicroSiemens / PCM_PROG_COEFF_G_MAX_REFERENCE_MICRO_SIEMENS
}

/** Mean drift exponent μ_ν = clamp(−0.0155 ln x + 0.0244, 0.049, 0.1), x clipped at 1e−7. */
export function pcmDriftMean (x: number): number {
  const logX = Math.log(Math.max(x, PCM_ZERO_CLIP))
  return clamp(PCM_NU_MEAN_SLOPE * logX + PCM_NU_MEAN_OFFSET, PCM_NU_MEAN_MIN, PCM_NU_MEAN_MAX)
}

/** Device-to-device spread of the drift exponent σ_ν = clamp(−0.0125 ln x − 0.0059, 0.008, 0.045). */
export function pcmDriftStd (x: number): number {
  const logX = Math.log(Math.max(x, PCM_ZERO_CLIP))
  return clamp(PCM_NU_STD_SLOPE * logX + PCM_NU_STD_OFFSET, PCM_NU_STD_MIN, PCM_NU_STD_MAX)
}

/** 1/f read-noise amplitude Q_s = min(0.0088 / max(x^0.65, 1e−3), 0.2) (aihwkit uses |x|). */
export function pcmReadNoiseQs (x: number): number {
  const denominator = Math.max(Math.pow(Math.abs(x), PCM_QS_EXPONENT), PCM_QS_FLOOR)
  return Math.min(PCM_QS_COEFF / denominator, PCM_QS_MAX)
}

/**
 * Effective time aihwkit evaluates drift and read noise at: the inference time plus one read duration
 * (`t = t_inference + t_read` in `apply_drift_noise_to_conductance`).
 */
export function pcmEffectiveTime (tSeconds: number, tReadSeconds = PCM_T_READ_SECONDS): number {
  return tSeconds + tReadSeconds
}

/**
 * Drift factor g(t) / g_prog = (t / t0)^−ν, with t the effective time; no drift before t0 (aihwkit leaves the
 * conductance at g_prog while t ≤ t0).
 * @param tSeconds - time since programming (the effective time adds t_read)
 * @param nu - the device's drift exponent
 * @param t0Seconds - drift reference time, 20 s by default
 * @param tReadSeconds - read duration, 250 ns by default
 */
export function pcmDriftFactor (tSeconds: number, nu: number, t0Seconds = PCM_T0_SECONDS, tReadSeconds = PCM_T_READ_SECONDS): number {
  const t = pcmEffectiveTime(tSeconds, tReadSeconds)
  return t > t0Seconds ? Math.pow(t / t0Seconds, -nu) : 1
}

/**
 * Time factor of the accumulated 1/f read noise: √ln((t + t_read) / (2 t_read)) with t the effective time,
 * so a device's relative read-noise standard deviation at time t is Q_s times this factor. Zero at t = 0.
 */
export function pcmReadNoiseTimeFactor (tSeconds: number, tReadSeconds = PCM_T_READ_SECONDS): number {
  const t = pcmEffectiveTime(tSeconds, tReadSeconds)
  const ratio = (t + tReadSeconds) / (2 * tReadSeconds)
  return ratio > 1 ? Math.sqrt(Math.log(ratio)) : 0
}
