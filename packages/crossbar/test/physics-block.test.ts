import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import fc from 'fast-check'
import { referenceProduct } from '@tessera/testing'
import { InvalidCrossbarOptionError } from '../src/errors.js'
import { programAnalogBlock } from '../src/physics-block.js'
import { createDeviceProfile } from '../src/profiles.js'
import type { DeviceProfileInit, PresetName } from '../src/profiles.js'
import { createRng } from '../src/random.js'
import { createReferenceKernel } from '../src/reference-kernel.js'
import { createWasmKernelSync } from '../src/wasm-kernel.js'
import type { MvmKernel } from '../src/kernel.js'

const kernel = createReferenceKernel()
const G_MAX = 25
const T_READ = 250e-9

/** The per-vector peripherals run in WebAssembly (assembly/analog.ts) or in the TypeScript fallback. */
const PERIPHERALS = ['auto', 'typescript'] as const
let peripherals: typeof PERIPHERALS[number] = 'auto'

/** Runs the enclosing describe's tests with the given peripherals. */
function usePeripherals (mode: typeof PERIPHERALS[number]): void {
  before(() => { peripherals = mode })
  after(() => { peripherals = 'auto' })
}

function block (preset: PresetName, init: DeviceProfileInit, weights: Float32Array, rows: number, cols: number, seed: number | string = 1) {
  const profile = createDeviceProfile(preset, { rows: Math.max(rows, 1), cols: Math.max(cols, 1), noiseLevel: 0, ...init })
  return programAnalogBlock({ profile, weights, rows, cols, seed, kernel, peripherals })
}

function meanStd (values: ArrayLike<number>): { mean: number, std: number, n: number } {
  let sum = 0
  for (let i = 0; i < values.length; i++) sum += values[i]
  const mean = sum / values.length
  let sq = 0
  for (let i = 0; i < values.length; i++) sq += (values[i] - mean) ** 2
  return { mean, std: Math.sqrt(sq / (values.length - 1)), n: values.length }
}

/** Abramowitz & Stegun 7.1.26 (|error| < 1.5e−7). */
function erf (z: number): number {
  const s = Math.sign(z)
  const a = Math.abs(z)
  const t = 1 / (1 + 0.3275911 * a)
  const y = 1 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-a * a)
  return s * y
}

/** Mean and standard deviation of |N(μ, σ²)| (folded normal). */
function foldedNormal (mu: number, sigma: number): { mean: number, std: number } {
  const mean = sigma * Math.sqrt(2 / Math.PI) * Math.exp(-mu * mu / (2 * sigma * sigma)) + mu * erf(mu / (sigma * Math.SQRT2))
  return { mean, std: Math.sqrt(mu * mu + sigma * sigma - mean * mean) }
}

/** Weights with every cell at v·w_max except cell 0, which holds w_max = 1 so that v is relative to it. */
function uniformWeights (n: number, v: number): Float32Array {
  const w = new Float32Array(n).fill(v)
  w[0] = 1
  return w
}

describe('ideal profile', () => {
  it('equals a float64 reference within float32 rounding for random (ragged) shapes', () => {
    fc.assert(fc.property(
      fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 4 }), fc.integer(),
      (rows, cols, batch, seed) => {
        const rng = createRng(seed)
        const w = Float32Array.from({ length: rows * cols }, () => rng.nextNormal() * 3)
        const x = Float32Array.from({ length: batch * rows }, () => rng.nextNormal())
        const b = block('ideal', {}, w, rows, cols, seed)
        const out = new Float32Array(batch * cols)
        b.execute(x, batch, out)
        const { exact, magnitude } = referenceProduct(x, w, batch, rows, cols)
        for (let v = 0; v < batch; v++) {
          for (let j = 0; j < cols; j++) {
            const ref = exact[v * cols + j]
            const mag = magnitude[v * cols + j]
            const tolerance = (rows + 2) * 2 ** -24 * mag + 1e-30
            assert.ok(Math.abs(out[v * cols + j] - ref) <= tolerance, `${rows}×${cols} out ${out[v * cols + j]} ref ${ref}`)
          }
        }
      }), { numRuns: 60, seed: 42 })
  })
})

describe('PCM programming statistics (aihwkit PCMLikeNoiseModel)', () => {
  const rows = 200
  const cols = 100
  const n = rows * cols - 1 // cell 0 holds w_max
  // docs/crossbar.md test vectors: x → σ_prog (µS), μ_ν, σ_ν.
  const vectors = [
    { x: 1, sigmaProg: 1.055, nuMean: 0.049, nuStd: 0.008 },
    { x: 0.5, sigmaProg: 0.953, nuMean: 0.049, nuStd: 0.008 },
    { x: 0.1, sigmaProg: 0.448, nuMean: 0.060, nuStd: 0.0229 }
  ]
  for (const v of vectors) {
    it(`programs x = ${v.x} with σ_prog ≈ ${v.sigmaProg} µS and ν ≈ |N(${v.nuMean}, ${v.nuStd}²)|`, () => {
      const b = block('pcm', {}, uniformWeights(rows * cols, v.x), rows, cols, `stats/${v.x}`)
      const state = b.deviceState()
      const dev = state.gPlus.slice(1).map(g => g - v.x * G_MAX)
      const prog = meanStd(dev)
      // A sample std's standard error is σ/√(2n); 5 of them plus the rounding of the quoted value.
      assert.ok(Math.abs(prog.std - v.sigmaProg) <= 5 * v.sigmaProg / Math.sqrt(2 * n) + 0.0005, `σ_prog ${prog.std}`)
      assert.ok(Math.abs(prog.mean) <= 5 * v.sigmaProg / Math.sqrt(n), `programming bias ${prog.mean}`)
      const expected = foldedNormal(v.nuMean, v.nuStd)
      const nu = meanStd(state.nuPlus.slice(1))
      assert.ok(Math.abs(nu.mean - expected.mean) <= 5 * expected.std / Math.sqrt(n) + 0.0005, `μ_ν ${nu.mean} vs ${expected.mean}`)
      assert.ok(Math.abs(nu.std - expected.std) <= 5 * expected.std / Math.sqrt(2 * n) + 0.00005, `σ_ν ${nu.std} vs ${expected.std}`)
    })
  }

  it('programs x = 0 (the idle device of each pair) as max(0, N(0, 0.2635²)) with ν ≈ |N(0.1, 0.045²)|', () => {
    const b = block('pcm', {}, uniformWeights(rows * cols, 0.5), rows, cols, 'stats/0')
    const state = b.deviceState()
    const g = state.gMinus.slice(1)
    // E[max(0, σZ)²] = σ²/2, so σ̂ = √(2·mean g²); its standard error is ≈ 1.118 σ / √n.
    let sq = 0
    let zeros = 0
    for (const value of g) { sq += value * value; if (value === 0) zeros++ }
    const sigmaHat = Math.sqrt(2 * sq / g.length)
    assert.ok(Math.abs(sigmaHat - 0.2635) <= 5 * 1.118 * 0.2635 / Math.sqrt(g.length) + 0.00005, `σ_prog(0) ${sigmaHat}`)
    assert.ok(Math.abs(zeros / g.length - 0.5) <= 5 * 0.5 / Math.sqrt(g.length), `clamped fraction ${zeros / g.length}`)
    const expected = foldedNormal(0.1, 0.045)
    const nu = meanStd(state.nuMinus.slice(1))
    assert.ok(Math.abs(nu.mean - expected.mean) <= 5 * expected.std / Math.sqrt(g.length) + 0.0005, `μ_ν(0) ${nu.mean} vs ${expected.mean}`)
    assert.ok(Math.abs(nu.std - expected.std) <= 5 * expected.std / Math.sqrt(2 * g.length) + 0.0005, `σ_ν(0) ${nu.std} vs ${expected.std}`)
  })
})

for (const mode of PERIPHERALS) describe(`PCM read noise at the outputs (${mode} peripherals)`, () => {
  usePeripherals(mode)
  // One driven row: every column's read noise is exactly the sum of its two devices' 1/f noise.
  const groups = [
    { x: 1, qs: 0.0088 },
    { x: 0.5, qs: 0.0138 },
    { x: 0.1, qs: 0.0393 },
    { x: 0, qs: 0.2 }
  ]
  const perGroup = 60
  const cols = groups.length * perGroup
  const weights = new Float32Array(cols)
  groups.forEach((g, k) => weights.fill(g.x, k * perGroup, (k + 1) * perGroup))
  weights[perGroup] = 1 // w_max = 1 even if group 0 changes
  const quiet: DeviceProfileInit = { outputNoise: 0, adcBits: 0, outputBound: 0, dacBits: 0 }

  for (const tSeconds of [1, 3600]) {
    it(`follows Q_s(x)·√ln((t + t_read)/(2 t_read)) per device at t = ${tSeconds} s`, () => {
      const b = block('pcm', quiet, weights, 1, cols, `read/${tSeconds}`)
      const state = b.deviceState()
      const mean = b.effectiveWeights(tSeconds)
      const t = tSeconds + T_READ
      const time = Math.sqrt(Math.log((t + T_READ) / (2 * T_READ)))
      const drift = (nu: number): number => t > 20 ? (t / 20) ** -nu : 1
      const sigma = new Float64Array(cols)
      for (let j = 0; j < cols; j++) {
        const qsPlus = j === perGroup ? 0.0088 : groups[Math.floor(j / perGroup)].qs
        const qsMinus = 0.2
        const sp = state.gPlus[j] * drift(state.nuPlus[j]) * qsPlus * time
        const sm = state.gMinus[j] * drift(state.nuMinus[j]) * qsMinus * time
        sigma[j] = Math.sqrt(sp * sp + sm * sm) / G_MAX
      }
      const reads = 500
      const out = new Float32Array(cols)
      const x = new Float32Array([1])
      const sumZ2 = new Float64Array(groups.length)
      const counts = new Float64Array(groups.length)
      for (let r = 0; r < reads; r++) {
        b.execute(x, 1, out, { tSeconds, driftCompensation: false })
        for (let j = 0; j < cols; j++) {
          if (j === perGroup) continue
          if (sigma[j] === 0) {
            // Both devices clamped to 0 µS carry no current and no noise.
            assert.equal(out[j], mean[j])
            continue
          }
          const z = (out[j] - mean[j]) / sigma[j]
          const k = Math.floor(j / perGroup)
          sumZ2[k] += z * z
          counts[k]++
        }
      }
      for (let k = 0; k < groups.length; k++) {
        const variance = sumZ2[k] / counts[k]
        // Var(ẑ²-mean) = 2/n; the quoted Q_s is rounded to ≤ 0.4 %, i.e. ≤ 0.8 % in variance.
        assert.ok(Math.abs(variance - 1) <= 5 * Math.sqrt(2 / counts[k]) + 0.008, `x = ${groups[k].x}: normalized variance ${variance}`)
      }
    })
  }
})

for (const mode of PERIPHERALS) describe(`PCM read noise summed over driven rows (${mode} peripherals)`, () => {
  usePeripherals(mode)
  it('gives each output the variance Σ_i x_i² σ_ij² of its cells when every row is driven at full scale', () => {
    const rows = 32
    const cols = 40
    const qsOf = new Map([[1, 0.0088], [0.5, 0.0138], [0.1, 0.0393], [0, 0.2]].map(([x, q]) => [Math.fround(x), q]))
    const levels = [1, 0.5, 0.1, 0]
    const rng = createRng('rows')
    const w = Float32Array.from({ length: rows * cols }, () => levels[rng.nextInt(4)] * (rng.nextInt(2) === 0 ? 1 : -1))
    w[0] = 1
    const b = block('pcm', { outputNoise: 0, adcBits: 0, outputBound: 0, dacBits: 0 }, w, rows, cols, 'rows')
    const state = b.deviceState()
    const x = Float32Array.from({ length: rows }, () => (rng.nextInt(2) === 0 ? 1 : -1))
    const t = 1 + T_READ
    const time2 = Math.log((t + T_READ) / (2 * T_READ))
    const variance = new Float64Array(cols)
    const mean = new Float64Array(cols)
    const held = b.effectiveWeights(1)
    for (let j = 0; j < cols; j++) {
      for (let i = 0; i < rows; i++) {
        const c = i * cols + j
        const q = qsOf.get(Math.abs(w[c])) as number
        const qPlus = w[c] > 0 ? q : 0.2
        const qMinus = w[c] < 0 ? q : 0.2
        variance[j] += ((state.gPlus[c] * qPlus) ** 2 + (state.gMinus[c] * qMinus) ** 2) * time2 / G_MAX ** 2
        mean[j] += x[i] * held[c]
      }
    }
    const reads = 400
    const out = new Float32Array(cols)
    let sumZ2 = 0
    for (let r = 0; r < reads; r++) {
      b.execute(x, 1, out, { driftCompensation: false })
      for (let j = 0; j < cols; j++) sumZ2 += (out[j] - mean[j]) ** 2 / variance[j]
    }
    const n = reads * cols
    assert.ok(Math.abs(sumZ2 / n - 1) <= 5 * Math.sqrt(2 / n) + 0.008, `normalized variance ${sumZ2 / n}`)
  })
})

for (const mode of PERIPHERALS) describe(`PCM drift (${mode} peripherals)`, () => {
  usePeripherals(mode)
  it('scales each device by ((t + t_read)/t0)^−ν from its own exponent', () => {
    const rows = 20
    const cols = 20
    const w = Float32Array.from({ length: rows * cols }, (_, i) => (i % 7) / 6 + 0.01)
    const b = block('pcm', { programNoiseScale: 0 }, w, rows, cols, 'drift')
    const state = b.deviceState()
    const at0 = b.effectiveWeights(0)
    for (const tSeconds of [3600, 86400]) {
      const at = b.effectiveWeights(tSeconds)
      for (let c = 0; c < rows * cols; c++) {
        // No programming noise: the negative device sits at exactly 0 µS.
        assert.equal(state.gMinus[c], 0)
        const factor = ((tSeconds + T_READ) / 20) ** -state.nuPlus[c]
        assert.ok(Math.abs(at[c] - at0[c] * factor) <= 1e-6 * Math.abs(at0[c]), `cell ${c}`)
      }
    }
  })

  it('global drift compensation brings the mean output magnitude back', () => {
    const rows = 64
    const cols = 64
    const rng = createRng('compensation')
    const w = Float32Array.from({ length: rows * cols }, () => rng.nextNormal())
    const batch = 32
    const x = Float32Array.from({ length: batch * rows }, () => rng.nextFloat())
    const b = block('pcm', {}, w, rows, cols, 'compensation')
    const meanAbs = (tSeconds: number, driftCompensation: boolean): number => {
      const out = new Float32Array(batch * cols)
      b.execute(x, batch, out, { tSeconds, driftCompensation })
      return out.reduce((s, v) => s + Math.abs(v), 0) / out.length
    }
    const fresh = meanAbs(1, false)
    const driftedRatio = meanAbs(86400, false) / fresh
    const compensatedRatio = meanAbs(86400, true) / fresh
    // Every device's factor after a day is ≤ 0.664 (ν ≥ 0.049), so uncompensated outputs shrink by a third or
    // more; compensation rescales by the measured mean shrink and leaves only the spread of ν across devices
    // (averaged over 64 rows) and the noise, a few per cent.
    assert.ok(driftedRatio < 0.72, `uncompensated ratio ${driftedRatio}`)
    assert.ok(Math.abs(compensatedRatio - 1) < 0.1, `compensated ratio ${compensatedRatio}`)
    assert.ok(b.driftCompensationFactor(86400) > 1.3)
  })
})

for (const mode of PERIPHERALS) describe(`converters (${mode} peripherals)`, () => {
  usePeripherals(mode)
  it('quantises inputs to 127 DAC levels on [−1, 1] after abs-max noise management', () => {
    // Row 0 carries max|x| = 1, row 1 carries v; the weight column reads row 1 alone.
    const quiet: DeviceProfileInit = { programNoiseScale: 0, readNoiseScale: 0, driftScale: 0, outputNoise: 0, adcBits: 0, outputBound: 0 }
    const b = block('pcm', quiet, new Float32Array([0, 1]), 2, 1)
    // Values away from rounding ties (float32 inputs make exact ties unobservable).
    for (const v of [0.3, -0.77, 0.4 / 63, 0.6 / 63, 1.3 / 63, 0.999, -0.004, 0.9921]) {
      const out = new Float32Array(1)
      b.execute(new Float32Array([1, v]), 1, out, { driftCompensation: false })
      const code = Math.round(v * 63)
      assert.ok(Math.abs(out[0] - code / 63) <= 1e-6, `v = ${v}: out ${out[0]} expected ${code / 63}`)
    }
  })

  it('clips at the ADC bound and recovers by iterative bound management', () => {
    const quiet: DeviceProfileInit = { programNoiseScale: 0, readNoiseScale: 0, driftScale: 0, outputNoise: 0, dacBits: 0 }
    const rows = 64
    const w = new Float32Array(rows).fill(1)
    const x = new Float32Array(rows).fill(1)
    const out = new Float32Array(1)
    // Σ x̃ w̃ = 64 > 12: the input scale is halved until 64 / 8 = 8 fits, after 3 extra reads.
    const managed = block('pcm', quiet, w, rows, 1)
    const stats = managed.execute(x, 1, out, { driftCompensation: false })
    const step = 24 / 510
    assert.ok(Math.abs(out[0] - 64) <= 8 * step / 2 + 1e-5, `managed ${out[0]}`)
    assert.equal(stats.macs, 4 * rows)
    const unmanaged = block('pcm', { ...quiet, boundManagement: 'none' }, w, rows, 1)
    const statsUnmanaged = unmanaged.execute(x, 1, out, { driftCompensation: false })
    assert.ok(Math.abs(out[0] - 12) <= 1e-5, `unmanaged ${out[0]}`)
    assert.equal(statsUnmanaged.macs, rows)
  })

  it('CrossSim rule: with B_ADC = B_W + ⌈log2 N⌉ the ADC adds no error to integer-level MVMs', () => {
    // 16 levels per device → signed weights in {−15 … 15} (B_W = 5 with the sign), binary inputs (a 2-bit DAC
    // maps {0, 1} to codes {0, 1}), N = 64 rows → B_ADC = 11, one ADC step = one weight LSB × one input LSB.
    const rows = 64
    const cols = 24
    const bits = 5 + Math.ceil(Math.log2(rows))
    const rng = createRng('crosssim')
    const w = Float32Array.from({ length: rows * cols }, () => rng.nextInt(31) - 15)
    w[0] = 15
    const batch = 40
    const x = Float32Array.from({ length: batch * rows }, () => rng.nextInt(2))
    for (let b = 0; b < batch; b++) x[b * rows] = 1
    const base: DeviceProfileInit = { conductanceLevels: 16, noiseManagement: 'abs-max', dacBits: 2 }
    const lsb = 1 / 15
    const run = (init: DeviceProfileInit): Float32Array => {
      const out = new Float32Array(batch * cols)
      block('ideal', { ...base, ...init }, w, rows, cols).execute(x, batch, out)
      return out
    }
    const withoutAdc = run({})
    const withAdc = run({ adcBits: bits, outputBound: (2 ** (bits - 1) - 1) * lsb })
    assert.deepEqual(withAdc, withoutAdc)
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < cols; j++) {
        let sum = 0
        for (let i = 0; i < rows; i++) sum += x[b * rows + i] * w[i * cols + j]
        assert.ok(Math.abs(withAdc[b * cols + j] - sum) <= 1e-9 * Math.max(1, Math.abs(sum)))
      }
    }
    // One bit less (same range, twice the step) loses the odd sums.
    const coarse = run({ adcBits: bits - 1, outputBound: (2 ** (bits - 1) - 1) * lsb })
    assert.notDeepEqual(coarse, withoutAdc)
  })
})

describe('RRAM faults and levels', () => {
  it('sticks devices at g_min / g_max with fractions inside their binomial confidence interval', () => {
    const rows = 100
    const cols = 100
    const p0 = 0.05
    const p1 = 0.03
    const rng = createRng('faults')
    const w = Float32Array.from({ length: rows * cols }, () => rng.nextNormal())
    const b = block('rram-4bit', { stuckAtGminFraction: p0, stuckAtGmaxFraction: p1 }, w, rows, cols, 'faults')
    const s = b.deviceState()
    const gMax = createDeviceProfile('rram-4bit', { noiseLevel: 0 }).gMaxMicroSiemens
    const gMin = gMax / 17
    const devices = 2 * rows * cols
    let atMin = 0
    let atMax = 0
    for (let c = 0; c < rows * cols; c++) {
      for (const [flag, g] of [[s.stuckPlus[c], s.gPlus[c]], [s.stuckMinus[c], s.gMinus[c]]]) {
        if (flag === 1) { atMin++; assert.ok(Math.abs(g - gMin) <= 1e-4 * gMin) }
        if (flag === 2) { atMax++; assert.ok(Math.abs(g - gMax) <= 1e-4 * gMax) }
      }
    }
    assert.ok(Math.abs(atMin - devices * p0) <= 5 * Math.sqrt(devices * p0 * (1 - p0)), `stuck at g_min: ${atMin}`)
    assert.ok(Math.abs(atMax - devices * p1) <= 5 * Math.sqrt(devices * p1 * (1 - p1)), `stuck at g_max: ${atMax}`)
  })

  it('maps weights onto 16 conductance levels when noise is off', () => {
    const rng = createRng('levels')
    const w = Float32Array.from({ length: 400 }, () => rng.nextNormal())
    const b = block('rram-4bit', { programNoiseRelative: 0, readNoiseRelative: 0, stuckAtGminFraction: 0, stuckAtGmaxFraction: 0 }, w, 20, 20)
    const held = b.effectiveWeights()
    const lsb = b.wMax / 15
    for (let c = 0; c < w.length; c++) {
      const level = held[c] / lsb
      assert.ok(Math.abs(level - Math.round(level)) < 1e-4, `cell ${c} is ${level} LSBs`)
      assert.ok(Math.abs(held[c] - w[c]) <= lsb / 2 + 1e-6)
    }
  })
})

for (const mode of PERIPHERALS) describe(`determinism (${mode} peripherals)`, () => {
  usePeripherals(mode)
  for (const preset of ['pcm', 'rram-4bit', 'rram-hifi'] as const) {
    it(`${preset}: same seed gives bit-identical programming and outputs, another seed differs`, () => {
      const rows = 30
      const cols = 17
      const rng = createRng('det')
      const w = Float32Array.from({ length: rows * cols }, () => rng.nextNormal())
      const x = Float32Array.from({ length: 3 * rows }, () => rng.nextNormal())
      const run = (seed: string): { state: ReturnType<ReturnType<typeof block>['deviceState']>, outs: Float32Array[] } => {
        const b = block(preset, {}, w, rows, cols, seed)
        const outs = [1, 3600, 1].map(t => {
          const out = new Float32Array(3 * cols)
          b.execute(x, 3, out, { tSeconds: t })
          return out
        })
        return { state: b.deviceState(), outs }
      }
      const a = run('s1')
      const b = run('s1')
      const c = run('s2')
      assert.deepEqual(a.state, b.state)
      assert.deepEqual(a.outs, b.outs)
      assert.notDeepEqual(a.state.gPlus, c.state.gPlus)
      assert.notDeepEqual(a.outs[0], c.outs[0])
      // Read noise advances per call: the same input at the same t reads differently the second time.
      assert.notDeepEqual(a.outs[0], a.outs[2])
    })

    it(`${preset}: a call with a noiseKey reads the same noise whatever calls came before it`, () => {
      const rows = 40
      const cols = 23
      const batch = 5
      const rng = createRng(`key/${preset}`)
      const w = Float32Array.from({ length: rows * cols }, () => rng.nextNormal())
      const x = Float32Array.from({ length: batch * rows }, () => rng.nextNormal())
      const other = Float32Array.from({ length: 2 * rows }, () => rng.nextNormal())
      const read = (b: ReturnType<typeof block>, noiseKey?: number | string, input = x, n = batch): Float32Array => {
        const out = new Float32Array(n * cols)
        b.execute(input, n, out, noiseKey === undefined ? {} : { noiseKey })
        return out
      }
      const first = block(preset, {}, w, rows, cols, 's')
      const keyed = read(first, 'batch/7')
      // Another block with the same seed, after unkeyed and differently keyed calls of other shapes.
      const second = block(preset, {}, w, rows, cols, 's')
      read(second, undefined, other, 2)
      read(second, 'batch/8', other, 2)
      read(second)
      assert.deepEqual(read(second, 'batch/7'), keyed)
      assert.deepEqual(read(first, 'batch/7'), keyed)
      assert.notDeepEqual(read(first, 'batch/8'), keyed)
      // Numbers are keyed by their text.
      assert.deepEqual(read(first, 12), read(second, '12'))
      // Keyed calls leave the block's own generator alone: unkeyed calls continue the same sequence.
      const third = block(preset, {}, w, rows, cols, 's')
      const fourth = block(preset, {}, w, rows, cols, 's')
      read(fourth, 'batch/9')
      assert.deepEqual(read(fourth), read(third))
      assert.throws(() => read(first, Number.NaN), InvalidCrossbarOptionError)
    })
  }
})

describe('IR drop', () => {
  it('attenuates each cell linearly with its wire length to the row driver and the sense amplifier', () => {
    const tileSide = 8
    const irDrop = 0.2
    const profile = createDeviceProfile('ideal', { rows: tileSide, cols: tileSide, irDrop, noiseLevel: 0 })
    const rows = 4
    const cols = 5
    const rowOffset = 3
    const colOffset = 2
    const w = Float32Array.from({ length: rows * cols }, (_, i) => (i % 3) - 1 + 0.25 * i)
    const b = programAnalogBlock({ profile, weights: w, rows, cols, seed: 1, kernel, rowOffset, colOffset })
    const held = b.effectiveWeights()
    const expected = new Float64Array(rows * cols)
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const toDriver = (colOffset + j + 1) / tileSide
        const toSense = (tileSide - (rowOffset + i)) / tileSide
        expected[i * cols + j] = w[i * cols + j] * (1 - irDrop * (toDriver + toSense) / 2)
        assert.ok(Math.abs(held[i * cols + j] - expected[i * cols + j]) <= 1e-5, `cell ${i},${j}`)
      }
    }
    const x = new Float32Array([0.5, -1, 2, 0.25])
    const out = new Float32Array(cols)
    b.execute(x, 1, out)
    for (let j = 0; j < cols; j++) {
      let y = 0
      for (let i = 0; i < rows; i++) y += x[i] * expected[i * cols + j]
      assert.ok(Math.abs(out[j] - y) <= 1e-5 * (1 + Math.abs(y)))
    }
  })
})

describe('bound management', () => {
  /** The same WebAssembly kernel arithmetic without its engine: blocks on it read level after level. */
  function plainKernel (): MvmKernel {
    const inner = createWasmKernelSync()
    return { name: 'wasm-plain', load: (m, r, c) => inner.load(m, r, c), update: (h, m) => { inner.update(h, m) }, mvm: (h, x, b, o) => { inner.mvm(h, x, b, o) }, free: (h) => { inner.free(h) } }
  }

  it('gives bit-identical outputs and device reads whether levels are predicted and probed or read one by one', () => {
    const guidedKernel = createWasmKernelSync()
    const engine = guidedKernel.analogEngine()
    const mvmAt = engine.mvmAt
    let kernelReads = 0
    engine.mvmAt = (handle, x, batch, out) => { kernelReads += batch; return mvmAt(handle, x, batch, out) }
    const plain = plainKernel()
    let deviceReads = 0
    // Shapes where vectors need 0 to 3 halvings (output spread grows with √rows), ragged widths, every preset.
    const cases: Array<[PresetName, number, number, number, DeviceProfileInit]> = [
      ['pcm', 128, 128, 40, {}], ['pcm', 300, 77, 33, {}], ['pcm', 700, 130, 17, {}], ['pcm', 513, 61, 9, { dacBits: 0 }],
      ['pcm', 200, 40, 20, { noiseManagement: 'none' }], ['rram-4bit', 400, 36, 12, {}], ['rram-hifi', 600, 50, 12, {}]
    ]
    for (const [preset, rows, cols, batch, init] of cases) {
      const rng = createRng(`bm/${preset}/${rows}`)
      const w = Float32Array.from({ length: rows * cols }, () => 2 * rng.nextFloat() - 1)
      // Some all-zero vectors and a spread of magnitudes.
      const x = Float32Array.from({ length: batch * rows }, (_, i) => (Math.floor(i / rows) % 7 === 3 ? 0 : (2 * rng.nextFloat() - 1) * 4))
      const profile = createDeviceProfile(preset, { rows, cols, noiseLevel: 0, ...init })
      const guided = programAnalogBlock({ profile, weights: w, rows, cols, seed: 'bm', kernel: guidedKernel })
      const levelByLevel = programAnalogBlock({ profile, weights: w, rows, cols, seed: 'bm', kernel: plain })
      for (const tSeconds of [1, 86400, 1]) {
        const a = new Float32Array(batch * cols)
        const b = new Float32Array(batch * cols)
        const sa = guided.execute(x, batch, a, { tSeconds })
        const sb = levelByLevel.execute(x, batch, b, { tSeconds })
        assert.deepEqual(a, b, `${preset} ${rows}×${cols} at t = ${tSeconds}`)
        assert.deepEqual(sa, sb)
        deviceReads += sa.macs / (rows * cols)
      }
      guided.free()
      levelByLevel.free()
    }
    // The cases do exercise bound management (more than 1.5 reads per driven vector on average: 6 of every 7
    // vectors are driven, 3 calls each), and the predicted levels save kernel work.
    const driven = cases.reduce((sum, [, , , batch]) => sum + 3 * batch * 6 / 7, 0)
    assert.ok(deviceReads > 1.5 * driven, `device reads ${deviceReads} for ${driven} driven vectors`)
    assert.ok(kernelReads < deviceReads, `kernel reads ${kernelReads} vs device reads ${deviceReads}`)
  })

  it('halves each vector\'s input until the ADC stops clipping (WebAssembly predicted, level by level; TypeScript)', () => {
    // Vector v drives 8·2^v rows at 1 (max|x| = 1), so Σ x̃ w̃ = 8·2^v: the ADC range ±12 needs v halvings.
    const rows = 64
    const quiet: DeviceProfileInit = { programNoiseScale: 0, readNoiseScale: 0, driftScale: 0, outputNoise: 0, dacBits: 0 }
    const profile = createDeviceProfile('pcm', { rows, cols: 1, noiseLevel: 0, ...quiet })
    const w = new Float32Array(rows).fill(1)
    const batch = 4
    const x = new Float32Array(batch * rows)
    for (let v = 0; v < batch; v++) x.fill(1, v * rows, v * rows + 8 * 2 ** v)
    const setups = [
      { kernel: createWasmKernelSync(), peripherals: 'auto' as const },
      { kernel: plainKernel(), peripherals: 'auto' as const },
      { kernel: createReferenceKernel(), peripherals: 'typescript' as const }
    ]
    for (const { kernel, peripherals } of setups) {
      const b = programAnalogBlock({ profile, weights: w, rows, cols: 1, seed: 1, kernel, peripherals })
      const out = new Float32Array(batch)
      const stats = b.execute(x, batch, out, { driftCompensation: false })
      const step = 24 / 510
      // Sums 8, 16, 32, 64 need reductions 1, 2, 4, 8 (≤ 12 after halving): 1 + 2 + 3 + 4 reads.
      for (let v = 0; v < batch; v++) assert.ok(Math.abs(out[v] - 8 * 2 ** v) <= 2 ** v * step / 2 + 1e-5, `vector ${v}: ${out[v]}`)
      assert.equal(stats.macs, 10 * rows)
    }
  })
})
