/**
 * Programming a block (weight-stationary): maps each weight onto a differential device pair — level
 * quantisation, programming noise, stuck-at faults and, for PCM, drift exponents and 1/f read-noise
 * amplitudes. Everything here depends only on (profile, seed, weights) and is fixed once per block.
 */
import { pcmDriftMean, pcmDriftStd, pcmProgrammingSigma, pcmReadNoiseQs } from './physics-pcm.js'
import type { BlockScales } from './physics-scales.js'
import type { AnalogBlockInit } from './physics-types.js'
import { createRng } from './random.js'

/** Per-device state of a programmed block (conductances in µS; PCM-only arrays are empty otherwise). */
export interface ProgrammedDevices {
  gPlus: Float32Array
  gMinus: Float32Array
  /** Drift exponents (PCM). */
  nuPlus: Float32Array
  nuMinus: Float32Array
  /** 1/f read-noise amplitudes Q_s (PCM). */
  qsPlus: Float32Array
  qsMinus: Float32Array
  /** 0 = healthy, 1 = stuck at g_min, 2 = stuck at g_max. */
  stuckPlus: Uint8Array
  stuckMinus: Uint8Array
}

export function programDevices (init: AnalogBlockInit, scales: BlockScales): ProgrammedDevices {
  const { profile, weights, rows, cols, seed } = init
  const { wScale, levels } = scales
  const n = rows * cols
  const gMax = profile.gMaxMicroSiemens
  const gMin = profile.gMinMicroSiemens
  const gRange = gMax - gMin
  const isPcm = profile.deviceModel === 'pcm'
  const isRram = profile.deviceModel === 'rram'

  // Each effect has its own stream so switching one off leaves the others.
  const gPlus = new Float32Array(n)
  const gMinus = new Float32Array(n)
  const nuPlus = new Float32Array(isPcm ? n : 0)
  const nuMinus = new Float32Array(isPcm ? n : 0)
  const qsPlus = new Float32Array(isPcm ? n : 0)
  const qsMinus = new Float32Array(isPcm ? n : 0)
  const stuckPlus = new Uint8Array(n)
  const stuckMinus = new Uint8Array(n)
  const progRng = createRng(`${seed}/program`)
  const driftRng = createRng(`${seed}/drift`)
  const stuckRng = createRng(`${seed}/stuck`)
  const p0 = profile.stuckAtGminFraction
  const p01 = p0 + profile.stuckAtGmaxFraction
  const pcmProgScale = isPcm ? profile.programNoiseScale : 0
  const rramProg = isRram ? profile.programNoiseRelative : 0

  const program = (gTarget: number): number => {
    if (pcmProgScale > 0) {
      const g = gTarget + pcmProgScale * pcmProgrammingSigma(gTarget / gMax, gMax) * progRng.nextNormal()
      return g > 0 ? g : 0
    }
    if (rramProg > 0) {
      const g = gTarget * (1 + rramProg * progRng.nextNormal())
      return g > 0 ? g : 0
    }
    return gTarget
  }
  const stuck = (): number => {
    if (p01 <= 0) return 0
    const r = stuckRng.nextFloat()
    return r < p0 ? 1 : r < p01 ? 2 : 0
  }
  const drawNu = (gTarget: number): number => {
    const x = gTarget / gMax
    return Math.abs(pcmDriftMean(x) + pcmDriftStd(x) * driftRng.nextNormal()) * profile.driftScale
  }

  for (let i = 0; i < n; i++) {
    const w = weights[i]
    let m = Math.abs(w) / wScale
    if (levels >= 2) m = Math.round(m * (levels - 1)) / (levels - 1)
    const gActive = gMin + m * gRange
    const gtPlus = w > 0 ? gActive : gMin
    const gtMinus = w < 0 ? gActive : gMin
    let gp = program(gtPlus)
    let gm = program(gtMinus)
    const sp = stuck()
    const sm = stuck()
    if (sp !== 0) gp = sp === 1 ? gMin : gMax
    if (sm !== 0) gm = sm === 1 ? gMin : gMax
    gPlus[i] = gp
    gMinus[i] = gm
    stuckPlus[i] = sp
    stuckMinus[i] = sm
    if (isPcm) {
      // ν and Q_s follow the target conductance (aihwkit draws them from g_target); a stuck device is a
      // fixed resistor: it does not drift and its 1/f amplitude follows the state it is stuck in.
      const np = drawNu(gtPlus)
      const nm = drawNu(gtMinus)
      nuPlus[i] = sp === 0 ? np : 0
      nuMinus[i] = sm === 0 ? nm : 0
      qsPlus[i] = pcmReadNoiseQs((sp === 0 ? gtPlus : gp) / gMax) * profile.readNoiseScale
      qsMinus[i] = pcmReadNoiseQs((sm === 0 ? gtMinus : gm) / gMax) * profile.readNoiseScale
    }
  }
  return { gPlus, gMinus, nuPlus, nuMinus, qsPlus, qsMinus, stuckPlus, stuckMinus }
}
