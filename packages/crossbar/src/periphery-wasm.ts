/**
 * The WebAssembly periphery of an analog block: input measurement, DAC, read and output noise, ADC and bound
 * management run in kernel.wasm's analog functions (assembly/analog.ts) in float32 with counter-based noise,
 * next to the kernel, so the same seed and sequence of calls give bit-identical outputs on every machine.
 */
import type { KernelMatrix } from './kernel.js'
import type { DriftingArray } from './physics-drift.js'
import type { BlockScales } from './physics-scales.js'
import type { AnalogBlockInit } from './physics-types.js'
import { checkFinite } from './physics-validate.js'
import type { PeripheryExecute } from './periphery-ts.js'
import type { Rng } from './random.js'
import { ANALOG_MODE_CLIP, ANALOG_MODE_DAC, ANALOG_MODE_SCALE, sharedAnalogEngine } from './wasm-kernel.js'
import type { AnalogEngine, WasmKernel } from './wasm-kernel.js'

/** The WebAssembly periphery of one block. */
export interface WasmPeriphery {
  execute: PeripheryExecute
  /** Returns the block's buffers in the engine's memory. */
  release (): void
}

/**
 * The block's WebAssembly periphery, or undefined where kernel.wasm does not load or the init asks for the
 * TypeScript one: the kernel's own analog engine when it has one, else the shared one.
 */
export function createWasmPeriphery (init: AnalogBlockInit, scales: BlockScales, array: DriftingArray): WasmPeriphery | undefined {
  const { rows, cols, kernel } = init
  const { wScale, dacOn, xUnit, maxCode, inputBound, u, adcOn, adcStepK, boundOn, boundK, outNoiseK, nmOn, bmOn, maxReduction } = scales
  const { rowWeight, colVar } = array
  /**
   * The WebAssembly path: input measurement, DAC, noise, ADC and clipping run in the module (assembly/analog.ts)
   * next to the kernel: per vector O(rows + cols) of SIMD WebAssembly, not JavaScript.
   *
   * Bound management follows aihwkit's iterative rule per vector: read at input scale 1; while some output
   * clips and the reduction 2^k is ≤ min(max_bm_factor, max_bm_res / DAC step), read again at scale 2^−(k+1);
   * the last read's outputs count, and the device performs (final level + 1) reads. Every read is a pure
   * function of (call, vector, level): the same inputs and the same noise (counter-based, assembly/analog.ts)
   * whenever and however it is evaluated. So the reads need not be made in that order, and only the final
   * one needs every column:
   * - all vectors' reads of a round go to the kernel in one batched call;
   * - with this instance's own kernel (`mvmAt`), each vector's first read is made at the level predicted from
   *   |x| (κ̂·rms output vs the bound, κ̂ calibrated on the block's previous call), and every level skipped below
   *   or above it is settled by a probe: the exact noisy, quantised value of the column that was largest in the
   *   vector's last full read, computed exactly as the kernel would, so a clip there proves that read clips;
   *   otherwise (or when that column, scaled to the level, stays well inside the bound) the level is read in
   *   full.
   * The outputs and the device statistics are bit-identical to reading level after level; only the kernel work
   * drops (to about one read per vector when the prediction holds).
   */
  const kernelEngine = (kernel as Partial<WasmKernel>).analogEngine?.()
  const engine: AnalogEngine | undefined = init.peripherals === 'typescript' ? undefined : (kernelEngine ?? sharedAnalogEngine())
  if (engine === undefined) return undefined
  const rowWeightPtr = engine.alloc(rows * 4)
  const colVarPtr = engine.alloc(cols * 4)
  let syncedVersion = -1
  const mode = dacOn ? ANALOG_MODE_DAC : nmOn ? ANALOG_MODE_CLIP : ANALOG_MODE_SCALE
  const modeLimit = dacOn ? maxCode : inputBound
  const outVarK = outNoiseK * outNoiseK
  const outScaleBase = u * wScale
  const inputScale = 1 / xUnit
  /** Highest level a read can have: level k + 1 is read only after level k clipped with 2^k ≤ maxReduction. */
  const maxLevel = Math.floor(Math.log2(maxReduction)) + 1
  /**
   * κ̂: max_j |y_j| of a read over its predicted rms, the mean over the previous call's first reads; starts at
   * the median max of `cols` Gaussian outputs.
   */
  let kappa = gaussianMedianMax(cols)
  let nextB = new Int32Array(0)
  let nextLevel = new Int32Array(0)
  let lowest = new Int32Array(0)
  let rms = new Float64Array(0)
  let ratios = new Float64Array(0)

  const executeWasm = (engine: AnalogEngine, x: Float32Array, batch: number, out: Float32Array, t: number, compensate: boolean, rng: Rng): number => {
    const s = engineScratch(engine, batch, rows, cols)
    let f32 = engine.f32()
    f32.set(x.length === batch * rows ? x : x.subarray(0, batch * rows), s.x >>> 2)
    engine.measure(s.x, rows, batch, s.scales, s.sumSq)
    // Validate every vector before any state (time cache, generators) changes.
    const scalesAt = s.scales >>> 2
    const sumSqAt = s.sumSq >>> 2
    for (let b = 0; b < batch; b++) {
      if (!Number.isFinite(f32[sumSqAt + b]) || !Number.isFinite(f32[scalesAt + b])) checkFinite(x, b, rows)
    }
    array.updateTime(t)
    if (syncedVersion !== array.noiseVersion) {
      engine.f32().set(rowWeight, rowWeightPtr >>> 2)
      engine.f32().set(colVar, colVarPtr >>> 2)
      syncedVersion = array.noiseVersion
    }
    const a = compensate ? array.driftCompensationFactor(t) : 1
    const keyLo = rng.nextUint32()
    const keyHi = rng.nextUint32()
    const matrix = array.handle as KernelMatrix
    const guided = bmOn && engine.owns(matrix)
    if (nextB.length < batch) {
      nextB = new Int32Array(batch)
      nextLevel = new Int32Array(batch)
      lowest = new Int32Array(batch)
      rms = new Float64Array(batch)
      ratios = new Float64Array(batch)
    }
    f32 = engine.f32()
    const outAt = s.out >>> 2
    let count = 0
    for (let b = 0; b < batch; b++) {
      const m = f32[scalesAt + b]
      if (m === 0) {
        // No input drives no current: the output is exactly zero (aihwkit short-cuts this case too).
        f32.fill(0, outAt + b * cols, outAt + (b + 1) * cols)
        continue
      }
      if (!nmOn) f32[scalesAt + b] = 1
      let level = 0
      if (guided) {
        const scale = inputScale / f32[scalesAt + b]
        rms[b] = Math.sqrt(f32[sumSqAt + b] * array.meanSquareK) * scale
        // The lowest level at which κ̂·rms·2^−level fits inside the bound.
        let expected = kappa * rms[b]
        while (expected > boundK && level < maxLevel) {
          expected *= 0.5
          level++
        }
      }
      lowest[b] = 0
      nextB[count] = b
      nextLevel[count++] = level
    }
    let reads = 0
    let ratioCount = 0
    let firstRound = true
    while (count > 0) {
      let i32 = engine.i32()
      i32.set(nextB.subarray(0, count), s.index >>> 2)
      i32.set(nextLevel.subarray(0, count), s.levels >>> 2)
      engine.prepare(s.x, rows, count, s.index, s.levels, s.scales, inputScale, mode, modeLimit, rowWeightPtr, s.xq, s.power)
      if (!engine.mvmAt(matrix, s.xq, count, s.y)) {
        const view = engine.f32()
        kernel.mvm(matrix, view.subarray(s.xq >>> 2, (s.xq >>> 2) + count * rows), count, view.subarray(s.y >>> 2, (s.y >>> 2) + count * cols))
      }
      engine.finalize(s.y, cols, count, s.index, s.levels, s.power, colVarPtr, outVarK, array.readNoiseOn, adcOn ? adcStepK : 0,
        boundOn ? boundK : 0, keyLo, keyHi, s.scales, outScaleBase * a, s.out, s.clipped, s.z, s.maxAbs, s.argMax)
      i32 = engine.i32()
      f32 = engine.f32()
      const clippedAt = s.clipped >>> 2
      const maxAbsAt = s.maxAbs >>> 2
      const argMaxAt = s.argMax >>> 2
      let next = 0
      for (let v = 0; v < count; v++) {
        const b = nextB[v]
        const level = nextLevel[v]
        const clipped = i32[clippedAt + v] !== 0
        if (guided) {
          if (firstRound && rms[b] > 0 && rms[b] < Infinity) ratios[ratioCount++] = f32[maxAbsAt + v] * (1 << level) / rms[b]
          // Levels below `cur` are known to clip; settle levels until one needs a full read or one is final.
          let cur = lowest[b]
          let pending = -1
          for (;;) {
            if (cur === level) {
              if (!clipped || cur >= maxLevel) break
              cur++
              continue
            }
            // A level whose largest output, scaled from this read, stays well inside the bound will hardly clip:
            // read it in full rather than probe in vain.
            if (f32[maxAbsAt + v] * (cur < level ? 1 << (level - cur) : 1 / (1 << (cur - level))) < PROBE_MIN_BOUND_FRACTION * boundK) {
              pending = cur
              break
            }
            // The read's largest column settles most levels. (Its next largest columns hardly ever clip when it
            // does not: on the benchmark's 512×512 PCM tile, 9 of 365 such levels.)
            const clips = engine.probe(matrix, s.x, b, cur, s.scales, inputScale, mode, modeLimit, rowWeightPtr, s.codes,
              i32[argMaxAt + v], colVarPtr, outVarK, array.readNoiseOn, adcOn ? adcStepK : 0, boundK, keyLo, keyHi, s.z)
            if (clips && cur < maxLevel) {
              cur++
              continue
            }
            pending = cur
            break
          }
          lowest[b] = cur
          if (pending >= 0) {
            nextB[next] = b
            nextLevel[next++] = pending
          } else {
            reads += cur + 1
          }
        } else if (clipped && bmOn && level < maxLevel) {
          nextB[next] = b
          nextLevel[next++] = level + 1
        } else {
          reads += level + 1
        }
      }
      count = next
      firstRound = false
    }
    if (ratioCount > 0) {
      let sum = 0
      for (let i = 0; i < ratioCount; i++) sum += ratios[i]
      kappa = sum / ratioCount
    }
    const view = engine.f32()
    out.set(view.subarray(outAt, outAt + batch * cols))
    return reads
  }

  return {
    execute: (x, batch, out, t, compensate, rng) => executeWasm(engine, x, batch, out, t, compensate, rng),
    release () {
      engine.release(rowWeightPtr)
      engine.release(colVarPtr)
    }
  }
}

/** Byte offsets of one execute call's buffers in an engine's memory. */
interface EngineScratch {
  x: number
  xq: number
  y: number
  out: number
  scales: number
  power: number
  index: number
  levels: number
  clipped: number
  z: number
  sumSq: number
  maxAbs: number
  codes: number
  argMax: number
}

interface ScratchRegion {
  ptr: number
  bytes: number
  layout: EngineScratch
  batch: number
  rows: number
  cols: number
}

/**
 * One scratch region per engine, shared by its blocks: calls never overlap (a block's execute runs to the end
 * before another starts), and a region per block would hold batch × (rows + cols) floats for every block of
 * a node.
 */
const scratchRegions = new WeakMap<AnalogEngine, ScratchRegion>()

function engineScratch (engine: AnalogEngine, batch: number, rows: number, cols: number): EngineScratch {
  let region = scratchRegions.get(engine)
  if (region !== undefined && region.batch === batch && region.rows === rows && region.cols === cols) return region.layout
  const align = (bytes: number): number => Math.ceil(bytes / 16) * 16
  const names = ['x', 'xq', 'y', 'out', 'scales', 'power', 'index', 'levels', 'clipped', 'z', 'sumSq', 'maxAbs', 'codes', 'argMax'] as const
  // z holds a read's normals, made four at a time.
  const floats = [batch * rows, batch * rows, batch * cols, batch * cols, batch, batch, batch, batch, batch, cols + 3, batch, batch, rows, batch]
  const sizes = floats.map((count) => align(count * 4))
  const total = sizes.reduce((sum, size) => sum + size, 0)
  if (region === undefined || region.bytes < total) {
    if (region !== undefined) engine.release(region.ptr)
    const bytes = Math.max(total, 2 * (region?.bytes ?? 0))
    region = { ptr: engine.alloc(bytes), bytes, layout: {} as unknown as EngineScratch, batch: 0, rows: 0, cols: 0 }
    scratchRegions.set(engine, region)
  }
  const layout = {} as unknown as Record<typeof names[number], number>
  let at = region.ptr
  names.forEach((name, i) => { layout[name] = at; at += sizes[i] })
  region.layout = layout
  region.batch = batch
  region.rows = rows
  region.cols = cols
  return layout
}

/**
 * A level is probed only when the last full read's largest output, scaled to that level, reaches this fraction of
 * the bound; below it the level is read in full straight away (a probe there almost never finds a clip).
 */
const PROBE_MIN_BOUND_FRACTION = 0.9

/**
 * Median of the largest |z| of `n` independent standard normals: Φ̄(m) = ln 2 / (2n), with Φ̄⁻¹(p) ≈
 * √(L − ln L − ln 2π), L = −2 ln p (asymptotic; within 2 % for n ≥ 16). A starting guess only.
 */
function gaussianMedianMax (n: number): number {
  const big = -2 * Math.log(Math.LN2 / (2 * Math.max(n, 16)))
  return Math.sqrt(big - Math.log(big) - Math.log(2 * Math.PI))
}
