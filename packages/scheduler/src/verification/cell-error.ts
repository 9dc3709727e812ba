/**
 * The second moment of one programmed weight's error, derived from a device profile's laws (docs/crossbar.md,
 * "Non-idealities"): what an honest device adds to a weight of normalised magnitude m = |w| / max|W| through its
 * differential pair (G+ holds a positive weight, G− a negative one, the other device sits at g_min).
 *
 * The error of one device, in units of (g_max − g_min), is `α·D·(g_T + n_prog)/Δ − g_T/Δ` plus its read noise,
 * with D the drift factor (t/t0)^−ν of a random ν, α the global drift compensation, n_prog the programming noise.
 * Its second moment, over the device's randomness (independent draws, zero-mean noises), is
 *
 *   E[(αD − 1)²]·x² + α²·E[D²]·σ_prog² + α²·E[D²]·(x² + σ_prog²)·σ_read²          (pcm, x = g_T/Δ)
 *   (1 − p0 − p1)·x²·(σ_p² + σ_r²·(1 + σ_p²)) + p0·(x − x_min)² + p1·(x_max − x)² + stuck read noise   (rram)
 *
 * and a weight's error is the difference of its two devices' errors, whose second moments add. Level
 * quantisation is not an error here: the verifier compares against the quantised weights (see block-model.ts).
 */
import {
  pcmDriftFactor, pcmDriftMean, pcmDriftStd, pcmProgrammingSigma, pcmReadNoiseQs, pcmReadNoiseTimeFactor
} from '@tessera/crossbar'
import type { DeviceProfile } from '@tessera/crossbar'

/** Points of the quadrature over the drift exponent ν (trapezoid over ±8 σ_ν: the rest weighs < 1e−15). */
const NU_POINTS = 257
/** Table resolution over m ∈ [0, 1] (the second moment is smooth in m; lookups interpolate linearly). */
const TABLE_POINTS = 1025

/** E[D] and E[D²] of the drift factor of a PCM device with target x, ν = |N(μ_ν(x), σ_ν(x))|·driftScale. */
function driftMoments (profile: DeviceProfile, x: number, ageSeconds: number): { mean: number, meanSquare: number } {
  if (profile.driftScale === 0) return { mean: 1, meanSquare: 1 }
  const mu = pcmDriftMean(x)
  const sd = pcmDriftStd(x)
  let w = 0
  let m1 = 0
  let m2 = 0
  for (let k = 0; k < NU_POINTS; k++) {
    const z = -8 + (16 * k) / (NU_POINTS - 1)
    const density = Math.exp(-0.5 * z * z) * (k === 0 || k === NU_POINTS - 1 ? 0.5 : 1)
    const nu = Math.abs(mu + sd * z) * profile.driftScale
    const d = pcmDriftFactor(ageSeconds, nu, profile.t0Seconds, profile.tReadSeconds)
    w += density
    m1 += density * d
    m2 += density * d * d
  }
  return { mean: m1 / w, meanSquare: m2 / w }
}

/** What a profile's error model needs at one age: the per-device second moment and the drift compensation. */
export interface CellErrorModel {
  /** E[Δw̃²] of a weight of normalised magnitude m ∈ [0, 1] (Δw̃ in units of max|W|), drift compensated by `alpha`. */
  secondMoment: (m: number, alpha: number) => number
  /** E[D] of a device at normalised target m (1 without drift): feeds the block's compensation factor α. */
  meanDrift: (m: number) => number
  /** Whether outputs are scaled by a drift compensation factor α (pcm with compensation on and drift). */
  compensated: boolean
}

/** The pcm per-device second moment at target x (relative to g_max), before the pair is formed. */
function pcmDevice (profile: DeviceProfile, x: number, alpha: number, drift: { mean: number, meanSquare: number }, readFactor: number): number {
  const range = profile.gMaxMicroSiemens - profile.gMinMicroSiemens
  const sProg = (pcmProgrammingSigma(x, profile.gMaxMicroSiemens) * profile.programNoiseScale) / range
  const sRead = pcmReadNoiseQs(x) * profile.readNoiseScale * readFactor
  const bias = alpha * alpha * drift.meanSquare - 2 * alpha * drift.mean + 1
  return bias * x * x + alpha * alpha * drift.meanSquare * (sProg * sProg + (x * x + sProg * sProg) * sRead * sRead)
}

/** The rram per-device second moment at normalised target conductance g_T (µS). */
function rramDevice (profile: DeviceProfile, gT: number): number {
  const range = profile.gMaxMicroSiemens - profile.gMinMicroSiemens
  const x = gT / range
  const xMin = profile.gMinMicroSiemens / range
  const xMax = profile.gMaxMicroSiemens / range
  const sp = profile.programNoiseRelative
  const sr = profile.readNoiseRelative
  const p0 = profile.stuckAtGminFraction
  const p1 = profile.stuckAtGmaxFraction
  const healthy = x * x * (sp * sp + sr * sr * (1 + sp * sp))
  const stuckLow = (x - xMin) * (x - xMin) + xMin * xMin * sr * sr
  const stuckHigh = (xMax - x) * (xMax - x) + xMax * xMax * sr * sr
  return (1 - p0 - p1) * healthy + p0 * stuckLow + p1 * stuckHigh
}

/** Linear interpolation in a table over [0, 1]. */
function lookup (table: Float64Array, m: number): number {
  const pos = Math.min(1, Math.max(0, m)) * (table.length - 1)
  const lo = Math.floor(pos)
  const hi = Math.min(table.length - 1, lo + 1)
  return table[lo] + (table[hi] - table[lo]) * (pos - lo)
}

/**
 * The error model of `profile` at `ageSeconds` after programming. Drift and the 1/f read noise grow with age, so a
 * model at an age bounds the error of every younger device.
 */
export function cellErrorModel (profile: DeviceProfile, ageSeconds: number): CellErrorModel {
  if (profile.deviceModel === 'ideal') return { secondMoment: () => 0, meanDrift: () => 1, compensated: false }
  const range = profile.gMaxMicroSiemens - profile.gMinMicroSiemens
  if (profile.deviceModel === 'rram') {
    const gMin = profile.gMinMicroSiemens
    const table = new Float64Array(TABLE_POINTS)
    const off = rramDevice(profile, gMin)
    for (let k = 0; k < TABLE_POINTS; k++) table[k] = rramDevice(profile, gMin + (k / (TABLE_POINTS - 1)) * range) + off
    return { secondMoment: (m) => lookup(table, m), meanDrift: () => 1, compensated: false }
  }
  // pcm: g_min is the device's zero (x = g_T / g_max with g_min = 0 in the presets).
  const readFactor = pcmReadNoiseTimeFactor(ageSeconds, profile.tReadSeconds)
  const drifts = Array.from({ length: TABLE_POINTS }, (_, k) => driftMoments(profile, (profile.gMinMicroSiemens + (k / (TABLE_POINTS - 1)) * range) / profile.gMaxMicroSiemens, ageSeconds))
  const meanTable = Float64Array.from(drifts, (d) => d.mean)
  const compensated = profile.driftCompensation && profile.driftScale > 0
  const xOf = (k: number): number => (profile.gMinMicroSiemens + (k / (TABLE_POINTS - 1)) * range) / profile.gMaxMicroSiemens
  // The table depends on α, which depends on the block's weights: it is built per α (once per block and age).
  const tables = new Map<number, Float64Array>()
  const tableFor = (alpha: number): Float64Array => {
    let t = tables.get(alpha)
    if (t === undefined) {
      t = new Float64Array(TABLE_POINTS)
      const off = pcmDevice(profile, xOf(0), alpha, drifts[0], readFactor)
      for (let k = 0; k < TABLE_POINTS; k++) t[k] = pcmDevice(profile, xOf(k), alpha, drifts[k], readFactor) + off
      tables.set(alpha, t)
    }
    return t
  }
  return { secondMoment: (m, alpha) => lookup(tableFor(alpha), m), meanDrift: (m) => lookup(meanTable, m), compensated }
}
